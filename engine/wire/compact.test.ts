import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCompactPeers, encodeCompactPeer, encodeCompactPeers, formatIp, parseIp } from './compact.js';
import { WireError } from './errors.js';

test('IPv4 compact peers round-trip', () => {
  const peers = [{ host: '1.2.3.4', port: 6881 }, { host: '255.0.128.9', port: 0 }];
  const buf = encodeCompactPeers(peers, 4);
  assert.deepEqual([...buf.subarray(0, 6)], [1, 2, 3, 4, 0x1a, 0xe1]);
  assert.deepEqual(decodeCompactPeers(buf, 4), peers);
});

test('IPv6 compact peers round-trip in RFC 5952 form', () => {
  const peers = [
    { host: '2001:db8::1', port: 51413 },
    { host: '::', port: 1 },
    { host: '::1', port: 2 },
    { host: '1:0:0:2::3', port: 3 },
    { host: '1::2:0:0:3:4', port: 3 },
    { host: '::ffff:10.0.0.1', port: 4 },
    { host: '1:2:3:4:5:6:7:8', port: 5 },
  ];
  assert.deepEqual(decodeCompactPeers(encodeCompactPeers(peers, 6), 6), peers);
});

test('parseIp accepts common IPv6 spellings and refuses junk', () => {
  assert.equal(formatIp(parseIp('2001:DB8:0:0:0:0:0:1')!), '2001:db8::1');
  assert.equal(formatIp(parseIp('[fe80::1]')!), 'fe80::1');
  assert.equal(formatIp(parseIp('::ffff:1.2.3.4')!), '::ffff:1.2.3.4');
  assert.equal(formatIp(parseIp('64:ff9b::192.0.2.33')!), '64:ff9b::c000:221');
  assert.equal(formatIp(parseIp('1:0:0:2::3')!), '1:0:0:2::3');
  for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1:2', ':::', '1::2::3', '12345::', '::g', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '::1.2.3']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

test('bad input throws WireError', () => {
  assert.throws(() => decodeCompactPeers(new Uint8Array(7), 4), WireError);
  assert.throws(() => decodeCompactPeers(new Uint8Array(17), 6), WireError);
  assert.throws(() => encodeCompactPeer('example.com', 80), WireError);
  assert.throws(() => encodeCompactPeer('1.2.3.4', 70000), WireError);
  assert.throws(() => encodeCompactPeers([{ host: '::1', port: 1 }], 4), WireError);
});

test('property: address bytes survive format and parse', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (ip) => {
      assert.deepEqual(parseIp(formatIp(ip)), ip);
    }),
    { numRuns: 500 },
  );
});
