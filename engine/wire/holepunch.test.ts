import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHolepunch, encodeHolepunch, HolepunchError, holepunchErrorName } from './holepunch.js';
import { WireError } from './errors.js';

test('ut_holepunch rendezvous over IPv4: msg_type, addr_type, address, port, err_code 0 (BEP 55 layout)', () => {
  const bytes = encodeHolepunch({ type: 'rendezvous', host: '10.1.2.3', port: 6881 });
  assert.deepEqual([...bytes], [0, 0, 10, 1, 2, 3, 0x1a, 0xe1, 0, 0, 0, 0]);
  assert.deepEqual(decodeHolepunch(bytes), { type: 'rendezvous', host: '10.1.2.3', port: 6881 });
});

test('ut_holepunch connect over IPv6 and error messages round-trip', () => {
  const connect = encodeHolepunch({ type: 'connect', host: '2001:db8::7', port: 51413 });
  assert.equal(connect.length, 24);
  assert.equal(connect[1], 1);
  assert.deepEqual(decodeHolepunch(connect), { type: 'connect', host: '2001:db8::7', port: 51413 });
  const error = encodeHolepunch({ type: 'error', host: '1.2.3.4', port: 5, error: HolepunchError.notConnected });
  assert.deepEqual([...error.subarray(8)], [0, 0, 0, 2]);
  assert.deepEqual(decodeHolepunch(error), { type: 'error', host: '1.2.3.4', port: 5, error: 2 });
  assert.equal(holepunchErrorName(HolepunchError.noSelf), 'no self');
  assert.equal(holepunchErrorName(99), 'unknown error 99');
});

test('ut_holepunch without err_code (older libtorrent) decodes; unknown msg_type is reported, not thrown', () => {
  assert.deepEqual(decodeHolepunch(new Uint8Array([1, 0, 127, 0, 0, 1, 0, 80])), { type: 'connect', host: '127.0.0.1', port: 80 });
  assert.deepEqual(decodeHolepunch(new Uint8Array([2, 0, 127, 0, 0, 1, 0, 80])), { type: 'error', host: '127.0.0.1', port: 80, error: 0 });
  assert.deepEqual(decodeHolepunch(new Uint8Array([9, 0, 127, 0, 0, 1, 0, 80, 0, 0, 0, 0])), { type: 'unknown', code: 9 });
});

test('ut_holepunch: bad addr_type, wrong lengths and bad input to the encoder throw WireError', () => {
  assert.throws(() => decodeHolepunch(new Uint8Array([0, 2, 1, 2, 3, 4, 0, 1])), WireError);
  assert.throws(() => decodeHolepunch(new Uint8Array([0])), WireError);
  assert.throws(() => decodeHolepunch(new Uint8Array([0, 0, 1, 2, 3, 4, 0])), WireError);
  assert.throws(() => decodeHolepunch(new Uint8Array([0, 1, 1, 2, 3, 4, 0, 1, 0, 0, 0, 0])), WireError);
  assert.throws(() => decodeHolepunch(new Uint8Array(13)), WireError);
  assert.throws(() => encodeHolepunch({ type: 'connect', host: 'example.com', port: 1 }), WireError);
  assert.throws(() => encodeHolepunch({ type: 'connect', host: '1.2.3.4', port: 70000 }), WireError);
  assert.throws(() => encodeHolepunch({ type: 'error', host: '1.2.3.4', port: 1, error: -1 }), WireError);
});
