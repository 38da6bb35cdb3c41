import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyListDiff } from '../../engine/api/diff.js';
import type { TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';
import { DisplayRates, ZERO_AFTER_MS } from './display-rates.js';
import { summary } from './test-rows.js';

/** Feeds batches the way the store does: the diff applied, then the shown rates. */
function harness(rows: TorrentSummary[]) {
  const rates = new DisplayRates();
  let map: ReadonlyMap<TorrentId, TorrentSummary> = rates.reset(new Map(rows.map((t) => [t.id, t])), 0);
  return {
    rates,
    batch(now: number, changed: TorrentPatch[] = []): ReadonlyMap<TorrentId, TorrentSummary> {
      const event = { added: [], changed, removed: [] };
      map = rates.apply(changed.length > 0 ? applyListDiff(map, event) : map, event, now);
      return map;
    },
    get map() {
      return map;
    },
  };
}

test('a rate that drops to 0 between bursts under a limit does not blank the row', () => {
  const h = harness([summary('a', { downRate: 100_000 })]);
  // Bursts: 200 kB/s, 0, 200 kB/s, 0 … every 333 ms.
  const shown: number[] = [];
  for (let i = 1; i <= 12; i++) shown.push(h.batch(i * 333, [{ id: 'a', downRate: i % 2 === 0 ? 200_000 : 0 }]).get('a')!.downRate);
  assert.ok(shown.every((r) => r > 0), `never blank: ${shown.join(', ')}`);
  // And it stays near the mean (100 kB/s) instead of jumping between 0 and 200 kB/s.
  const late = shown.slice(6);
  assert.ok(Math.max(...late) - Math.min(...late) < 80_000, `steady: ${late.join(', ')}`);
});

test('a rate that stops falls to 0 within ZERO_AFTER_MS, even with no further patches for the row', () => {
  const h = harness([summary('a', { downRate: 500_000 })]);
  h.batch(333, [{ id: 'a', downRate: 0 }]);
  assert.ok(h.map.get('a')!.downRate > 0, 'held for a moment');
  let t = 333;
  while (t < 333 + ZERO_AFTER_MS + 400) {
    t += 333;
    h.batch(t); // batches that do not mention the row
  }
  assert.equal(h.map.get('a')!.downRate, 0);
  assert.equal(h.rates.settlingCount, 0, 'a settled row is no longer revisited');
});

test('a finished torrent shows no download rate from the batch that says it is complete', () => {
  const h = harness([summary('a', { downRate: 2_000_000, upRate: 50_000, progress: 0.99 })]);
  const after = h.batch(333, [{ id: 'a', state: 'seeding', progress: 1, downRate: 1_500_000 }]).get('a')!;
  assert.equal(after.downRate, 0);
  assert.equal(after.upRate, 50_000, 'the upload rate goes on');
  const paused = h.batch(666, [{ id: 'a', state: 'paused', upRate: 40_000 }]).get('a')!;
  assert.equal(paused.upRate, 0, 'a paused torrent shows no rate at all');
});

test('steady rates pass through unchanged and rows that do not change keep their identity', () => {
  const h = harness([summary('a', { downRate: 1000 }), summary('b', { downRate: 0 })]);
  const before = h.map;
  const after = h.batch(333);
  assert.equal(after, before, 'nothing changed: same map');
  const next = h.batch(666, [{ id: 'a', downRate: 1000, peers: 3 }]);
  assert.equal(next.get('a')!.downRate, 1000);
  assert.equal(next.get('b'), before.get('b'));
});

test('a rate that starts from 0 shows at once, and converges on a new steady figure', () => {
  const h = harness([summary('a', { downRate: 0 })]);
  assert.equal(h.batch(333, [{ id: 'a', downRate: 300_000 }]).get('a')!.downRate, 300_000);
  let t = 333;
  h.batch((t += 333), [{ id: 'a', downRate: 600_000 }]);
  const mid = h.map.get('a')!.downRate;
  assert.ok(mid > 300_000 && mid < 600_000, `between: ${mid}`);
  for (let i = 0; i < 30; i++) h.batch((t += 333));
  assert.equal(h.map.get('a')!.downRate, 600_000);
  assert.equal(h.rates.settlingCount, 0);
});
