import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStarved, STARVED_AFTER_MS, type SwarmSight } from './starvation.js';

const choking = { peerChoking: true, amInterested: true };
const useless = { peerChoking: false, amInterested: false };
const feeding = { peerChoking: false, amInterested: true };
const base: SwarmSight = { downloading: true, dialing: 0, peers: [], lastReceivedAt: 0, downloadingSince: 0, now: 100_000 };

test('no peer and no dial is starved at once; a dial in flight or not downloading is not', () => {
  assert.equal(isStarved(base), true);
  assert.equal(isStarved({ ...base, dialing: 1 }), false);
  assert.equal(isStarved({ ...base, downloading: false }), false);
});

test('peers that all choke us, or have nothing we want, starve us after a while without payload', () => {
  const now = base.now;
  const since = (ms: number): Partial<SwarmSight> => ({ lastReceivedAt: now - ms, downloadingSince: 0 });
  assert.equal(isStarved({ ...base, peers: [choking, useless], ...since(STARVED_AFTER_MS - 1) }), false, 'payload came lately');
  assert.equal(isStarved({ ...base, peers: [choking, useless], ...since(STARVED_AFTER_MS) }), true);
  assert.equal(isStarved({ ...base, peers: [choking, feeding], ...since(10 * STARVED_AFTER_MS) }), false, 'one peer lets us download');
  assert.equal(isStarved({ ...base, peers: [choking], lastReceivedAt: 0, downloadingSince: now - 5_000 }), false, 'a torrent that just started gets its grace');
  assert.equal(isStarved({ ...base, peers: [choking], lastReceivedAt: 0, downloadingSince: now - STARVED_AFTER_MS }), true);
});
