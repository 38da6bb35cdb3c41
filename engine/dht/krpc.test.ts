import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { encode, type Encodable } from '../bencode/index.js';
import { decodeKrpc, encodeKrpc, errorReply, KrpcError, KrpcErrorCode, nodesOfFamily, type KrpcMessage } from './krpc.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLES = path.resolve(repoRoot, '..', 'shared', 'corpus', 'dht-krpc-samples.json');

interface Sample {
  name: string;
  bencoded_hex: string;
  canonical_bencode: boolean;
}
function loadSamples(): Sample[] {
  if (!existsSync(SAMPLES)) {
    throw new Error(`DHT corpus not found at ${SAMPLES}: these tests need the shared conformance corpus (shared/corpus/dht-krpc-samples.json next to the repo)`);
  }
  return (JSON.parse(readFileSync(SAMPLES, 'utf8')) as { krpc_messages: Sample[] }).krpc_messages;
}

const te = new TextEncoder();
const b = (s: string): Uint8Array => te.encode(s);
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const ID_A = b('abcdefghij0123456789');
const ID_M = b('mnopqrstuvwxyz123456');
const AA = b('aa');
const T10 = b('10');

function throwsKrpc(buf: Uint8Array, match?: RegExp): KrpcError {
  try {
    decodeKrpc(buf);
  } catch (err) {
    assert.ok(err instanceof KrpcError, `expected KrpcError, got ${String(err)}`);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail('expected a KrpcError');
}

/** What each corpus sample must decode to ('reject' = KrpcError). Every sample must be listed. */
const expected: Record<string, KrpcMessage | 'reject' | ((m: KrpcMessage) => void)> = {
  'ping query': { y: 'q', q: 'ping', tid: AA, id: ID_A },
  'ping response': { y: 'r', tid: AA, id: ID_M },
  'find_node query': { y: 'q', q: 'find_node', tid: AA, id: ID_A, target: ID_M },
  'find_node response (2 compact nodes)': {
    y: 'r',
    tid: AA,
    id: b('0123456789abcdefghij'),
    nodes: [
      { id: ID_M, host: '1.2.3.4', port: 6881 },
      { id: b('0123456789abcdefghij'), host: '10.0.0.1', port: 1337 },
    ],
  },
  'get_peers query': { y: 'q', q: 'get_peers', tid: AA, id: ID_A, infoHash: ID_M },
  'get_peers response with values': {
    y: 'r',
    tid: AA,
    id: ID_A,
    token: b('aoeusnth'),
    values: [
      { host: '97.120.106.101', port: 11893 },
      { host: '105.100.104.116', port: 28269 },
    ],
  },
  'announce_peer query with implied_port': { y: 'q', q: 'announce_peer', tid: AA, id: ID_A, infoHash: ID_M, port: 6881, token: b('aoeusnth'), impliedPort: true },
  'announce_peer response': { y: 'r', tid: AA, id: ID_M },
  'error response': { y: 'e', tid: AA, code: 201, message: 'A Generic Error Ocurred' },
  'find_node missing target -> error (libtorrent)': { y: 'e', tid: T10, code: 203, message: "missing 'target' key" },
  'node-id enforcement error (libtorrent)': { y: 'e', tid: T10, code: 203, message: 'invalid node ID' },
  "malformed error message: 'e' is a string, not a list": 'reject',
  "ping query as libtorrent's test harness sends it": { y: 'q', q: 'ping', tid: T10, id: new Uint8Array(20) },
  'BEP 44 immutable put query (shape)': (m) => {
    assert.equal(m.y, 'q');
    assert.ok(m.y === 'q' && m.q === 'unknown');
    assert.equal(m.method, 'put');
    assert.deepEqual(m.id, ID_A);
    assert.deepEqual(m.args.get('v'), b('Hello World!'));
  },
  'BEP 44 mutable put query (test vector 1)': (m) => {
    assert.ok(m.y === 'q' && m.q === 'unknown' && m.method === 'put');
    assert.equal(m.args.get('seq'), 1);
    assert.deepEqual(m.args.get('k'), hex('77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548'));
  },
  // libtorrent's verify_message schema samples are not KRPC messages (no t / y).
  'verify_message sample 1 (libtorrent)': 'reject',
  'verify_message sample 3 (libtorrent)': 'reject',
  'verify_message sample 4 (libtorrent)': 'reject',
  'verify_message sample 5 (libtorrent)': 'reject',
};

test('corpus: every KRPC sample decodes as expected, and re-encodes to the same bytes', () => {
  const samples = loadSamples();
  assert.ok(samples.length >= 19, `only ${samples.length} samples`);
  let decoded = 0;
  let rejected = 0;
  for (const s of samples) {
    const want = expected[s.name];
    assert.ok(want !== undefined, `corpus sample '${s.name}' has no expectation in this test: add one`);
    const bytes = hex(s.bencoded_hex);
    if (want === 'reject') {
      throwsKrpc(bytes);
      rejected++;
      continue;
    }
    const msg = decodeKrpc(bytes);
    if (typeof want === 'function') want(msg);
    else assert.deepEqual(msg, want, s.name);
    if (s.canonical_bencode) assert.deepEqual(Buffer.from(encodeKrpc(msg)).toString('hex'), s.bencoded_hex, `${s.name} re-encodes`);
    decoded++;
  }
  assert.equal(decoded + rejected, samples.length);
  assert.equal(rejected, 5);
});

test('strict checks: lengths, types, ranges', () => {
  const q = (a: Record<string, Encodable>, method = 'ping', extra: Record<string, Encodable> = {}): Uint8Array => encode({ t: 'aa', y: 'q', q: method, a, ...extra });
  throwsKrpc(q({ id: b('short') }), /'id' in a must be 20 bytes/);
  throwsKrpc(q({ id: 5 }), /not a byte string/);
  throwsKrpc(q({ id: ID_A }, 'find_node'), /missing 'target'/);
  throwsKrpc(q({ id: ID_A, info_hash: b('x'.repeat(19)) }, 'get_peers'), /'info_hash' in a must be 20/);
  const ann = { id: ID_A, info_hash: ID_M, token: 'tok' };
  throwsKrpc(q({ ...ann, port: 0 }, 'announce_peer'), /'port' 0 out of range/);
  throwsKrpc(q({ ...ann, port: 65536 }, 'announce_peer'), /out of range/);
  throwsKrpc(q({ ...ann }, 'announce_peer'), /missing 'port'/);
  throwsKrpc(q({ ...ann, port: '6881' }, 'announce_peer'), /not an integer/);
  // With implied_port the port is ignored, so 0 is fine.
  const m = decodeKrpc(q({ ...ann, port: 0, implied_port: 1 }, 'announce_peer'));
  assert.ok(m.y === 'q' && m.q === 'announce_peer' && m.impliedPort && m.port === 0);
  const m2 = decodeKrpc(q({ ...ann, port: 1 }, 'announce_peer'));
  assert.ok(m2.y === 'q' && m2.q === 'announce_peer' && !m2.impliedPort);
  throwsKrpc(encode({ t: 'x'.repeat(17), y: 'q', q: 'ping', a: { id: ID_A } }), /'t' in message must be 0..16 bytes/);
  throwsKrpc(encode({ t: 1, y: 'q', q: 'ping', a: { id: ID_A } }), /'t' in message is not a byte string/);
  throwsKrpc(encode({ y: 'q', q: 'ping', a: { id: ID_A } }), /missing 't'/);
  throwsKrpc(encode({ t: 'aa', y: 'x', q: 'ping', a: { id: ID_A } }), /unknown message type/);
  throwsKrpc(encode({ t: 'aa', y: 'qq' }), /'y' in message must be 1 bytes/);
  throwsKrpc(encode({ t: 'aa', y: 'q', q: 'ping' }), /missing 'a'/);
  throwsKrpc(encode({ t: 'aa', y: 'q', q: 'ping', a: [] }), /'a' is not a dict/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { id: ID_A, nodes: new Uint8Array(27) } }), /multiple of 26/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { id: ID_A, nodes6: new Uint8Array(26) } }), /multiple of 38/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { id: ID_A, values: [new Uint8Array(7)] } }), /'values'\[0\] must be 6 or 18 bytes/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { id: ID_A, values: new Uint8Array(6) } }), /'values' is not a list/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { id: ID_A, token: 5 } }), /'token' in r is not a byte string/);
  throwsKrpc(encode({ t: 'aa', y: 'r', r: { nodes: '' } }), /missing 'id' in r/);
  throwsKrpc(encode({ t: 'aa', y: 'e', e: [201] }), /\[code, message\]/);
  throwsKrpc(encode({ t: 'aa', y: 'e', e: ['201', 'x'] }), /code is not an integer/);
  throwsKrpc(encode({ t: 'aa', y: 'q', q: 'ping', a: { id: ID_A }, ip: new Uint8Array(5) }), /'ip' must be 6 or 18 bytes/);
  throwsKrpc(encode({ t: 'aa', y: 'q', q: 'find_node', a: { id: ID_A, target: ID_M, want: 'n4' } }), /'want' is not a list/);
  throwsKrpc(b('d1:t2:aa1:y1:qe trailing'), /trailing/);
  throwsKrpc(b('li1ee'), /not a dict/);
  throwsKrpc(new Uint8Array(0));
});

test('a bad query carries its transaction id so the node can answer 203', () => {
  const err = throwsKrpc(encode({ t: '10', y: 'q', q: 'find_node', a: { id: new Uint8Array(20) } }), /missing 'target'/);
  assert.deepEqual(err.tid, T10);
  assert.equal(err.kind, 'q');
  const reply = encodeKrpc(errorReply(err.tid ?? new Uint8Array(0), KrpcErrorCode.Protocol, "missing 'target' key"));
  assert.equal(Buffer.from(reply).toString(), "d1:eli203e20:missing 'target' keye1:t2:101:y1:ee");
});

test('unknown methods decode to a typed unknown query (answer 204)', () => {
  const m = decodeKrpc(encode({ t: 'zz', y: 'q', q: 'sample_infohashes', a: { id: ID_A, target: ID_M } }));
  assert.ok(m.y === 'q' && m.q === 'unknown');
  assert.equal(m.method, 'sample_infohashes');
  assert.deepEqual(m.id, ID_A);
  const noId = decodeKrpc(encode({ t: 'zz', y: 'q', q: 'vote', a: { id: 'short' } }));
  assert.ok(noId.y === 'q' && noId.q === 'unknown' && noId.id === undefined);
  // Round trip through encode keeps the args.
  assert.deepEqual(decodeKrpc(encodeKrpc(m)), m);
});

test('envelope extras: client version, BEP 42 ip, BEP 43 ro, BEP 32 want and nodes6', () => {
  const m = decodeKrpc(
    encode({ t: 'aa', y: 'q', q: 'get_peers', v: 'TS01', ro: 1, a: { id: ID_A, info_hash: ID_M, want: ['n4', 'n6', 'n9', 'n4'] } }),
  );
  assert.deepEqual(m, { y: 'q', q: 'get_peers', tid: AA, clientVersion: b('TS01'), readOnly: true, id: ID_A, infoHash: ID_M, want: ['n4', 'n6'] });
  const nodes6 = new Uint8Array(38);
  nodes6.set(ID_M, 0);
  nodes6.set(hex('20010db8000000000000000000000001'), 20);
  nodes6.set([0x1a, 0xe1], 36);
  const r = decodeKrpc(encode({ t: 'aa', y: 'r', ip: hex('7f0000011ae1'), r: { id: ID_A, nodes6, values: [hex('20010db80000000000000000000000020050')] } }));
  assert.deepEqual(r, {
    y: 'r',
    tid: AA,
    ip: { host: '127.0.0.1', port: 6881 },
    id: ID_A,
    nodes6: [{ id: ID_M, host: '2001:db8::1', port: 6881 }],
    values: [{ host: '2001:db8::2', port: 80 }],
  });
  assert.deepEqual(decodeKrpc(encodeKrpc(r)), r);
  assert.deepEqual(nodesOfFamily([{ id: ID_A, host: '1.2.3.4', port: 1 }, { id: ID_M, host: '::1', port: 2 }], 6).map((n) => n.host), ['::1']);
});

test('unsorted keys are accepted unless strictKeyOrder (real clients send them)', () => {
  const raw = b('d1:y1:q1:t2:aa1:q4:ping1:ad2:id20:abcdefghij0123456789ee');
  assert.deepEqual(decodeKrpc(raw), { y: 'q', q: 'ping', tid: AA, id: ID_A });
  assert.throws(() => decodeKrpc(raw, { strictKeyOrder: true }), KrpcError);
});

test('decoded fields do not alias the datagram buffer', () => {
  const raw = encode({ t: 'aa', y: 'q', q: 'ping', a: { id: ID_A } });
  const m = decodeKrpc(raw);
  raw.fill(0);
  assert.ok(m.y === 'q' && m.q === 'ping');
  assert.deepEqual(m.id, ID_A);
  assert.deepEqual(m.tid, AA);
});

test('encode refuses invalid messages with KrpcError', () => {
  assert.throws(() => encodeKrpc({ y: 'q', q: 'ping', tid: AA, id: new Uint8Array(19) }), KrpcError);
  assert.throws(() => encodeKrpc({ y: 'q', q: 'announce_peer', tid: AA, id: ID_A, infoHash: ID_M, port: 0, token: AA, impliedPort: false }), KrpcError);
  assert.throws(() => encodeKrpc({ y: 'r', tid: AA, id: ID_A, nodes: [{ id: ID_M, host: '::1', port: 1 }] }), /not an IPv4 address/);
  assert.throws(() => encodeKrpc({ y: 'r', tid: AA, id: ID_A, values: [{ host: 'example.com', port: 1 }] }), KrpcError);
  assert.throws(() => encodeKrpc({ y: 'e', tid: new Uint8Array(17), code: 201, message: 'x' }), KrpcError);
});

// ------------------------------------------------------------------------------------------
// property tests

const RUNS = Number(process.env.KRPC_FUZZ_RUNS ?? 500);

const id = fc.uint8Array({ minLength: 20, maxLength: 20 });
const tid = fc.uint8Array({ minLength: 0, maxLength: 16 });
const ver = fc.option(fc.uint8Array({ minLength: 0, maxLength: 16 }), { nil: undefined });
const port = fc.integer({ min: 1, max: 65535 });
const v4 = fc.ipV4().map((h) => h);
const v6host = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bs) => {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bs[i] << 8) | bs[i + 1]).toString(16));
  return groups.join(':');
});
const want = fc.option(fc.subarray(['n4', 'n6'] as ('n4' | 'n6')[]), { nil: undefined });
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const message: fc.Arbitrary<KrpcMessage> = fc.oneof(
  fc.record({ tid, clientVersion: ver, id }).map((m) => strip({ y: 'q' as const, q: 'ping' as const, ...m })),
  fc.record({ tid, clientVersion: ver, id, target: id, want }).map((m) => strip({ y: 'q' as const, q: 'find_node' as const, ...m })),
  fc.record({ tid, id, infoHash: id, want, readOnly: fc.constantFrom(true, undefined) }).map((m) => strip({ y: 'q' as const, q: 'get_peers' as const, ...m })),
  fc
    .record({ tid, id, infoHash: id, port, token: fc.uint8Array({ maxLength: 20 }), impliedPort: fc.boolean() })
    .map((m) => ({ y: 'q' as const, q: 'announce_peer' as const, ...m })),
  fc
    .record({
      tid,
      clientVersion: ver,
      id,
      nodes: fc.option(fc.array(fc.record({ id, host: v4, port: fc.integer({ min: 0, max: 65535 }) }), { maxLength: 8 }), { nil: undefined }),
      nodes6: fc.option(fc.array(fc.record({ id, host: v6host, port }), { maxLength: 4 }), { nil: undefined }),
      values: fc.option(fc.array(fc.record({ host: fc.oneof(v4, v6host), port }), { maxLength: 8 }), { nil: undefined }),
      token: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
      ip: fc.option(fc.record({ host: v4, port }), { nil: undefined }),
    })
    .map((m) => strip({ y: 'r' as const, ...m })),
  fc.record({ tid, code: fc.integer({ min: 0, max: 999 }), message: fc.string({ maxLength: 40 }) }).map((m) => ({ y: 'e' as const, ...m })),
);

function normalize(m: KrpcMessage): KrpcMessage {
  // IPv6 text comes back in RFC 5952 form; compare through a second round trip instead.
  return decodeKrpc(encodeKrpc(m));
}

test('property: encode then decode is stable, and decode(encode(x)) re-encodes to the same bytes', () => {
  fc.assert(
    fc.property(message, (m) => {
      const once = normalize(m);
      assert.deepEqual(decodeKrpc(encodeKrpc(once)), once);
      assert.deepEqual(encodeKrpc(once), encodeKrpc(m));
      assert.equal(once.y, m.y);
      assert.deepEqual(once.tid, m.tid);
    }),
    { numRuns: RUNS },
  );
});

function onlyKrpcError(buf: Uint8Array): void {
  try {
    decodeKrpc(buf);
  } catch (err) {
    if (!(err instanceof KrpcError)) throw err;
  }
}

test('fuzz: random bytes only ever fail with KrpcError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (buf) => onlyKrpcError(buf)), { numRuns: RUNS * 4 });
});

test('fuzz: mutated valid messages only ever fail with KrpcError', () => {
  const valid = loadSamples().map((s) => hex(s.bencoded_hex));
  const mutated = fc
    .tuple(fc.oneof(fc.constantFrom(...valid), message.map(encodeKrpc)), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 6 }))
    .map(([base, edits]) => {
      let out = Array.from(base);
      for (const [pos, byte, op] of edits) {
        const p = out.length === 0 ? 0 : pos % out.length;
        if (op === 0) out[p] = byte;
        else if (op === 1) out.splice(p, 1);
        else if (op === 2) out.splice(p, 0, byte);
        else out = out.slice(0, p);
      }
      return Uint8Array.from(out);
    });
  fc.assert(fc.property(mutated, (buf) => onlyKrpcError(buf)), { numRuns: RUNS * 4 });
});

test('fuzz: well-formed bencode of KRPC-like shapes only ever fails with KrpcError', () => {
  const leaf = fc.oneof(fc.integer({ min: -70000, max: 70000 }), fc.uint8Array({ maxLength: 45 }), fc.constantFrom('q', 'r', 'e', 'ping', 'find_node', 'get_peers', 'announce_peer', 'n4', 'n6'));
  const val = fc.letrec<{ v: Encodable }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('id', 'target', 'info_hash', 'port', 'token', 'implied_port', 'nodes', 'nodes6', 'values', 'want'), tie('v'), { maxKeys: 5 })),
  })).v;
  const args = fc.dictionary(fc.constantFrom('id', 'target', 'info_hash', 'port', 'token', 'implied_port', 'nodes', 'nodes6', 'values', 'want'), fc.oneof(val, id), { maxKeys: 6 });
  const top = fc.record(
    { t: fc.oneof(tid, val), y: fc.oneof(fc.constantFrom('q', 'r', 'e'), val), q: fc.oneof(fc.constantFrom('ping', 'find_node', 'get_peers', 'announce_peer', 'put'), val), a: fc.oneof(args, val), r: fc.oneof(args, val), e: val, v: val, ip: fc.oneof(fc.uint8Array({ maxLength: 20 }), val), ro: val },
    { requiredKeys: ['t', 'y'] },
  );
  fc.assert(fc.property(top, (o) => onlyKrpcError(encode(o as Encodable))), { numRuns: RUNS * 4 });
});
