import test from 'node:test';
import assert from 'node:assert/strict';
import { CriticalPeers } from './critical-peers.js';
import { BLOCK_SIZE } from '../common/geometry.js';

const peer = (rate: number, queued: number) => ({ downloadMeter: { rate: () => rate }, requests: { size: queued } });

test('before anyone has delivered, every peer may take critical blocks', () => {
  const c = new CriticalPeers();
  c.update([peer(0, 50), peer(0, 0)]);
  assert.equal(c.fit(0, 50), true);
});

test('a slow peer is kept off critical blocks; a fast one with a short queue takes them', () => {
  const c = new CriticalPeers();
  const fast = peer(4_000_000, 10);
  const slow = peer(100_000, 2);
  c.update([fast, slow]);
  assert.equal(c.fit(4_000_000, 10), true);
  assert.equal(c.fit(100_000, 2), false);
});

test('the only peer is fit even when rarest-first keeps its queue long (else the stream stalls)', () => {
  const c = new CriticalPeers();
  const rate = 4_000_000;
  const queued = Math.ceil((3 * rate) / BLOCK_SIZE); // 3 s of its rate in flight
  c.update([peer(rate, queued)]);
  assert.equal(c.fit(rate, queued), true);
});

test('with every fast queue long, the one that drains first is fit and a much longer one is not', () => {
  const c = new CriticalPeers();
  const rate = 2_000_000;
  const short = Math.ceil((2 * rate) / BLOCK_SIZE); // 2 s
  const long = Math.ceil((6 * rate) / BLOCK_SIZE); // 6 s
  c.update([peer(rate, short), peer(rate, long)]);
  assert.equal(c.fit(rate, short), true);
  assert.equal(c.fit(rate, long), false);
});
