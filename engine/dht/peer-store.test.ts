import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerStore } from './peer-store.js';

const MIN = 60_000;
const hash = (n: number): Uint8Array => new Uint8Array(20).fill(n);
const peer = (i: number) => ({ host: `10.0.${i >> 8}.${i & 255}`, port: 6881 });
const hosts = (ps: { host: string; port: number }[]): string[] => ps.map((p) => `${p.host}:${p.port}`).sort();

test('add and get; re-announcing refreshes instead of duplicating', () => {
  const s = new PeerStore();
  assert.ok(s.add(hash(1), { host: '1.2.3.4', port: 6881 }, 0));
  assert.ok(s.add(hash(1), { host: '1.2.3.4', port: 6882 }, 0));
  assert.ok(s.add(hash(1), { host: '1.2.3.4', port: 6881 }, 10));
  assert.ok(s.add(hash(2), { host: '0:0::1', port: 1 }, 0)); // same address as '::1' below
  assert.ok(s.add(hash(2), { host: '::1', port: 1 }, 0));
  assert.deepEqual(hosts(s.get(hash(1), 50, 20)), ['1.2.3.4:6881', '1.2.3.4:6882']);
  assert.equal(s.peerCount, 3);
  assert.equal(s.size, 2);
  assert.deepEqual(s.get(hash(3), 50, 0), []);
  assert.deepEqual(s.get(hash(2), 50, 0, 4), []);
  assert.deepEqual(s.get(hash(2), 50, 0, 6), [{ host: '::1', port: 1 }]);
});

test('malformed announces are refused', () => {
  const s = new PeerStore();
  assert.equal(s.add(new Uint8Array(19), peer(1), 0), false);
  assert.equal(s.add(hash(1), { host: 'example.com', port: 1 }, 0), false);
  assert.equal(s.add(hash(1), { host: '1.1.1.1', port: 0 }, 0), false);
  assert.equal(s.add(hash(1), { host: '1.1.1.1', port: 65536 }, 0), false);
  assert.equal(s.size, 0);
});

test('peers expire 30 minutes after their last announce', () => {
  const s = new PeerStore();
  s.add(hash(1), peer(1), 0);
  s.add(hash(1), peer(2), 10 * MIN);
  s.add(hash(1), peer(1), 20 * MIN); // refresh
  s.add(hash(2), peer(3), 0);
  assert.deepEqual(hosts(s.get(hash(1), 10, 30 * MIN)), ['10.0.0.1:6881', '10.0.0.2:6881']);
  assert.deepEqual(hosts(s.get(hash(1), 10, 40 * MIN)), ['10.0.0.1:6881']);
  assert.deepEqual(s.get(hash(1), 10, 50 * MIN), []);
  assert.equal(s.size, 1, 'an emptied hash is dropped');
  s.prune(30 * MIN);
  assert.equal(s.size, 0);
  assert.equal(s.peerCount, 0);
});

test('max peers per hash: the peer announced longest ago makes room', () => {
  const s = new PeerStore({ maxPeersPerHash: 3 });
  for (let i = 1; i <= 3; i++) s.add(hash(1), peer(i), i);
  s.add(hash(1), peer(1), 10); // refresh 1: now 2 is the oldest
  s.add(hash(1), peer(4), 11);
  assert.deepEqual(hosts(s.get(hash(1), 10, 12)), ['10.0.0.1:6881', '10.0.0.3:6881', '10.0.0.4:6881']);
  assert.equal(s.peerCount, 3);
});

test('max hashes: expired ones go first, then the hash announced to longest ago', () => {
  const s = new PeerStore({ maxHashes: 2 });
  s.add(hash(1), peer(1), 0);
  s.add(hash(2), peer(2), 20 * MIN);
  s.add(hash(3), peer(3), 31 * MIN); // hash 1 has expired: it goes
  assert.deepEqual(s.get(hash(1), 10, 31 * MIN), []);
  assert.equal(s.size, 2);
  s.add(hash(2), peer(5), 32 * MIN); // hash 3 is now the stalest
  s.add(hash(4), peer(4), 33 * MIN);
  assert.equal(s.size, 2);
  assert.deepEqual(s.get(hash(3), 10, 33 * MIN), []);
  assert.equal(s.get(hash(2), 10, 33 * MIN).length, 2);
  assert.equal(s.get(hash(4), 10, 33 * MIN).length, 1);
});

test('get returns at most max, a random pick without duplicates', () => {
  let x = 7;
  const s = new PeerStore({ random: () => ((x = (x * 16807) % 2147483647) / 2147483647) });
  for (let i = 0; i < 100; i++) s.add(hash(1), peer(i), 0);
  const seen = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const got = s.get(hash(1), 10, 0);
    assert.equal(got.length, 10);
    assert.equal(new Set(hosts(got)).size, 10);
    hosts(got).forEach((h) => seen.add(h));
  }
  assert.ok(seen.size > 50, `${seen.size} distinct peers over 20 picks`);
  assert.deepEqual(s.get(hash(1), 0, 0), []);
  assert.equal(s.get(hash(1), 1000, 0).length, 100);
});
