import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unmapIPv4 } from './address.js';

test('unmapIPv4 turns an IPv4-mapped IPv6 address into the IPv4 one and leaves others alone', () => {
  assert.equal(unmapIPv4('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(unmapIPv4('1.2.3.4'), '1.2.3.4');
  assert.equal(unmapIPv4('::1'), '::1');
  assert.equal(unmapIPv4('::ffff:abcd'), '::ffff:abcd');
});
