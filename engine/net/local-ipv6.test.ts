import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globalIPv6Address, ipv6ListenerClosed, ipv6ListenerOpened, isGlobalIPv6 } from './local-ipv6.js';

test('global unicast IPv6 is 2000::/3 only: not loopback, link-local, unique-local, or mapped IPv4', () => {
  for (const a of ['2001:db8::1', '2a00:1450:4001::1', '3fff::1']) assert.ok(isGlobalIPv6(a), a);
  for (const a of ['::1', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:1.2.3.4', '::', '4000::1']) assert.ok(!isGlobalIPv6(a), a);
});

test('no address is advertised while no listener has IPv6 bound', () => {
  assert.equal(globalIPv6Address(0), undefined);
  ipv6ListenerOpened();
  try {
    const a = globalIPv6Address(1);
    assert.ok(a === undefined || isGlobalIPv6(a), `a global address or none, got ${a}`);
  } finally {
    ipv6ListenerClosed();
  }
  assert.equal(globalIPv6Address(2), undefined);
});
