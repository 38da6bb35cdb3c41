/**
 * Fuzz: the connection state machine under hostile and broken networks. Random and mutated packets (some with the
 * right connection id, so they reach the state machine) are injected into live connections over links that drop,
 * duplicate and reorder. Whatever happens, nothing throws, and within bounded time the transfer either completes
 * or both ends close: never a connection stuck forever.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimNetwork, concat, payload } from './test-sim.js';
import { byteEdits, mutate } from '../../wire/test-mutate.js';

const RUNS = Number(process.env.UTP_FUZZ_RUNS ?? 40);
const SEC = 1_000_000;
const SIZE = 60_000;

const link = fc.record({
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  delayMicros: fc.integer({ min: 0, max: 80_000 }),
  jitterMicros: fc.integer({ min: 0, max: 60_000 }),
  loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  initiatorSeq: fc.integer({ min: 0, max: 0xffff }),
  acceptorSeq: fc.integer({ min: 0, max: 0xffff }),
});

const injection = fc.record({
  atMs: fc.integer({ min: 0, max: 20_000 }),
  to: fc.constantFrom<'a' | 'b'>('a', 'b'),
  kind: fc.oneof(
    fc.record({ random: fc.uint8Array({ minLength: 0, maxLength: 80 }) }),
    fc.record({ replay: fc.nat(), edits: byteEdits }),
    // A well-formed header with the victim's connection id and random fields: reaches the state machine.
    fc.record({ type: fc.integer({ min: 0, max: 4 }), fields: fc.uint8Array({ minLength: 16, maxLength: 16 }), tail: fc.uint8Array({ maxLength: 40 }) }),
  ),
});

type Link = typeof link extends fc.Arbitrary<infer T> ? T : never;
type Injection = typeof injection extends fc.Arbitrary<infer T> ? T : never;

function run(l: Link, injections: Injection[] = []) {
  const net = new SimNetwork({ ...l, conn: { idleTimeoutMicros: 15 * SEC, keepAliveMicros: 4 * SEC, maxTimeouts: 4 } });
  const seen: Uint8Array[] = [];
  net.tap = (_to, d) => {
    if (seen.length < 200) seen.push(d);
    return d;
  };
  const data = payload(SIZE, 3);
  const queue = [...injections].sort((x, y) => x.atMs - y.atMs);
  const start = net.now;
  let written = false;
  net.connect();
  const finished = net.run(() => {
    while (queue.length > 0 && net.now - start >= queue[0]!.atMs * 1000) {
      const inj = queue.shift()!;
      net.inject(inj.to, forge(inj, seen, net));
    }
    if (!written && net.a.conn?.state === 'connected') {
      written = true;
      net.a.conn.write(data);
      net.a.conn.end(net.now);
    }
    const done = net.b.receivedBytes >= SIZE && net.a.closedReason !== null && net.b.closedReason !== null;
    const bothClosed = (net.a.closedReason !== null || net.a.conn === null) && (net.b.closedReason !== null || net.b.conn === null);
    return done || bothClosed;
  }, 300 * SEC);
  return { net, data, finished };
}

function forge(inj: Injection, seen: Uint8Array[], net: SimNetwork): Uint8Array {
  const k = inj.kind;
  if ('random' in k) return k.random;
  if ('replay' in k) return seen.length === 0 ? new Uint8Array(0) : mutate(seen[k.replay % seen.length]!, k.edits);
  const victim = inj.to === 'a' ? net.a.conn : net.b.conn;
  const id = victim ? victim.recvId : 0;
  const out = new Uint8Array(20 + k.tail.length);
  out[0] = (k.type << 4) | 1;
  out[1] = 0;
  out[2] = id >> 8;
  out[3] = id & 0xff;
  out.set(k.fields, 4);
  out.set(k.tail, 20);
  return out;
}

test('fuzz: drops, duplicates and reordering: the transfer completes byte for byte, or both ends close', () => {
  fc.assert(
    fc.property(link, (l) => {
      const { net, data, finished } = run(l);
      assert.ok(finished, `stuck: a=${net.a.conn?.state}/${net.a.closedReason} b=${net.b.conn?.state}/${net.b.closedReason}, ${net.b.receivedBytes} bytes`);
      const got = concat(net.b.received);
      assert.deepEqual(got, Buffer.from(data).subarray(0, got.length), 'what arrived is exactly what was sent');
      if (l.loss < 0.15) assert.equal(got.length, SIZE, 'a link losing under 15% completes');
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: random, mutated and forged packets injected into live connections: no throw, never stuck', () => {
  fc.assert(
    fc.property(link, fc.array(injection, { minLength: 1, maxLength: 40 }), (l, injections) => {
      const { net, finished } = run(l, injections);
      assert.ok(finished, `stuck: a=${net.a.conn?.state}/${net.a.closedReason} b=${net.b.conn?.state}/${net.b.closedReason}, ${net.b.receivedBytes} bytes`);
    }),
    { numRuns: RUNS },
  );
});
