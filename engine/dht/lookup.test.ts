import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lookup, type Contact, type LookupKind } from './lookup.js';
import { SimNetwork, randomId, rng, xorCompare } from './test-sim-network.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface RunResult {
  lookup: Lookup;
  /** Highest number of non-slow queries in flight at once. */
  maxActive: number;
  /** Virtual milliseconds the lookup took. */
  elapsed: number;
  /** Peers in the order `onResponse` handed them out. */
  streamed: string[];
  /** Every live node some responder told the lookup about (plus the seeds). */
  reported: Map<string, Uint8Array>;
}

/**
 * Drives a lookup over the simulated network with seeded random latencies (5–200 ms). Dead nodes never answer:
 * the driver reports them slow after 2 s and failed after 4 s, as the RPC layer's timeout and one retry would.
 */
function run(net: SimNetwork, kind: LookupKind, target: Uint8Array, seeds: Contact[], opts: { alpha?: number; maxQueries?: number; seed?: number } = {}): RunResult {
  const lookup = new Lookup({ kind, target, alpha: opts.alpha, maxQueries: opts.maxQueries }, seeds);
  const rand = rng(opts.seed ?? 7);
  type Ev = { at: number; seq: number; fn: () => void };
  const events: Ev[] = [];
  let now = 0;
  let seq = 0;
  let active = 0;
  let maxActive = 0;
  const streamed: string[] = [];
  const reported = new Map<string, Uint8Array>();
  const report = (c: Contact): void => {
    const n = net.node(c);
    if (n && !n.dead) reported.set(hex(n.contact.id), n.contact.id);
  };
  seeds.forEach(report);
  const schedule = (at: number, fn: () => void): void => {
    events.push({ at, seq: seq++, fn });
  };
  const pump = (): void => {
    for (const c of lookup.next()) {
      active++;
      maxActive = Math.max(maxActive, active);
      const node = net.node(c);
      assert.ok(node, `queried an unknown address ${c.host}:${c.port}`);
      if (node.dead) {
        schedule(now + 2000, () => {
          active--;
          lookup.onSlow(c);
        });
        schedule(now + 4000, () => lookup.onFailure(c));
      } else {
        const res = net.answer(node, target);
        res.nodes.forEach(report);
        schedule(now + 5 + Math.floor(rand() * 195), () => {
          active--;
          for (const p of lookup.onResponse(c, res)) streamed.push(`${p.host}:${p.port}`);
        });
      }
    }
  };
  pump();
  let steps = 0;
  while (!lookup.done && events.length > 0) {
    assert.ok(steps++ < 100_000, 'lookup did not terminate');
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const ev = events.shift()!;
    now = ev.at;
    ev.fn();
    pump();
  }
  assert.ok(lookup.done, 'lookup ran out of events without finishing');
  return { lookup, maxActive, elapsed: now, streamed, reported };
}

function seedsFrom(net: SimNetwork, indexes: number[], withIds = true): Contact[] {
  return indexes.map((i) => {
    const c = net.nodes[i].contact;
    return withIds ? c : { id: null, host: c.host, port: c.port };
  });
}

test('find_node on 200 virtual nodes converges to the true 8 closest from a single seed', () => {
  const net = new SimNetwork(200, 1);
  const rand = rng(99);
  for (let trial = 0; trial < 10; trial++) {
    const target = randomId(rand);
    const r = run(net, 'find_node', target, seedsFrom(net, [trial * 17]), { seed: trial });
    const got = r.lookup.closest().map((c) => hex(c.id!));
    const want = net.trueClosest(target, 8).map((n) => hex(n.contact.id));
    assert.deepEqual(got, want, `trial ${trial}`);
    assert.ok(r.maxActive <= 3, `alpha 3 exceeded: ${r.maxActive}`);
    assert.ok(r.lookup.queries < 60, `too many queries: ${r.lookup.queries}`);
  }
});

test('a bootstrap seed without an id is asked, its id learnt, and the lookup still converges', () => {
  const net = new SimNetwork(200, 2);
  const target = randomId(rng(5));
  const r = run(net, 'find_node', target, seedsFrom(net, [0], false));
  assert.deepEqual(
    r.lookup.closest().map((c) => hex(c.id!)),
    net.trueClosest(target, 8).map((n) => hex(n.contact.id)),
  );
});

test('get_peers collects values from the nodes that store them, streams each peer once, and keeps their tokens', () => {
  const net = new SimNetwork(200, 3);
  const infoHash = randomId(rng(11));
  const storers = net.trueClosest(infoHash, 8);
  // Overlapping peer sets: the lookup must deduplicate.
  storers.forEach((n, i) => n.peers.set(hex(infoHash), [{ host: '192.0.2.1', port: 1000 + i }, { host: '192.0.2.1', port: 1000 }]));
  const r = run(net, 'get_peers', infoHash, seedsFrom(net, [5, 6]));
  const all = r.lookup.peers().map((p) => `${p.host}:${p.port}`);
  assert.equal(new Set(all).size, all.length);
  assert.deepEqual([...all].sort(), Array.from({ length: 8 }, (_, i) => `192.0.2.1:${1000 + i}`).sort());
  assert.deepEqual(r.streamed, all);
  const holders = r.lookup.tokenHolders();
  assert.deepEqual(
    holders.map((h) => hex(h.contact.id)),
    storers.map((n) => hex(n.contact.id)),
  );
  for (const h of holders) assert.equal(Buffer.from(h.token).toString(), `tok-${h.contact.host}`);
});

test('with 25% dead nodes the lookup routes around them: it ends with the 8 closest live nodes it heard of', () => {
  const net = new SimNetwork(200, 4);
  const rand = rng(4);
  for (const n of net.nodes.slice(1)) if (rand() < 0.25) n.dead = true;
  for (let trial = 0; trial < 5; trial++) {
    const target = randomId(rand);
    const r = run(net, 'find_node', target, seedsFrom(net, [0]), { alpha: 4, seed: trial });
    const got = r.lookup.closest().map((c) => hex(c.id!));
    // Answers list dead nodes too, which can crowd a live one out of every answer: what the lookup must guarantee
    // is that it stops only once the 8 closest live nodes it heard of have answered.
    const heard = [...r.reported.values()].sort((a, b) => xorCompare(target, a, b)).slice(0, 8).map(hex);
    assert.deepEqual(got, heard, `trial ${trial}`);
    const truth = new Set(net.trueClosest(target, 8).map((n) => hex(n.contact.id)));
    assert.ok(got.filter((id) => truth.has(id)).length >= 6, `trial ${trial}: far from the true closest`);
    assert.ok(r.maxActive <= 4 + 8, 'slow queries are bounded by the k window');
  }
});

test('higher alpha finishes sooner in virtual time', () => {
  const net = new SimNetwork(200, 6);
  const rand = rng(6);
  for (const n of net.nodes.slice(1)) if (rand() < 0.2) n.dead = true;
  let t1 = 0;
  let t8 = 0;
  for (let trial = 0; trial < 6; trial++) {
    const target = randomId(rand);
    t1 += run(net, 'find_node', target, seedsFrom(net, [0]), { alpha: 1, seed: trial }).elapsed;
    t8 += run(net, 'find_node', target, seedsFrom(net, [0]), { alpha: 8, seed: trial }).elapsed;
  }
  assert.ok(t8 < t1, `alpha 8 took ${t8} ms, alpha 1 took ${t1} ms`);
});

test('maxQueries caps the work whatever the network returns', () => {
  const net = new SimNetwork(200, 8);
  const r = run(net, 'find_node', randomId(rng(8)), seedsFrom(net, [0]), { maxQueries: 5 });
  assert.equal(r.lookup.queries, 5);
  assert.equal(net.nodes.reduce((s, n) => s + n.queries, 0), 5);
});

test('an empty or all-dead seed list finishes at once or after the failures; abort stops a lookup', () => {
  const net = new SimNetwork(20, 9);
  assert.equal(new Lookup({ kind: 'find_node', target: randomId(rng(1)) }, []).done, true);
  for (const n of net.nodes) n.dead = true;
  const r = run(net, 'find_node', randomId(rng(2)), seedsFrom(net, [0, 1, 2]));
  assert.equal(r.lookup.closest().length, 0);
  const l = new Lookup({ kind: 'get_peers', target: randomId(rng(3)) }, seedsFrom(net, [3]));
  assert.equal(l.next().length, 1);
  l.abort();
  assert.equal(l.done, true);
  assert.deepEqual(l.next(), []);
});

test('hostile answers: our own id, bad ports, wrong-length ids and unsolicited responses are ignored', () => {
  const self = randomId(rng(10));
  const target = randomId(rng(12));
  const seed: Contact = { id: randomId(rng(13)), host: '10.9.9.9', port: 6881 };
  const l = new Lookup({ kind: 'get_peers', target, selfId: self }, [seed]);
  assert.deepEqual(l.next(), [seed]);
  // A response from an address we never asked.
  assert.deepEqual(l.onResponse({ host: '10.1.1.1', port: 1 }, { id: randomId(rng(14)), values: [{ host: '1.2.3.4', port: 5 }] }), []);
  const fresh = l.onResponse(seed, {
    id: seed.id!,
    nodes: [
      { id: self, host: '10.0.0.1', port: 1 },
      { id: randomId(rng(15)), host: '10.0.0.2', port: 0 },
      { id: new Uint8Array(19), host: '10.0.0.3', port: 3 },
      { id: randomId(rng(16)), host: '10.0.0.4', port: 4 },
    ],
    values: [{ host: '1.2.3.4', port: 0 }, { host: '1.2.3.4', port: 5 }],
  });
  assert.deepEqual(fresh, [{ host: '1.2.3.4', port: 5 }]);
  assert.deepEqual(l.next().map((c) => c.host), ['10.0.0.4']);
  // A second answer from the same node is ignored.
  assert.deepEqual(l.onResponse(seed, { id: seed.id!, values: [{ host: '5.6.7.8', port: 9 }] }), []);
});
