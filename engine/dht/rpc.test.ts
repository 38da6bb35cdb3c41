import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKrpc, encodeKrpc, type KrpcMessage } from './krpc.js';
import { KrpcRpc, RpcError, type RpcOptions, type RpcReply } from './rpc.js';
import { FakeNet, flush, type FakeEndpoint } from './test-fake-net.js';

const ID_A = new Uint8Array(20).fill(0xaa);
const ID_B = new Uint8Array(20).fill(0xbb);

function setup(opts: Partial<RpcOptions> = {}): { net: FakeNet; a: KrpcRpc; aEp: FakeEndpoint; bEp: FakeEndpoint } {
  const net = new FakeNet(10);
  const aEp = net.endpoint('10.0.0.1', 1000);
  const bEp = net.endpoint('10.0.0.2', 2000);
  const a = new KrpcRpc({ transport: aEp, clock: net.clock, timers: net.scheduler, random: () => new Uint8Array([0, 0]), ...opts });
  return { net, a, aEp, bEp };
}

/** Settles a promise into a value we can assert on without unhandled rejections. */
function settle<T>(p: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const s: { value?: T; error?: unknown; done: boolean } = { done: false };
  p.then(
    (v) => Object.assign(s, { value: v, done: true }),
    (e: unknown) => Object.assign(s, { error: e, done: true }),
  );
  return s;
}

function reply(ep: FakeEndpoint, to: { host: string; port: number }, msg: KrpcMessage): void {
  ep.send(encodeKrpc(msg), to.host, to.port);
}

test('a response from the queried address settles the query; same tid from another address is ignored', async () => {
  const { net, a, aEp, bEp } = setup();
  const impostor = net.endpoint('10.0.0.3', 2000);
  const s = settle<RpcReply>(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await net.run(10);
  assert.equal(aEp.sent.length, 1);
  const q = decodeKrpc(aEp.sent[0].data);
  assert.equal(q.y, 'q');
  assert.deepEqual([...q.clientVersion!].slice(0, 2), [0x54, 0x53]);
  reply(impostor, aEp.address, { y: 'r', tid: q.tid, id: ID_B });
  reply(bEp, aEp.address, { y: 'r', tid: new Uint8Array([9, 9]), id: ID_B });
  await net.run(20);
  assert.equal(s.done, false);
  assert.equal(a.stats.unmatched, 2);
  reply(bEp, aEp.address, { y: 'r', tid: q.tid, id: ID_B, ip: { host: '10.0.0.1', port: 1000 } });
  await net.run(20);
  assert.equal(s.done, true);
  assert.deepEqual(s.value!.response.id, ID_B);
  assert.deepEqual(s.value!.response.ip, { host: '10.0.0.1', port: 1000 });
  assert.deepEqual(s.value!.from, bEp.address);
  assert.equal(s.value!.rttMs, 40);
  assert.equal(a.outstanding, 0);
  a.close();
});

test('no answer: one retry with the same tid after 2 s (onRetry told), then a timeout error after 4 s', async () => {
  const { net, a, aEp, bEp } = setup();
  let retried = 0;
  const s = settle(a.query(bEp.address, { q: 'find_node', id: ID_A, target: ID_B }, { onRetry: () => retried++ }));
  await net.run(1990);
  assert.equal(aEp.sent.length, 1);
  await net.run(20);
  assert.equal(aEp.sent.length, 2);
  assert.equal(retried, 1);
  assert.deepEqual(decodeKrpc(aEp.sent[1].data).tid, decodeKrpc(aEp.sent[0].data).tid);
  assert.equal(s.done, false);
  await net.run(2000);
  assert.equal(s.done, true);
  assert.ok(s.error instanceof RpcError && s.error.reason === 'timeout');
  assert.equal(a.stats.timeouts, 1);
  assert.equal(net.scheduler.pending, 0, 'no timer left behind');
  a.close();
});

test('a late answer to the first attempt still counts after the retry', async () => {
  const { net, a, aEp, bEp } = setup();
  const s = settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await net.run(2100);
  assert.equal(aEp.sent.length, 2);
  reply(bEp, aEp.address, { y: 'r', tid: decodeKrpc(aEp.sent[0].data).tid, id: ID_B });
  await net.run(20);
  assert.equal(s.done, true);
  assert.equal(s.error, undefined);
  a.close();
});

test('error replies and malformed replies reject the query with their reason', async () => {
  const { net, a, aEp, bEp } = setup();
  const s1 = settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  const s2 = settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await net.run(10);
  reply(bEp, aEp.address, { y: 'e', tid: decodeKrpc(aEp.sent[0].data).tid, code: 201, message: 'go away' });
  // A response whose `nodes` is not a multiple of 26 bytes: decodable envelope, bad body.
  const tid2 = decodeKrpc(aEp.sent[1].data).tid;
  bEp.send(Buffer.concat([Buffer.from('d1:rd2:id20:'), Buffer.from(ID_B), Buffer.from('5:nodes3:abce1:t2:'), Buffer.from(tid2), Buffer.from('1:y1:re')]), '10.0.0.1', 1000);
  await net.run(20);
  assert.ok(s1.error instanceof RpcError && s1.error.reason === 'remote-error' && s1.error.code === 201);
  assert.ok(s2.error instanceof RpcError && s2.error.reason === 'malformed', String(s2.error));
  a.close();
});

test('the outstanding cap rejects at once; close() rejects what is outstanding and leaves no timers', async () => {
  const { net, a, bEp } = setup({ maxOutstanding: 3 });
  const held = [0, 1, 2].map(() => settle(a.query(bEp.address, { q: 'ping', id: ID_A })));
  const over = settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await flush();
  assert.ok(over.error instanceof RpcError && over.error.reason === 'overloaded');
  a.close();
  await flush();
  for (const h of held) assert.ok(h.error instanceof RpcError && h.error.reason === 'closed');
  const after = settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await flush();
  assert.ok(after.error instanceof RpcError && after.error.reason === 'closed');
  await net.run(100);
  assert.equal(net.scheduler.pending, 0);
});

test('outgoing queries over the rate wait in a queue and go out as tokens come', async () => {
  const { net, a, aEp, bEp } = setup({ queriesPerSecond: 10 });
  for (let i = 0; i < 25; i++) settle(a.query(bEp.address, { q: 'ping', id: ID_A }));
  await flush();
  assert.equal(aEp.sent.length, 10);
  assert.equal(a.stats.queued, 15);
  await net.run(500);
  assert.ok(aEp.sent.length >= 14 && aEp.sent.length <= 16, `sent ${aEp.sent.length}`);
  await net.run(1000);
  assert.equal(aEp.sent.length, 25, 'all 25 out within 1.5 s at 10/s plus a burst of 10 (no retries before 2 s)');
  assert.equal(new Set(aEp.sent.slice(0, 25).map((s) => Buffer.from(decodeKrpc(s.data).tid).toString('hex'))).size, 25);
  a.close();
});

test('incoming queries: answered with tid, ip (BEP 42) and version; the excess over the rate is dropped; malformed get 203', async () => {
  const { net, a, aEp, bEp } = setup({ incomingPerSecond: 5 });
  a.onQuery((q, from) => {
    assert.equal(from.host, '10.0.0.2');
    return q.q === 'ping' ? { y: 'r', body: { id: ID_A } } : { y: 'e', code: 204, message: 'no' };
  });
  for (let i = 0; i < 20; i++) reply(bEp, aEp.address, { y: 'q', q: 'ping', tid: new Uint8Array([i]), id: ID_B });
  const answers: KrpcMessage[] = [];
  bEp.onMessage((d) => answers.push(decodeKrpc(d)));
  await net.run(30);
  assert.equal(answers.length, 5);
  assert.equal(a.stats.droppedIncoming, 15);
  const first = answers[0];
  assert.equal(first.y, 'r');
  assert.deepEqual(first.tid, new Uint8Array([0]));
  assert.deepEqual(first.ip, { host: '10.0.0.2', port: 2000 });
  assert.ok(first.clientVersion);
  await net.run(1000);
  // A query with a bad id length: error 203 with its tid.
  bEp.send(Buffer.from('d1:ad2:id3:abce1:q4:ping1:t2:xy1:y1:qe'), '10.0.0.1', 1000);
  await net.run(30);
  const last = answers[answers.length - 1];
  assert.equal(last.y, 'e');
  if (last.y === 'e') assert.equal(last.code, 203);
  assert.equal(Buffer.from(last.tid).toString(), 'xy');
  // Garbage is ignored, never thrown.
  bEp.send(Buffer.from('not bencode at all'), '10.0.0.1', 1000);
  await net.run(30);
  a.close();
});
