/** Fuzz: every decoder fails only with WireError, whatever the bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, type Message } from './messages.js';
import { Framer } from './framer.js';
import { decodeHandshake } from './handshake.js';
import { decodeCompactPeers } from './compact.js';
import {
  decodeExtendedHandshake,
  decodeMetadataMessage,
  decodePex,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  encodePex,
} from './extension.js';
import { clientFromPeerId } from './peer-id.js';
import { decodeHolepunch, encodeHolepunch, type HolepunchMessage } from './holepunch.js';
import { WireError } from './errors.js';
import { byteEdits, mutate } from './test-mutate.js';

const RUNS = Number(process.env.WIRE_FUZZ_RUNS ?? 400);

function onlyWireError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
  }
}

const te = new TextEncoder();
const validMessages: Message[] = [
  { type: 'have', index: 5 },
  { type: 'request', index: 1, begin: 0, length: 16384 },
  { type: 'piece', index: 1, begin: 0, block: new Uint8Array(20).fill(3) },
  { type: 'bitfield', bits: new Uint8Array([0xf0]) },
  { type: 'port', port: 1 },
  { type: 'extended', id: 1, payload: te.encode('d1:ai1ee') },
  { type: 'haveAll' },
];
const validPayloads: Uint8Array[] = [
  encodeExtendedHandshake({ m: { ut_metadata: 1, ut_pex: 2 }, p: 1, v: 'x', reqq: 5, metadataSize: 100, yourIp: new Uint8Array(16) }),
  encodeMetadataMessage({ msgType: 'request', piece: 0 }),
  encodeMetadataMessage({ msgType: 'data', piece: 0, totalSize: 5, data: te.encode('abcde') }),
  encodePex({ added: [{ host: '1.2.3.4', port: 5, flags: 1 }], added6: [{ host: '::1', port: 2, flags: 0 }] }),
  encodeHolepunch({ type: 'rendezvous', host: '1.2.3.4', port: 6881 }),
  encodeHolepunch({ type: 'error', host: '2001:db8::1', port: 1, error: 3 }),
];

/** A valid byte string with a few bytes overwritten, inserted or removed. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.constantFrom(...seeds), byteEdits).map(([seed, edits]) => mutate(seed, edits));
}

const frames = validMessages.map((m) => encodeMessage(m).subarray(4));
const anyFrame = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated(frames));
const anyPayload = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated(validPayloads));

test('fuzz: decodeMessage throws only WireError', () => {
  fc.assert(fc.property(anyFrame, (f) => onlyWireError(() => decodeMessage(f))), { numRuns: RUNS });
});

test('fuzz: Framer + decodeMessage on random and mutated streams throw only WireError', () => {
  const stream = fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), mutated(validMessages.map(encodeMessage))), { maxLength: 6 });
  fc.assert(
    fc.property(stream, (chunks) => {
      const framer = new Framer(64);
      onlyWireError(() => {
        for (const c of chunks) framer.push(c, (f) => decodeMessage(f));
      });
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: extension payload decoders throw only WireError', () => {
  fc.assert(
    fc.property(anyPayload, (p) => {
      onlyWireError(() => decodeExtendedHandshake(p));
      onlyWireError(() => decodeMetadataMessage(p));
      onlyWireError(() => decodePex(p));
      onlyWireError(() => decodeHolepunch(p));
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: handshake, compact peers and peer ids', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      onlyWireError(() => decodeHandshake(b));
      onlyWireError(() => decodeCompactPeers(b, 4));
      onlyWireError(() => decodeCompactPeers(b, 6));
      assert.equal(typeof clientFromPeerId(b), 'string');
    }),
    { numRuns: RUNS },
  );
});

test('property: valid messages round-trip', () => {
  const u32 = fc.nat({ max: 0xffffffff });
  const msg: fc.Arbitrary<Message> = fc.oneof(
    u32.map((index) => ({ type: 'have' as const, index })),
    fc.tuple(u32, u32, u32).map(([index, begin, length]) => ({ type: 'request' as const, index, begin, length })),
    fc.tuple(u32, u32, fc.uint8Array({ maxLength: 64 })).map(([index, begin, block]) => ({ type: 'piece' as const, index, begin, block })),
    fc.uint8Array({ maxLength: 64 }).map((bits) => ({ type: 'bitfield' as const, bits })),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 })).map(([id, payload]) => ({ type: 'extended' as const, id, payload })),
    fc.integer({ min: 0, max: 65535 }).map((port) => ({ type: 'port' as const, port })),
  );
  fc.assert(fc.property(msg, (m) => assert.deepEqual(decodeMessage(encodeMessage(m).subarray(4)), m)), { numRuns: RUNS });
});

test('property: ut_holepunch messages round-trip', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
  const v6 = fc.ipV6().map((h) => encodeHolepunch({ type: 'connect', host: h, port: 1 })).map((b) => (decodeHolepunch(b) as { host: string }).host);
  const port = fc.integer({ min: 0, max: 65535 });
  const msg: fc.Arbitrary<Exclude<HolepunchMessage, { type: 'unknown' }>> = fc.oneof(
    fc.tuple(fc.constantFrom('rendezvous' as const, 'connect' as const), fc.oneof(v4, v6), port).map(([type, host, p]) => ({ type, host, port: p })),
    fc.tuple(fc.oneof(v4, v6), port, fc.nat({ max: 0xffffffff })).map(([host, p, error]) => ({ type: 'error' as const, host, port: p, error })),
  );
  fc.assert(fc.property(msg, (m) => assert.deepEqual(decodeHolepunch(encodeHolepunch(m)), m)), { numRuns: RUNS });
});
