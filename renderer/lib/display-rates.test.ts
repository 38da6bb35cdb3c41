import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyListDiff } from '../../engine/api/diff.js';
import type { TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';
import { DisplayRates, ZERO_AFTER_MS } from './display-rates.js';
import { summary } from './test-rows.js';

/** Feeds batches the way the store does (the diff applied, then the rates told) and reads rows as the list does. */
function harness(rows: TorrentSummary[]) {
  const rates = new DisplayRates();
  let map: ReadonlyMap<TorrentId, TorrentSummary> = new Map(rows.map((t) => [t.id, t]));
  rates.reset(map, 0);
  let at = 0;
  return {
    batch(now: number, changed: TorrentPatch[] = []): void {
      const event = { added: [], changed, removed: [] };
      if (changed.length > 0) map = applyListDiff(map, event);
      rates.apply(map, event, now);
      at = now;
    },
    down: (id: TorrentId): number => rates.down(map.get(id)!, at),
    up: (id: TorrentId): number => rates.up(map.get(id)!, at),
    get map() {
      return map;
    },
  };
}

test('a rate that drops to 0 between bursts under a limit does not blank the row', () => {
  const h = harness([summary('a', { downRate: 100_000 })]);
  // Bursts: 200 kB/s, 0, 200 kB/s, 0 … every 333 ms.
  const shown: number[] = [];
  for (let i = 1; i <= 12; i++) {
    h.batch(i * 333, [{ id: 'a', downRate: i % 2 === 0 ? 200_000 : 0 }]);
    shown.push(h.down('a'));
  }
  assert.ok(shown.every((r) => r > 0), `never blank: ${shown.join(', ')}`);
  // And it stays near the mean (100 kB/s) instead of jumping between 0 and 200 kB/s.
  const late = shown.slice(6);
  assert.ok(Math.max(...late) - Math.min(...late) < 80_000, `steady: ${late.join(', ')}`);
});

test('a rate that stops falls to 0 within ZERO_AFTER_MS, even with no further patches for the row', () => {
  const h = harness([summary('a', { downRate: 500_000 })]);
  h.batch(333, [{ id: 'a', downRate: 0 }]);
  assert.ok(h.down('a') > 0, 'held for a moment');
  const shown: number[] = [];
  let t = 333;
  while (t < 333 + ZERO_AFTER_MS + 400) {
    t += 333;
    h.batch(t); // batches that do not mention the row
    shown.push(h.down('a'));
  }
  assert.ok(shown.every((r, i) => i === 0 || r <= shown[i - 1]), `falls: ${shown.join(', ')}`);
  assert.equal(h.down('a'), 0);
});

test('a finished torrent shows no download rate from the batch that says it is complete', () => {
  const h = harness([summary('a', { downRate: 2_000_000, upRate: 50_000, progress: 0.99 })]);
  h.batch(333, [{ id: 'a', state: 'seeding', progress: 1, downRate: 1_500_000 }]);
  assert.equal(h.down('a'), 0);
  assert.equal(h.up('a'), 50_000, 'the upload rate goes on');
  h.batch(666, [{ id: 'a', state: 'paused', upRate: 40_000 }]);
  assert.equal(h.up('a'), 0, 'a paused torrent shows no rate at all');
  h.batch(999, [{ id: 'a', state: 'seeding', upRate: 30_000 }]);
  assert.equal(h.up('a'), 30_000, 'resumed: the engine figure at once, not a climb from the paused 0');
});

test('steady rates pass through unchanged; a batch leaves the rows it does not name as they are', () => {
  const h = harness([summary('a', { downRate: 1000 }), summary('b', { downRate: 0 })]);
  const before = h.map;
  h.batch(333);
  assert.equal(h.map, before, 'nothing changed: same map');
  assert.equal(h.down('a'), 1000);
  h.batch(666, [{ id: 'a', downRate: 1000, peers: 3 }]);
  assert.equal(h.down('a'), 1000);
  assert.equal(h.map.get('b'), before.get('b'));
  assert.equal(h.map.get('a')!.downRate, 1000, 'rows keep the engine figures');
});

test('a rate that starts from 0 shows at once, and converges on a new steady figure', () => {
  const h = harness([summary('a', { downRate: 0 })]);
  h.batch(333, [{ id: 'a', downRate: 300_000 }]);
  assert.equal(h.down('a'), 300_000);
  let t = 333;
  h.batch((t += 333), [{ id: 'a', downRate: 600_000 }]);
  const mid = h.down('a');
  assert.ok(mid > 300_000 && mid < 600_000, `between: ${mid}`);
  h.batch((t += 333));
  const later = h.down('a');
  assert.ok(later > mid && later < 600_000, `closer with time alone: ${later}`);
  for (let i = 0; i < 30; i++) h.batch((t += 333));
  assert.equal(h.down('a'), 600_000);
});

test('removed and unknown torrents show no rate', () => {
  const h = harness([summary('a', { downRate: 1000 })]);
  const row = h.map.get('a')!;
  const rates = new DisplayRates();
  assert.equal(rates.down(row, 0), 0);
});
