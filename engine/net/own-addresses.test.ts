import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { isOwnAddress } from './own-addresses.js';

test('loopback, wildcard and every interface address are our own; other addresses are not', () => {
  for (const host of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', 'localhost']) assert.equal(isOwnAddress(host), true, host);
  const mine = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  assert.ok(mine.length > 0, 'this machine lists its interfaces');
  for (const host of mine) assert.equal(isOwnAddress(host), true, host);
  // Documentation ranges (RFC 5737, RFC 3849): never a real interface.
  for (const host of ['192.0.2.1', '198.51.100.7', '2001:db8::1']) assert.equal(isOwnAddress(host), false, host);
});
