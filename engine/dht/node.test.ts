import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKrpc, decodeKrpc, type KrpcMessage } from './krpc.js';
import { DhtNode, type DhtNodeOptions, type PeerAddress } from './node.js';
import { isValidNodeIdFor } from './node-id.js';
import { FakeNet, type FakeEndpoint } from './test-fake-net.js';
import { rng } from './test-sim-network.js';

const PORT = 6881;

/** Deterministic random bytes for a node. */
function randomFrom(seed: number): (n: number) => Uint8Array {
  const r = rng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

interface Swarm {
  net: FakeNet;
  nodes: DhtNode[];
  endpoints: FakeEndpoint[];
  add(host: string, opts?: Partial<DhtNodeOptions>): DhtNode;
  close(): Promise<void>;
}

/** `size` nodes on the fake network, each bootstrapped from the first, all joined. */
async function swarm(size: number, hostOf: (i: number) => string = (i) => `10.0.0.${i + 1}`): Promise<Swarm> {
  const net = new FakeNet(10);
  const nodes: DhtNode[] = [];
  const endpoints: FakeEndpoint[] = [];
  let seed = 1;
  const first = { host: hostOf(0), port: PORT };
  const s: Swarm = {
    net,
    nodes,
    endpoints,
    add(host, opts = {}) {
      const ep = net.endpoint(host, PORT);
      const node = new DhtNode({
        transport: ep,
        clock: net.clock,
        timers: net.scheduler,
        random: randomFrom(seed++),
        bootstrap: host === first.host ? [] : [first],
        ...opts,
      });
      nodes.push(node);
      endpoints.push(ep);
      return node;
    },
    async close() {
      for (const n of nodes) await n.close();
    },
  };
  s.add(first.host);
  for (let i = 1; i < size; i++) {
    void s.add(hostOf(i)).start();
    await net.run(50);
  }
  await net.run(3000);
  // A second round so early joiners learn about later ones (as bucket refreshes would, in time).
  for (const n of nodes.slice(1)) void n.start();
  await net.run(3000);
  return s;
}

async function collect(it: AsyncIterable<PeerAddress>, net: FakeNet): Promise<string[]> {
  const out: string[] = [];
  const done = (async () => {
    for await (const p of it) out.push(`${p.host}:${p.port}`);
  })();
  let finished = false;
  void done.then(() => (finished = true));
  for (let i = 0; i < 100 && !finished; i++) await net.run(100);
  assert.ok(finished, 'getPeers did not end');
  return out.sort();
}

test('30 nodes join through one bootstrap node; an announced peer is found by another node', async () => {
  const s = await swarm(30);
  try {
    for (const n of s.nodes) assert.ok(n.nodeCount >= 8, `a node knows only ${n.nodeCount} nodes`);
    const infoHash = new Uint8Array(20).fill(0x42);
    const ann = s.nodes[7].announce(infoHash, 51413);
    await s.net.run(2000);
    const res = await ann;
    assert.ok(res.announcedTo >= 6, `announced to ${res.announcedTo}`);
    assert.deepEqual(await collect(s.nodes[21].getPeers(infoHash), s.net), ['10.0.0.8:51413']);
    // The callback form sees the same.
    const seen: PeerAddress[] = [];
    const lp = s.nodes[12].lookupPeers(infoHash, (ps) => seen.push(...ps));
    await s.net.run(2000);
    const r = await lp;
    assert.deepEqual(r.peers, [{ host: '10.0.0.8', port: 51413 }]);
    assert.deepEqual(seen, r.peers);
    assert.equal(r.closest, 8);
  } finally {
    await s.close();
  }
});

test('announce_peer needs a token the node issued to that address; bad tokens are refused with 203', async () => {
  const s = await swarm(3);
  try {
    const target = s.nodes[1];
    const ep = s.net.endpoint('10.9.9.9', 1234);
    const replies: KrpcMessage[] = [];
    ep.onMessage((d) => replies.push(decodeKrpc(d)));
    const send = (m: KrpcMessage): void => ep.send(encodeKrpc(m), '10.0.0.2', PORT);
    const me = new Uint8Array(20).fill(9);
    const ih = new Uint8Array(20).fill(7);
    send({ y: 'q', q: 'announce_peer', tid: new Uint8Array([1]), id: me, infoHash: ih, port: 999, token: new Uint8Array(8), impliedPort: false });
    send({ y: 'q', q: 'get_peers', tid: new Uint8Array([2]), id: me, infoHash: ih });
    await s.net.run(50);
    const err = replies.find((m) => m.tid[0] === 1);
    assert.ok(err && err.y === 'e' && err.code === 203);
    const gp = replies.find((m) => m.tid[0] === 2);
    assert.ok(gp && gp.y === 'r' && gp.token && gp.values === undefined && (gp.nodes?.length ?? 0) > 0);
    // The token from 10.9.9.9:1234 works for it (implied port: the UDP source port is stored)...
    send({ y: 'q', q: 'announce_peer', tid: new Uint8Array([3]), id: me, infoHash: ih, port: 0, token: gp.token!, impliedPort: true });
    // ...and not for another address.
    s.net.endpoint('10.9.9.10', 1234).send(encodeKrpc({ y: 'q', q: 'announce_peer', tid: new Uint8Array([4]), id: me, infoHash: ih, port: 5, token: gp.token!, impliedPort: false }), '10.0.0.2', PORT);
    await s.net.run(50);
    const ok = replies.find((m) => m.tid[0] === 3);
    assert.ok(ok && ok.y === 'r', JSON.stringify(ok));
    assert.equal(target.stats().storedPeers, 1);
    send({ y: 'q', q: 'get_peers', tid: new Uint8Array([5]), id: me, infoHash: ih });
    await s.net.run(50);
    const gp2 = replies.find((m) => m.tid[0] === 5);
    assert.ok(gp2 && gp2.y === 'r');
    assert.deepEqual(gp2.values, [{ host: '10.9.9.9', port: 1234 }]);
    // Unknown methods: 204.
    send({ y: 'q', q: 'unknown', method: 'vote', tid: new Uint8Array([6]), id: me, args: new Map() });
    await s.net.run(50);
    const unk = replies.find((m) => m.tid[0] === 6);
    assert.ok(unk && unk.y === 'e' && unk.code === 204);
  } finally {
    await s.close();
  }
});

test('save() / state: a node restarts with its id and nodes, and rejoins without a bootstrap node', async () => {
  const s = await swarm(12);
  try {
    const saved = JSON.parse(JSON.stringify(s.nodes[5].save())) as unknown;
    await s.nodes[5].close();
    s.endpoints[5].close();
    const again = s.add('10.0.0.6', { state: saved, bootstrap: [] });
    assert.equal(Buffer.from(again.id).toString('hex'), (saved as { id: string }).id);
    assert.ok(again.nodeCount >= 8);
    void again.start();
    await s.net.run(3000);
    assert.ok(again.nodeCount >= 8);
    assert.ok(again.stats().rpc.received > 0);
    // Garbage state: a fresh random id, no crash.
    const fresh = s.add('10.0.0.99', { state: { version: 7 } });
    assert.equal(fresh.nodeCount, 0);
  } finally {
    await s.close();
  }
});

test('track() announces at once and again every interval until stopped', async () => {
  const s = await swarm(10);
  try {
    const node = s.add('10.0.0.50', { announceIntervalMs: 60_000 });
    void node.start();
    await s.net.run(2000);
    const ih = new Uint8Array(20).fill(0x11);
    const found: PeerAddress[] = [];
    const h = node.track(ih, { port: 7000, onPeers: (ps) => found.push(...ps) });
    const storedAt = (): number => s.nodes.filter((n) => n !== node).reduce((a, n) => a + n.stats().storedPeers, 0);
    await s.net.run(3000);
    const first = storedAt();
    assert.ok(first >= 6, `stored at ${first} nodes`);
    // Another node announces; our next cycle reports it.
    const other = s.nodes[3].announce(ih, 8000);
    await s.net.run(3000);
    await other;
    assert.equal(found.length, 0);
    await s.net.run(60_000);
    // Our own announce comes back too (the torrent drops it by peer id, as it does for tracker peers).
    assert.deepEqual(
      found.map((p) => `${p.host}:${p.port}`).sort(),
      ['10.0.0.4:8000', '10.0.0.50:7000'],
    );
    h.stop();
    const sent = node.stats().rpc.sent;
    await s.net.run(120_000);
    // Only maintenance traffic (bucket refresh) after stop: no get_peers rounds of 10+ queries every minute.
    assert.ok(node.stats().rpc.sent - sent < 40, `sent ${node.stats().rpc.sent - sent} after stop`);
  } finally {
    await s.close();
  }
});

test('BEP 42: a node whose responders agree on a public external IP takes an id valid for it', async () => {
  const s = await swarm(8, (i) => `198.51.100.${i + 1}`);
  try {
    const given = s.add('198.51.100.77', { externalIp: '198.51.100.77' });
    assert.ok(isValidNodeIdFor(given.id, '198.51.100.77'));
    const node = s.add('198.51.100.50');
    assert.equal(node.externalIp, null);
    const before = Buffer.from(node.id).toString('hex');
    void node.start();
    await s.net.run(3000);
    assert.equal(node.externalIp, '198.51.100.50');
    assert.notEqual(Buffer.from(node.id).toString('hex'), before);
    assert.ok(isValidNodeIdFor(node.id, '198.51.100.50'));
    assert.ok(node.nodeCount > 0, 'kept its nodes across the id change');
  } finally {
    await s.close();
  }
});

test('close() stops timers and outstanding queries; lookups after close end at once', async () => {
  const s = await swarm(4);
  const node = s.nodes[2];
  const lp = node.lookupPeers(new Uint8Array(20).fill(1));
  await s.close();
  await s.net.run(100);
  const r = await lp;
  assert.ok(r.peers.length === 0);
  await s.net.run(10_000);
  assert.equal(s.net.scheduler.pending, 0);
});
