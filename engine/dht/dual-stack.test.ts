// BEP 32: an IPv6 DHT beside the IPv4 one, each node with its own table and id, on the in-memory network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKrpc, encodeKrpc, type KrpcMessage } from './krpc.js';
import { DhtNode, type DhtNodeOptions, type PeerAddress } from './node.js';
import { isValidNodeIdFor } from './node-id.js';
import { dhtBindHosts, DualStackDht, splitState } from './dual-stack.js';
import { FakeNet } from './test-fake-net.js';
import { rng } from './test-sim-network.js';

const PORT = 6881;

function randomFrom(seed: number): (n: number) => Uint8Array {
  const r = rng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

const v4Host = (i: number): string => `10.0.0.${i + 1}`;
const v6Host = (i: number): string => `2001:db8::${(i + 1).toString(16)}`;

interface Net {
  net: FakeNet;
  seed: number;
  all: DhtNode[];
}

function newNet(): Net {
  return { net: new FakeNet(10), seed: 1, all: [] };
}

function node(n: Net, host: string, family: 4 | 6, opts: Partial<DhtNodeOptions> = {}): DhtNode {
  const d = new DhtNode({ transport: n.net.endpoint(host, PORT), family, clock: n.net.clock, timers: n.net.scheduler, random: randomFrom(n.seed++), bootstrap: [], ...opts });
  n.all.push(d);
  return d;
}

/** `size` nodes of one family, each bootstrapped from the first (plus an address of the other family, to be ignored). */
async function swarm(n: Net, family: 4 | 6, size: number): Promise<DhtNode[]> {
  const hostOf = family === 4 ? v4Host : v6Host;
  const other = family === 4 ? v6Host(0) : v4Host(0);
  const nodes = [node(n, hostOf(0), family)];
  for (let i = 1; i < size; i++) {
    const d = node(n, hostOf(i), family, { bootstrap: [{ host: other, port: PORT }, { host: hostOf(0), port: PORT }] });
    nodes.push(d);
    void d.start();
    await n.net.run(50);
  }
  await n.net.run(3000);
  for (const d of nodes.slice(1)) void d.start();
  await n.net.run(3000);
  return nodes;
}

async function closeAll(n: Net): Promise<void> {
  for (const d of n.all) await d.close();
}

test('an IPv6 swarm joins over IPv6 only: want n6 in its queries, nodes6 in the replies, IPv6 nodes in every table', async () => {
  const n = newNet();
  // A spy next to the swarm: it answers nothing, only records what a joining node asks it.
  const spy = n.net.endpoint('2001:db8::ff', PORT);
  const asked: KrpcMessage[] = [];
  spy.onMessage((d) => asked.push(decodeKrpc(d)));
  try {
    const nodes = await swarm(n, 6, 20);
    for (const d of nodes) {
      assert.ok(d.nodeCount >= 8, `an IPv6 node knows only ${d.nodeCount} nodes`);
      const table = d.save();
      assert.ok(table.nodes.every((x) => x.host.includes(':')), `IPv6 table holds ${JSON.stringify(table.nodes.map((x) => x.host))}`);
    }
    // The IPv4 bootstrap address was never contacted (nothing listens there: the packets would be lost silently,
    // so count what the IPv4 host would have received by listening on it).
    const v4 = n.net.endpoint(v4Host(0), PORT);
    const got: Uint8Array[] = [];
    v4.onMessage((d) => got.push(d));
    const late = node(n, v6Host(40), 6, { bootstrap: [{ host: v4Host(0), port: PORT }, { host: '2001:db8::ff', port: PORT }, { host: v6Host(0), port: PORT }] });
    void late.start();
    await n.net.run(3000);
    assert.equal(got.length, 0, 'the IPv6 node sent nothing to an IPv4 address');
    const q = asked.find((m) => m.y === 'q' && m.q === 'find_node');
    assert.ok(q && q.y === 'q' && q.q === 'find_node', 'the spy was asked find_node');
    assert.deepEqual(q.want, ['n6']);
    assert.ok(late.nodeCount >= 8, `the late node learnt ${late.nodeCount} nodes from nodes6 replies`);
  } finally {
    await closeAll(n);
  }
});

test('announce_peer over IPv6 stores an IPv6 peer; a get_peers over IPv6 returns it, one over IPv4 never does', async () => {
  const n = newNet();
  try {
    const six = await swarm(n, 6, 16);
    const infoHash = new Uint8Array(20).fill(0x66);
    const ann = six[3].announce(infoHash, 51413);
    await n.net.run(2000);
    assert.ok((await ann).announcedTo >= 6);
    const lp = six[11].lookupPeers(infoHash);
    await n.net.run(2000);
    assert.deepEqual((await lp).peers, [{ host: v6Host(3), port: 51413 }]);
    // An IPv4 querier asking the IPv6 node that stores it (a node answers by the querier's family) gets no values.
    const holder = six.find((d) => d.stats().storedPeers > 0);
    assert.ok(holder);
    const holderIdx = six.indexOf(holder);
    const ep4 = n.net.endpoint('10.9.9.9', 1234);
    const ep6 = n.net.endpoint('2001:db8::99', 1234);
    const replies: KrpcMessage[] = [];
    ep4.onMessage((d) => replies.push(decodeKrpc(d)));
    ep6.onMessage((d) => replies.push(decodeKrpc(d)));
    const me = new Uint8Array(20).fill(9);
    ep4.send(encodeKrpc({ y: 'q', q: 'get_peers', tid: new Uint8Array([1]), id: me, infoHash }), v6Host(holderIdx), PORT);
    ep6.send(encodeKrpc({ y: 'q', q: 'get_peers', tid: new Uint8Array([2]), id: me, infoHash }), v6Host(holderIdx), PORT);
    await n.net.run(50);
    const r4 = replies.find((m) => m.tid[0] === 1);
    const r6 = replies.find((m) => m.tid[0] === 2);
    assert.ok(r4 && r4.y === 'r' && r4.values === undefined, JSON.stringify(r4));
    assert.ok(r6 && r6.y === 'r');
    assert.deepEqual(r6.values, [{ host: v6Host(3), port: 51413 }]);
    // No `want`: the IPv6 node answers with nodes6 (its family), never `nodes`.
    assert.ok((r6.nodes6?.length ?? 0) > 0 && r6.nodes === undefined);
  } finally {
    await closeAll(n);
  }
});

test('paired nodes answer `want` for both families from both tables; an unpaired node answers with its own family', async () => {
  const n = newNet();
  try {
    const four = await swarm(n, 4, 10);
    const six = await swarm(n, 6, 10);
    const dual = new DualStackDht(four[4], six[4]);
    const ep = n.net.endpoint('10.9.9.9', 1234);
    const replies: KrpcMessage[] = [];
    ep.onMessage((d) => replies.push(decodeKrpc(d)));
    const me = new Uint8Array(20).fill(9);
    const target = new Uint8Array(20).fill(0x31);
    ep.send(encodeKrpc({ y: 'q', q: 'find_node', tid: new Uint8Array([1]), id: me, target, want: ['n4', 'n6'] }), v4Host(4), PORT);
    ep.send(encodeKrpc({ y: 'q', q: 'find_node', tid: new Uint8Array([2]), id: me, target, want: ['n6'] }), v4Host(4), PORT);
    ep.send(encodeKrpc({ y: 'q', q: 'find_node', tid: new Uint8Array([3]), id: me, target, want: ['n6'] }), v4Host(5), PORT);
    await n.net.run(50);
    const both = replies.find((m) => m.tid[0] === 1);
    assert.ok(both && both.y === 'r');
    assert.equal(both.nodes?.length, 8);
    assert.equal(both.nodes6?.length, 8);
    assert.ok(both.nodes.every((x) => !x.host.includes(':')) && both.nodes6.every((x) => x.host.includes(':')));
    const only6 = replies.find((m) => m.tid[0] === 2);
    assert.ok(only6 && only6.y === 'r' && only6.nodes === undefined && only6.nodes6?.length === 8);
    const unpaired = replies.find((m) => m.tid[0] === 3);
    assert.ok(unpaired && unpaired.y === 'r' && unpaired.nodes6 === undefined && unpaired.nodes?.length === 8, 'no IPv6 node here: IPv4 nodes rather than none');
    assert.equal(dual.nodeCount, four[4].nodeCount + six[4].nodeCount);
    assert.equal(dual.nodeCount6, six[4].nodeCount);
  } finally {
    await closeAll(n);
  }
});

test('a tracked torrent is looked up on both families; the peers of both reach the torrent', async () => {
  const n = newNet();
  try {
    const four = await swarm(n, 4, 12);
    const six = await swarm(n, 6, 12);
    const infoHash = new Uint8Array(20).fill(0x77);
    const a4 = four[2].announce(infoHash, 4444);
    const a6 = six[2].announce(infoHash, 6666);
    await n.net.run(2000);
    await Promise.all([a4, a6]);
    const dual = new DualStackDht(four[9], six[9]);
    const found: PeerAddress[] = [];
    const handle = dual.track(infoHash, { port: 7777, onPeers: (ps) => found.push(...ps) });
    await n.net.run(3000);
    handle.stop();
    const keys = found.map((p) => `${p.host}|${p.port}`).sort();
    assert.deepEqual(keys, [`${v4Host(2)}|4444`, `${v6Host(2)}|6666`]);
    // And our own announce landed on each family with that family's address.
    const lp4 = four[5].lookupPeers(infoHash);
    const lp6 = six[5].lookupPeers(infoHash);
    await n.net.run(2000);
    assert.ok((await lp4).peers.some((p) => p.host === v4Host(9) && p.port === 7777));
    assert.ok((await lp6).peers.some((p) => p.host === v6Host(9) && p.port === 7777));
    const merged = dual.lookupPeers(infoHash);
    await n.net.run(2000);
    assert.equal((await merged).peers.length, 4);
  } finally {
    await closeAll(n);
  }
});

test('both tables are saved in one state (the IPv6 one under v6) and each node restarts from its own', async () => {
  const n = newNet();
  try {
    const four = await swarm(n, 4, 10);
    const six = await swarm(n, 6, 10);
    const state = JSON.parse(JSON.stringify(new DualStackDht(four[3], six[3]).save())) as unknown;
    const { v4, v6 } = splitState(state);
    const r4 = node(n, '10.1.0.1', 4, { state: v4 });
    const r6 = node(n, '2001:db8:1::1', 6, { state: v6 });
    assert.deepEqual(r4.id, four[3].id);
    assert.deepEqual(r6.id, six[3].id);
    assert.equal(r4.nodeCount, four[3].nodeCount);
    assert.equal(r6.nodeCount, six[3].nodeCount);
    // An IPv4-only save of an older build: the IPv4 table, and no IPv6 one (which then bootstraps afresh).
    const old = splitState(four[3].save());
    assert.ok(old.v4 !== undefined && old.v6 === undefined);
    // A save with only an IPv6 node: no IPv4 table to load.
    const only6 = splitState(JSON.parse(JSON.stringify(new DualStackDht(null, six[3]).save())));
    assert.ok(only6.v4 === undefined && only6.v6 !== undefined);
    assert.deepEqual(splitState('garbage'), { v4: undefined, v6: undefined });
  } finally {
    await closeAll(n);
  }
});

test('BEP 42 per family: an IPv6 node takes an id for its IPv6 address and ignores an IPv4 one', async () => {
  const n = newNet();
  try {
    const withV6 = node(n, '2001:db8::10', 6, { externalIp: '2001:4860::1' });
    assert.ok(isValidNodeIdFor(withV6.id, '2001:4860::1'));
    assert.equal(withV6.externalIp, '2001:4860::1');
    const withV4 = node(n, '2001:db8::11', 6, { externalIp: '8.8.8.8' });
    assert.equal(withV4.externalIp, null);
    assert.throws(() => withV6.pairWith(withV4), /other address family/);
  } finally {
    await closeAll(n);
  }
});

test('where each family binds, from the listen address', () => {
  assert.deepEqual(dhtBindHosts(undefined), { v4: '0.0.0.0', v6: '::' });
  assert.deepEqual(dhtBindHosts('::'), { v4: '0.0.0.0', v6: '::' });
  assert.deepEqual(dhtBindHosts('127.0.0.1'), { v4: '127.0.0.1', v6: '::1' });
  assert.deepEqual(dhtBindHosts('::1'), { v4: '127.0.0.1', v6: '::1' });
  assert.deepEqual(dhtBindHosts('192.168.1.5'), { v4: '192.168.1.5', v6: null });
  assert.deepEqual(dhtBindHosts('2001:db8::5'), { v4: null, v6: '2001:db8::5' });
  assert.throws(() => dhtBindHosts('example.org'), /must be an IP address/);
});
