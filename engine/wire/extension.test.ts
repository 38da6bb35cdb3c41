import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, type Encodable } from '../bencode/index.js';
import {
  decodeExtendedHandshake,
  decodeMetadataMessage,
  decodePex,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  encodePex,
  METADATA_PIECE_SIZE,
  PexFlags,
} from './extension.js';
import { WireError } from './errors.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('extended handshake round-trips', () => {
  const payload = encodeExtendedHandshake({
    m: { ut_metadata: 2, ut_pex: 1 },
    p: 6881,
    v: 'Tessera 0.1.0',
    reqq: 250,
    metadataSize: 31235,
    yourIp: new Uint8Array([10, 0, 0, 1]),
  });
  assert.equal(
    text(payload),
    'd1:md11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v13:Tessera 0.1.06:yourip4:\n\0\0\x01e',
  );
  const h = decodeExtendedHandshake(payload);
  assert.deepEqual(h.m, new Map([['ut_metadata', 2], ['ut_pex', 1]]));
  assert.equal(h.p, 6881);
  assert.equal(h.v, 'Tessera 0.1.0');
  assert.equal(h.reqq, 250);
  assert.equal(h.metadataSize, 31235);
  assert.deepEqual(h.yourIp, new Uint8Array([10, 0, 0, 1]));
});

test('extended handshake: the encryption preference (e) round-trips; absent or out of range is unknown', () => {
  assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {}, prefersEncryption: true })).prefersEncryption, true);
  assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {}, prefersEncryption: false })).prefersEncryption, undefined, 'not sent when false');
  assert.equal(decodeExtendedHandshake(encode(new Map<string, Encodable>([['e', 0], ['m', new Map()]]))).prefersEncryption, false);
  assert.equal(decodeExtendedHandshake(encode(new Map<string, Encodable>([['e', 7], ['m', new Map()]]))).prefersEncryption, undefined);
});

test('extended handshake: unknown keys ignored, missing m is empty, out-of-range info dropped', () => {
  const h = decodeExtendedHandshake(encode(new Map<string, any>([['q', 1], ['p', 70000], ['yourip', bytes('abc')], ['x', [1, 2]]])));
  assert.deepEqual(h, { m: new Map() });
  // Unsorted keys from sloppy clients are accepted.
  assert.equal(decodeExtendedHandshake(bytes('d1:pi1e1:md1:ai0eee')).m.get('a'), 0);
});

test('extended handshake: wrong types and bad bencode are WireError', () => {
  for (const bad of ['d1:mi1ee', 'd1:md1:a1:xee', 'd1:pli1eee', 'd1:v1:ae1:', 'd1:vi1ee', 'le', 'i3e', '', 'd1:md1:ai256eee', 'd1:md1:ai-1eee', 'de1']) {
    assert.throws(() => decodeExtendedHandshake(bytes(bad)), WireError, bad);
  }
  assert.throws(() => encodeExtendedHandshake({ m: { x: 300 } }), WireError);
});

test('ut_metadata request, reject and data round-trip', () => {
  assert.equal(text(encodeMetadataMessage({ msgType: 'request', piece: 0 })), 'd8:msg_typei0e5:piecei0ee');
  assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage({ msgType: 'request', piece: 3 })), { msgType: 'request', piece: 3 });
  assert.deepEqual(decodeMetadataMessage(encodeMetadataMessage({ msgType: 'reject', piece: 1 })), { msgType: 'reject', piece: 1 });
  const totalSize = METADATA_PIECE_SIZE + 100;
  const data = new Uint8Array(100).fill(7);
  const payload = encodeMetadataMessage({ msgType: 'data', piece: 1, totalSize, data });
  assert.ok(text(payload).startsWith('d8:msg_typei1e5:piecei1e10:total_sizei16484ee'));
  const m = decodeMetadataMessage(payload);
  assert.equal(m.msgType, 'data');
  if (m.msgType !== 'data') return;
  assert.equal(m.totalSize, totalSize);
  assert.deepEqual(m.data, data);
  assert.equal(m.data.buffer, payload.buffer);
  // Data that itself looks like bencode does not confuse the split.
  const tricky = bytes('d1:ai1ee');
  const t = decodeMetadataMessage(encodeMetadataMessage({ msgType: 'data', piece: 0, totalSize: tricky.length, data: tricky }));
  assert.deepEqual(t.msgType === 'data' && t.data, tricky);
});

test('ut_metadata unknown msg_type is reported, not an error', () => {
  assert.deepEqual(decodeMetadataMessage(bytes('d8:msg_typei7e5:piecei0ee')), { msgType: 'unknown', code: 7 });
});

test('ut_metadata limits and strictness', () => {
  const full = new Uint8Array(METADATA_PIECE_SIZE);
  const bad: Uint8Array[] = [
    bytes('d5:piecei0ee'),
    bytes('d8:msg_typei0ee'),
    bytes('d8:msg_typei0e5:piecei-1ee'),
    bytes('d8:msg_typei0e5:piecei999999ee'),
    bytes('d8:msg_typei0e5:piecei0eextra'),
    bytes('d8:msg_typei1e5:piecei0ee'),
    bytes('d8:msg_typei1e5:piecei0e10:total_sizei0ee'),
    bytes(`d8:msg_typei1e5:piecei0e10:total_sizei${9 * 1024 * 1024}ee`),
    bytes('d8:msg_typei1e5:piecei1e10:total_sizei5eeabcde'),
    bytes('d8:msg_typei1e5:piecei0e10:total_sizei5eeabcd'),
    bytes('d8:msg_typei1e5:piecei0e10:total_sizei5eeabcdef'),
    bytes('d8:msg_type1:a5:piecei0ee'),
    bytes('d8:msg_typei0e5:piecei0e'),
    bytes('l'),
    new Uint8Array(0),
  ];
  for (const b of bad) assert.throws(() => decodeMetadataMessage(b), WireError, text(b));
  assert.throws(() => encodeMetadataMessage({ msgType: 'data', piece: 0, totalSize: 20000, data: new Uint8Array(10) }), WireError);
  assert.throws(() => encodeMetadataMessage({ msgType: 'data', piece: 0 }), WireError);
  const ok = encodeMetadataMessage({ msgType: 'data', piece: 0, totalSize: 20000, data: full });
  assert.equal(decodeMetadataMessage(ok).msgType, 'data');
  assert.throws(() => decodeMetadataMessage(ok, 19999), WireError);
});

test('ut_pex round-trips both families with flags', () => {
  const msg = {
    added: [{ host: '1.2.3.4', port: 6881, flags: PexFlags.seed | PexFlags.utp }, { host: '5.6.7.8', port: 1, flags: 0 }],
    dropped: [{ host: '9.9.9.9', port: 2 }],
    added6: [{ host: '2001:db8::5', port: 3, flags: PexFlags.reachable }],
    dropped6: [{ host: '::1', port: 4 }],
  };
  assert.deepEqual(decodePex(encodePex(msg)), msg);
  assert.deepEqual(decodePex(encodePex({})), { added: [], dropped: [], added6: [], dropped6: [] });
});

test('ut_pex: missing flags are 0, lists are capped, bad shapes throw', () => {
  const added = new Uint8Array(6 * 3).fill(1);
  const m = decodePex(encode(new Map<string, any>([['added', added], ['added.f', new Uint8Array([2])]])), 2);
  assert.deepEqual(m.added.map((p) => p.flags), [2, 0]);
  for (const bad of [
    new Map<string, any>([['added', new Uint8Array(7)]]),
    new Map<string, any>([['dropped6', new Uint8Array(6)]]),
    new Map<string, any>([['added', 5]]),
    new Map<string, any>([['added.f', [1]]]),
  ]) {
    assert.throws(() => decodePex(encode(bad)), WireError);
  }
  assert.throws(() => decodePex(bytes('le')), WireError);
  assert.throws(() => encodePex({ added: [{ host: '::1', port: 1, flags: 0 }] }), WireError);
});
