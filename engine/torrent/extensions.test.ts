import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExtendedHandshake } from '../wire/index.js';
import { ourExtendedHandshake, yourIpBytes } from './extensions.js';

test('our extension handshake tells the peer its address (BEP 10 yourip) and our advertised port', () => {
  const hs = decodeExtendedHandshake(ourExtendedHandshake(51413, undefined, { peerAddress: '203.0.113.5' }));
  assert.deepEqual(hs.yourIp, new Uint8Array([203, 0, 113, 5]));
  assert.equal(hs.p, 51413);
  assert.deepEqual(yourIpBytes('::ffff:10.0.0.7'), new Uint8Array([10, 0, 0, 7]), 'an IPv4 peer on a dual-stack socket gets 4 bytes');
  assert.equal(yourIpBytes('2001:db8::1')?.length, 16);
  assert.equal(decodeExtendedHandshake(ourExtendedHandshake(6881, undefined)).yourIp, undefined);
});
