import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDontHave, encodeDontHave } from './donthave.js';
import { decodeExtendedHandshake, encodeExtendedHandshake } from './extension.js';
import { WireError } from './errors.js';

test('lt_donthave payloads: 4-byte big-endian piece index, anything else refused', () => {
  assert.deepEqual([...encodeDontHave(0x01020304)], [1, 2, 3, 4]);
  assert.equal(decodeDontHave(encodeDontHave(77)), 77);
  assert.equal(decodeDontHave(new Uint8Array([9, 0xff, 0xff, 0xff, 0xff]).subarray(1)), 0xffffffff);
  assert.throws(() => decodeDontHave(new Uint8Array(3)), WireError);
  assert.throws(() => decodeDontHave(new Uint8Array(5)), WireError);
  assert.throws(() => encodeDontHave(-1), WireError);
});

test('upload_only (BEP 21) in the extended handshake: sent as 1 or 0, absent when not said', () => {
  assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {}, uploadOnly: true })).uploadOnly, true);
  assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {}, uploadOnly: false })).uploadOnly, false);
  assert.equal(decodeExtendedHandshake(encodeExtendedHandshake({ m: {} })).uploadOnly, undefined);
  assert.equal(Buffer.from(encodeExtendedHandshake({ m: {}, uploadOnly: true })).toString('latin1'), 'd1:mde11:upload_onlyi1ee');
});
