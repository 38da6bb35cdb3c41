import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../common/clock.js';
import { RoutingTable, type NodeAddress } from './routing-table.js';
import { commonPrefixLength, compareDistance, randomIdInBucket } from './node-id.js';

const MIN = 60_000;
const OWN = new Uint8Array(20); // all zeros
let counter = 0;
/** A fresh id whose first byte is `first`, unique per call. */
function idStarting(first: number): Uint8Array {
  const id = new Uint8Array(20);
  id[0] = first;
  counter++;
  id[18] = counter >> 8;
  id[19] = counter & 0xff;
  return id;
}
/** An address unique to the id (ids made by idStarting differ in bytes 0, 18, 19). */
function addr(id: Uint8Array): NodeAddress {
  return { id, host: `10.${id[0]}.${id[18]}.${id[19]}`, port: 6881 };
}
/** A deterministic random source. */
function seqRandom(): (n: number) => Uint8Array {
  let x = 1;
  return (n) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) & 0x7fffffff) & 0xff);
}

test('a bucket takes 8 nodes; the 9th splits the bucket holding our id, far nodes go to the replacement cache', () => {
  const t = new RoutingTable(OWN, 0);
  for (let i = 0; i < 8; i++) assert.deepEqual(t.insert(addr(idStarting(0x80 + i)), 0), { kind: 'added' });
  assert.equal(t.size, 8);
  assert.equal(t.bucketCount, 1);
  const ninth = t.insert(addr(idStarting(0x90)), 0);
  // Split into [far half: 8 nodes] [near half: 0]; the far bucket cannot split any further.
  assert.equal(t.bucketCount, 2);
  assert.deepEqual(t.bucketSizes(), [
    { nodes: 8, replacements: 1 },
    { nodes: 0, replacements: 0 },
  ]);
  assert.equal(ninth.kind, 'cached');
  // All eight are only heard of (questionable): ping the one seen longest ago.
  assert.ok(ninth.kind === 'cached' && ninth.ping !== undefined);
  assert.equal(t.size, 8);
});

test('nodes near our id keep splitting the own bucket; buckets partition by common prefix length', () => {
  const t = new RoutingTable(OWN, 0);
  // 8 nodes at each distance 0..5 (first byte 0x80>>d has cpl d).
  for (let d = 0; d < 6; d++) for (let i = 0; i < 8; i++) assert.equal(t.insert(addr(idStarting(0x80 >> d)), 0).kind, 'added');
  assert.equal(t.size, 48);
  // Five far buckets (cpl 0..4) and the own bucket, full with the cpl-5 nodes (no split needed yet).
  assert.equal(t.bucketCount, 6);
  for (const n of t.nodes()) assert.ok(commonPrefixLength(OWN, n.id) <= 5);
  assert.deepEqual(
    t.bucketSizes().map((b) => b.nodes),
    [8, 8, 8, 8, 8, 8],
  );
  // A far bucket is never split: the 9th node at distance 0 is cached.
  assert.equal(t.insert(addr(idStarting(0x80)), 0).kind, 'cached');
  assert.equal(t.bucketCount, 6);
  // One more near node splits the own bucket.
  assert.equal(t.insert(addr(idStarting(0x02)), 0).kind, 'added');
  assert.equal(t.bucketCount, 7);
  assert.deepEqual(
    t.bucketSizes().map((b) => b.nodes),
    [8, 8, 8, 8, 8, 8, 1],
  );
});

test('our own id, bad ports and bad addresses are rejected', () => {
  const t = new RoutingTable(OWN, 0);
  assert.deepEqual(t.insert({ id: OWN, host: '10.0.0.1', port: 1 }, 0), { kind: 'rejected', reason: 'self' });
  assert.deepEqual(t.insert({ id: idStarting(1), host: '10.0.0.1', port: 0 }, 0), { kind: 'rejected', reason: 'invalid' });
  assert.deepEqual(t.insert({ id: new Uint8Array(19), host: '10.0.0.1', port: 1 }, 0), { kind: 'rejected', reason: 'invalid' });
  assert.deepEqual(t.insert({ id: idStarting(1), host: 'example.com', port: 1 }, 0), { kind: 'rejected', reason: 'invalid' });
  assert.equal(t.size, 0);
});

test('node states with a ManualClock: good, questionable after 15 min, bad after 2 failures', () => {
  const clock = new ManualClock(1000);
  const t = new RoutingTable(OWN, clock.now());
  const id = idStarting(0x80);
  t.insert(addr(id), clock.now(), 'learned');
  const state = (): string => {
    const n = t.get(id);
    assert.ok(n);
    return t.stateOf(n, clock.now());
  };
  assert.equal(state(), 'questionable'); // only heard of
  t.markResponded(id, clock.now());
  assert.equal(state(), 'good');
  clock.advance(15 * MIN - 1);
  assert.equal(state(), 'good');
  clock.advance(1);
  assert.equal(state(), 'questionable');
  // It queries us: having answered before, it is good again.
  t.insert(addr(id), clock.now(), 'queried');
  assert.equal(state(), 'good');
  clock.advance(14 * MIN);
  assert.equal(state(), 'good');
  assert.deepEqual(t.markFailed(id), { state: 'questionable' });
  assert.equal(state(), 'questionable');
  assert.deepEqual(t.markFailed(id), { state: 'bad' });
  assert.equal(state(), 'bad');
  assert.deepEqual(t.closest(OWN, 8), [], 'bad nodes are not handed out');
  // An answer clears the failures.
  t.markResponded(id, clock.now());
  assert.equal(state(), 'good');
  assert.equal(t.markResponded(idStarting(0x81), clock.now()), false);
  assert.deepEqual(t.markFailed(idStarting(0x81)), { state: undefined });
});

test('a node that only queries us (never answered) stays questionable', () => {
  const t = new RoutingTable(OWN, 0);
  const id = idStarting(0x80);
  t.insert(addr(id), 0, 'queried');
  const n = t.get(id);
  assert.ok(n);
  assert.equal(t.stateOf(n, 0), 'questionable');
});

/** A table whose far bucket (bucket 0) holds 8 nodes that answered at `now`. */
function fullFarBucket(now: number, opts = {}): { t: RoutingTable; ids: Uint8Array[] } {
  const t = new RoutingTable(OWN, now, opts);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    const id = idStarting(0x80 + i);
    ids.push(id);
    t.insert(addr(id), now, 'responded');
  }
  // One near node forces the split so bucket 0 is a far bucket that can no longer split.
  t.insert(addr(idStarting(0x01)), now, 'responded');
  assert.equal(t.bucketCount, 2);
  return { t, ids };
}

test('full bucket of good nodes: newcomers go to the replacement cache, no ping', () => {
  const { t } = fullFarBucket(0);
  const r = t.insert(addr(idStarting(0xa0)), 1000);
  assert.deepEqual(r, { kind: 'cached' });
  assert.equal(t.replacementCount, 1);
  assert.equal(t.size, 9);
});

test('full bucket with questionable nodes: the stalest is to be pinged; when it goes bad a replacement takes its place', () => {
  const clock = new ManualClock(0);
  const { t, ids } = fullFarBucket(clock.now());
  clock.advance(5 * MIN);
  for (const id of ids.slice(1)) t.markResponded(id, clock.now());
  clock.advance(11 * MIN); // ids[0]: 16 min since its answer -> questionable; the rest 11 min -> good
  const newcomer = idStarting(0xa0);
  const r = t.insert(addr(newcomer), clock.now(), 'learned');
  assert.equal(r.kind, 'cached');
  assert.ok(r.kind === 'cached' && r.ping);
  assert.deepEqual(r.ping.id, ids[0]);
  // The caller pings it; it fails twice.
  assert.deepEqual(t.markFailed(ids[0]), { state: 'questionable' });
  const second = t.markFailed(ids[0]);
  assert.equal(second.state, 'bad');
  assert.deepEqual(second.removed?.id, ids[0]);
  assert.deepEqual(second.promoted?.id, newcomer);
  assert.ok(t.has(newcomer));
  assert.equal(t.has(ids[0]), false);
  assert.equal(t.replacementCount, 0);
});

test('a bad node is replaced at once by a newcomer; with no replacement it stays (but is not handed out)', () => {
  const { t, ids } = fullFarBucket(0);
  t.markFailed(ids[3]);
  assert.deepEqual(t.markFailed(ids[3]), { state: 'bad' });
  assert.ok(t.has(ids[3]));
  assert.ok(!t.closest(ids[3], 20).some((n) => n.id.every((b, i) => b === ids[3][i])));
  const newcomer = idStarting(0xa1);
  const r = t.insert(addr(newcomer), 10);
  assert.equal(r.kind, 'added');
  assert.ok(r.kind === 'added' && r.evicted);
  assert.deepEqual(r.evicted.id, ids[3]);
  assert.equal(t.has(ids[3]), false);
});

test('a replacement that answers moves in when a slot frees up; a node that answered beats one never reached', () => {
  const t = new RoutingTable(OWN, 0);
  const heard: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    const id = idStarting(0x80 + i);
    heard.push(id);
    t.insert(addr(id), 0, 'learned');
  }
  t.insert(addr(idStarting(0x01)), 0, 'learned'); // split
  const answering = idStarting(0xb0);
  const r = t.insert(addr(answering), 5, 'responded');
  assert.equal(r.kind, 'added');
  assert.ok(r.kind === 'added' && r.evicted);
  assert.deepEqual(r.evicted.id, heard[0]); // the oldest never-reached node
  assert.ok(t.has(answering));
  assert.equal(t.replacementCount, 1); // the evicted one waits in the cache
  // The cached node answers, but the bucket is full of non-bad nodes: stays cached.
  t.markResponded(heard[0], 6);
  assert.equal(t.has(heard[0]), false);
  // A node in the bucket goes bad: the answering replacement is promoted by markFailed.
  t.markFailed(heard[1]);
  const f = t.markFailed(heard[1]);
  assert.deepEqual(f.promoted?.id, heard[0]);
  assert.ok(t.has(heard[0]));
});

test('replacement cache is bounded per bucket and keeps the best candidates', () => {
  const { t } = fullFarBucket(0, { replacementsPerBucket: 3 });
  const cached = [idStarting(0xc0), idStarting(0xc1), idStarting(0xc2)];
  for (const id of cached) t.insert(addr(id), 1, 'learned');
  assert.equal(t.replacementCount, 3);
  // A node that answered displaces a merely-heard one.
  t.insert(addr(idStarting(0xc3)), 2, 'responded');
  assert.equal(t.replacementCount, 3);
  assert.deepEqual(t.bucketSizes()[0], { nodes: 8, replacements: 3 });
});

test('at most one node per IP by default; configurable for loopback tests', () => {
  const t = new RoutingTable(OWN, 0);
  assert.equal(t.insert({ id: idStarting(0x80), host: '1.2.3.4', port: 1 }, 0).kind, 'added');
  assert.deepEqual(t.insert({ id: idStarting(0x81), host: '1.2.3.4', port: 2 }, 0), { kind: 'rejected', reason: 'ip-limit' });
  const loop = new RoutingTable(OWN, 0, { maxNodesPerIp: 1000 });
  const rnd = seqRandom();
  for (let i = 0; i < 100; i++) loop.insert({ id: randomIdInBucket(OWN, i % 10, rnd), host: '127.0.0.1', port: 10000 + i }, 0);
  assert.ok(loop.size > 50, `${loop.size}`);
  // Removing frees the IP slot.
  const victim = t.nodes()[0];
  assert.ok(t.remove(victim.id));
  assert.equal(t.insert({ id: idStarting(0x81), host: '1.2.3.4', port: 2 }, 0).kind, 'added');
});

test('a known id from a new address: refused while the old one is reachable, taken over when it never answered', () => {
  const t = new RoutingTable(OWN, 0);
  const a = idStarting(0x80);
  t.insert({ id: a, host: '1.1.1.1', port: 1 }, 0, 'responded');
  assert.deepEqual(t.insert({ id: a, host: '2.2.2.2', port: 1 }, 1), { kind: 'rejected', reason: 'id-conflict' });
  const b = idStarting(0x81);
  t.insert({ id: b, host: '3.3.3.3', port: 1 }, 0, 'learned');
  assert.deepEqual(t.insert({ id: b, host: '4.4.4.4', port: 9 }, 1), { kind: 'updated' });
  assert.equal(t.get(b)?.host, '4.4.4.4');
  // 3.3.3.3 is free again.
  assert.equal(t.insert({ id: idStarting(0x82), host: '3.3.3.3', port: 1 }, 1).kind, 'added');
});

test('property: closest(target, k) is the k nearest non-bad nodes, in XOR order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { maxLength: 120 }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      fc.integer({ min: 0, max: 30 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (ids, own, target, k, failIdx) => {
        const t = new RoutingTable(own, 0, { maxNodesPerIp: 1000 });
        ids.forEach((id, i) => t.insert({ id, host: '127.0.0.1', port: 1000 + i }, 0, 'responded'));
        const inTable = t.nodes();
        for (const f of failIdx) {
          if (inTable.length === 0) break;
          const victim = inTable[f % inTable.length];
          t.markFailed(victim.id);
          t.markFailed(victim.id);
        }
        const live = t.nodes().filter((n) => t.stateOf(n, 0) !== 'bad');
        const want = live.sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, k);
        const got = t.closest(target, k);
        assert.deepEqual(
          got.map((n) => Buffer.from(n.id).toString('hex')),
          want.map((n) => Buffer.from(n.id).toString('hex')),
        );
        for (let i = 1; i < got.length; i++) assert.ok(compareDistance(target, got[i - 1].id, got[i].id) <= 0);
      },
    ),
    { numRuns: 200 },
  );
});

test('property: every node sits in the bucket its common prefix says; size never exceeds k per bucket', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { maxLength: 300 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (ids, own) => {
      const t = new RoutingTable(own, 0, { maxNodesPerIp: 1000 });
      ids.forEach((id, i) => t.insert({ id, host: '127.0.0.1', port: 1 + i }, 0));
      const sizes = t.bucketSizes();
      assert.ok(sizes.every((s) => s.nodes <= 8 && s.replacements <= 8));
      assert.equal(t.size, sizes.reduce((a, s) => a + s.nodes, 0));
      // No bucket is short of nodes while its replacement cache holds some.
      assert.ok(sizes.every((s) => s.replacements === 0 || s.nodes === 8));
      // nodes() lists bucket by bucket: bucket i holds common prefix i exactly, the last one at least i.
      const all = t.nodes();
      let at = 0;
      sizes.forEach((s, i) => {
        for (const n of all.slice(at, at + s.nodes)) {
          const cpl = commonPrefixLength(own, n.id);
          assert.ok(i === sizes.length - 1 ? cpl >= i : cpl === i);
        }
        at += s.nodes;
      });
    }),
    { numRuns: 100 },
  );
});

test('bucketsNeedingRefresh: buckets untouched for 15 minutes, with a target id inside each', () => {
  const clock = new ManualClock(0);
  const t = new RoutingTable(OWN, clock.now(), { random: seqRandom() });
  for (let d = 0; d < 3; d++) for (let i = 0; i < 8; i++) t.insert(addr(idStarting(0x80 >> d)), clock.now());
  assert.equal(t.bucketCount, 3);
  assert.deepEqual(t.bucketsNeedingRefresh(clock.now()), []);
  clock.advance(10 * MIN);
  const near = t.nodes().find((n) => commonPrefixLength(OWN, n.id) === 1);
  assert.ok(near);
  t.markResponded(near.id, clock.now()); // touches bucket 1
  clock.advance(5 * MIN);
  const targets = t.bucketsNeedingRefresh(clock.now());
  assert.equal(targets.length, 2);
  assert.deepEqual(
    targets.map((id) => Math.min(commonPrefixLength(OWN, id), 2)),
    [0, 2],
  );
  // The caller starts a refresh lookup and touches the bucket.
  t.touch(targets[0], clock.now());
  assert.equal(t.bucketsNeedingRefresh(clock.now()).length, 1);
  clock.advance(15 * MIN);
  assert.equal(t.bucketsNeedingRefresh(clock.now()).length, 3);
});

test('toJSON/fromJSON round trip: same id, same nodes (as questionable), bad nodes dropped', () => {
  const own = randomIdInBucket(new Uint8Array(20), 0, seqRandom());
  const t = new RoutingTable(own, 0);
  const rnd = seqRandom();
  for (let i = 0; i < 60; i++) t.insert({ id: rnd(20), host: `10.0.${i >> 8}.${i & 255}`, port: 1000 + i }, 0, 'responded');
  // One bad node with no replacement to take its place (the own bucket has no cache here).
  const victim = t.nodes().find((n) => commonPrefixLength(own, n.id) >= t.bucketCount - 1);
  assert.ok(victim);
  t.markFailed(victim.id);
  assert.equal(t.markFailed(victim.id).state, 'bad');
  assert.ok(t.has(victim.id));
  const json = JSON.parse(JSON.stringify(t)) as unknown;
  const back = RoutingTable.fromJSON(json, 5000);
  assert.deepEqual(back.id, own);
  const key = (n: NodeAddress): string => `${Buffer.from(n.id).toString('hex')}@${n.host}:${n.port}`;
  assert.deepEqual(back.nodes().map(key).sort(), t.nodes().filter((n) => n.failures < 2).map(key).sort());
  assert.ok(back.nodes().every((n) => back.stateOf(n, 5000) === 'questionable'));
  assert.deepEqual(back.toJSON().nodes.length, t.size - 1);
  // A different own id may be forced (e.g. BEP 42 after an IP change).
  const forced = RoutingTable.fromJSON(json, 0, { ownId: new Uint8Array(20).fill(7) });
  assert.deepEqual(forced.id, new Uint8Array(20).fill(7));
  // Junk entries are skipped, a junk document throws.
  const junk = RoutingTable.fromJSON({ version: 1, id: '00'.repeat(20), nodes: [null, 5, { id: 'zz', host: '1.1.1.1', port: 1 }, { id: 'ab'.repeat(20), host: '1.1.1.1', port: 70000 }, { id: 'ab'.repeat(20), host: '1.1.1.1', port: 7 }] }, 0);
  assert.equal(junk.size, 1);
  assert.throws(() => RoutingTable.fromJSON(null, 0), TypeError);
  assert.throws(() => RoutingTable.fromJSON({ version: 2, id: '00'.repeat(20), nodes: [] }, 0), TypeError);
  assert.throws(() => RoutingTable.fromJSON({ version: 1, id: 'short', nodes: [] }, 0), TypeError);
  assert.throws(() => RoutingTable.fromJSON({ version: 1, id: '00'.repeat(20), nodes: {} }, 0), TypeError);
});
