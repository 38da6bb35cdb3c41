import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeHashMessage, encodeHashMessage, isHashMessageId, type HashMessage } from './hash-messages.js';
import { advertisesV2, encodeHandshakeFor, matchHandshakeHash, truncatedInfoHash } from './handshake-v2.js';
import { decodeHandshake } from './handshake.js';
import { decodeMessage } from './messages.js';
import { WireError } from './errors.js';
import { byteEdits, mutate } from './test-mutate.js';

const RUNS = Number(process.env.WIRE_FUZZ_RUNS ?? 400);
const root = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const frameOf = (m: HashMessage) => encodeHashMessage(m).subarray(4);

test('hash request / hashes / hash reject round-trip with the BEP 52 layout', () => {
  const req: HashMessage = { type: 'hashRequest', piecesRoot: root, baseLayer: 2, index: 4, length: 2, proofLayers: 3 };
  const bytes = encodeHashMessage(req);
  assert.equal(bytes.length, 4 + 49);
  assert.deepEqual([...bytes.subarray(0, 5)], [0, 0, 0, 49, 21]);
  assert.deepEqual(bytes.subarray(5, 37), root);
  assert.deepEqual([...bytes.subarray(37, 53)], [0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 3]);
  assert.deepEqual(decodeHashMessage(bytes.subarray(4)), req);
  const hashes: HashMessage = { ...req, type: 'hashes', hashes: new Uint8Array(5 * 32).fill(9) };
  assert.deepEqual(decodeHashMessage(frameOf(hashes)), hashes);
  const reject: HashMessage = { ...req, type: 'hashReject' };
  assert.deepEqual(decodeHashMessage(frameOf(reject)), reject);
  // the general decoder leaves them to this codec
  assert.deepEqual(decodeMessage(frameOf(req)), { type: 'unknown', id: 21 });
  assert.ok(isHashMessageId(22) && !isHashMessageId(20) && !isHashMessageId(24));
});

test('malformed hash messages are WireErrors with a reason', () => {
  const req = frameOf({ type: 'hashRequest', piecesRoot: root, baseLayer: 0, index: 0, length: 4, proofLayers: 0 });
  assert.throws(() => decodeHashMessage(req.subarray(0, 48)), /hash request message must be 49 bytes, got 48/);
  assert.throws(() => decodeHashMessage(Uint8Array.from([...req, 0])), /must be 49 bytes/);
  const hashes = frameOf({ type: 'hashes', piecesRoot: root, baseLayer: 0, index: 0, length: 4, proofLayers: 0, hashes: new Uint8Array(4 * 32) });
  assert.throws(() => decodeHashMessage(hashes.subarray(0, hashes.length - 1)), /not a multiple of 32/);
  assert.throws(() => decodeHashMessage(hashes.subarray(0, hashes.length - 32)), /3 hashes for a length of 4/);
  assert.throws(() => decodeHashMessage(Uint8Array.from([7])), /not a hash message/);
  assert.throws(() => encodeHashMessage({ type: 'hashRequest', piecesRoot: root.subarray(1), baseLayer: 0, index: 0, length: 1, proofLayers: 0 }), WireError);
  assert.throws(() => encodeHashMessage({ type: 'hashRequest', piecesRoot: root, baseLayer: -1, index: 0, length: 1, proofLayers: 0 }), /base layer/);
});

test('v2 handshake: truncated info hash, upgrade bit for hybrids', () => {
  const v2 = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
  const v1 = new Uint8Array(20).fill(0x11);
  const peerId = new Uint8Array(20).fill(0x22);
  const extensions = { extended: true, fast: true, dht: false };
  assert.deepEqual(truncatedInfoHash(v2), v2.subarray(0, 20));
  assert.throws(() => truncatedInfoHash(v1), WireError);

  const only = decodeHandshake(encodeHandshakeFor({ version: 2, infoHash: v2.slice(0, 20), infoHashV2: v2 }, { peerId, extensions }));
  assert.deepEqual(only.infoHash, v2.subarray(0, 20));
  assert.equal(advertisesV2(only.reserved), false);

  const hybrid = decodeHandshake(encodeHandshakeFor({ version: 'hybrid', infoHash: v1, infoHashV2: v2 }, { peerId, extensions }));
  assert.deepEqual(hybrid.infoHash, v1);
  assert.equal(hybrid.reserved[7] & 0x10, 0x10, '4th most significant bit of the last reserved byte');
  assert.equal(advertisesV2(hybrid.reserved), true);
  assert.deepEqual(hybrid.extensions, extensions, 'the other bits are untouched');

  const plain = decodeHandshake(encodeHandshakeFor({ version: 1, infoHash: v1 }, { peerId, extensions }));
  assert.equal(advertisesV2(plain.reserved), false);

  const ids = { version: 'hybrid' as const, infoHash: v1, infoHashV2: v2 };
  assert.equal(matchHandshakeHash(v1, ids), 'v1');
  assert.equal(matchHandshakeHash(v2.slice(0, 20), ids), 'v2');
  assert.equal(matchHandshakeHash(new Uint8Array(20), ids), undefined);
  assert.equal(matchHandshakeHash(v1, { version: 1, infoHash: v1 }), 'v1');
});

function onlyWireError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
  }
}

const seeds = [
  frameOf({ type: 'hashRequest', piecesRoot: root, baseLayer: 0, index: 8, length: 8, proofLayers: 4 }),
  frameOf({ type: 'hashes', piecesRoot: root, baseLayer: 0, index: 0, length: 2, proofLayers: 2, hashes: new Uint8Array(3 * 32).fill(4) }),
  frameOf({ type: 'hashReject', piecesRoot: root, baseLayer: 3, index: 0, length: 512, proofLayers: 0 }),
];
const anyFrame = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([21 + (b[0] ?? 0) % 3, ...b.subarray(1)])),
  fc.tuple(fc.constantFrom(...seeds), byteEdits).map(([s, e]) => mutate(s, e)),
);

test('fuzz: decodeHashMessage throws only WireError, and what decodes re-encodes to the same bytes', () => {
  fc.assert(
    fc.property(anyFrame, (f) => {
      let m: HashMessage | undefined;
      onlyWireError(() => (m = decodeHashMessage(f)));
      if (m) assert.deepEqual(frameOf(m), f);
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: encode/decode round-trip for any field values', () => {
  const fields = fc.record({
    type: fc.constantFrom('hashRequest' as const, 'hashes' as const, 'hashReject' as const),
    piecesRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    baseLayer: fc.nat({ max: 0xffffffff }),
    index: fc.nat({ max: 0xffffffff }),
    length: fc.nat({ max: 16 }),
    proofLayers: fc.nat({ max: 0xffffffff }),
    extra: fc.nat({ max: 8 }),
  });
  fc.assert(
    fc.property(fields, ({ extra, ...f }) => {
      const m: HashMessage = f.type === 'hashes' ? { ...f, type: 'hashes', hashes: new Uint8Array((f.length + extra) * 32).fill(1) } : { ...f, type: f.type };
      assert.deepEqual(decodeHashMessage(frameOf(m)), m);
    }),
    { numRuns: RUNS },
  );
});
