import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metainfo } from '../metainfo/index.js';
import { TrackerLink } from './tracker-link.js';

// Nothing listens on port 1: announces fail at once on loopback; the test looks only at the order.
const urls = ['a', 'b', 'c', 'd', 'e', 'f'].map((h) => `http://127.0.0.1:1/${h}/announce`);

function link(): TrackerLink {
  const meta = { announce: [[...urls].reverse()], infoHash: new Uint8Array(20).fill(7) } as unknown as Metainfo;
  return new TrackerLink({ meta, peerId: new Uint8Array(20).fill(1), listenPort: () => 6881, stats: () => ({ uploaded: 0, downloaded: 0, left: 1 }), onPeers: () => {}, onEvent: () => {} });
}

test('a tier the user ordered (setTiers) is announced to in that order, not shuffled (720 orders: a shuffle keeps it by chance once in 720)', async () => {
  const l = link();
  l.setTiers([urls]);
  l.start();
  try {
    assert.deepEqual(l.status().map((s) => s.url), urls);
  } finally {
    await l.stop();
  }
});

test('a running link given a new order starts over in that order', async () => {
  const l = link();
  l.start();
  try {
    const reordered = [[urls[5]], urls.slice(0, 5)];
    l.setTiers(reordered);
    assert.deepEqual(l.status().map((s) => [s.url, s.tier]), reordered.flatMap((tier, i) => tier.map((u) => [u, i])));
  } finally {
    await l.stop();
  }
});
