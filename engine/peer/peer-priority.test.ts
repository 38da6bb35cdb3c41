import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '../common/crc32c.js';
import { peerPriority } from './peer-priority.js';

const at = (host: string, port = 0) => ({ host, port });
const crcOfHex = (hex: string) => crc32c(Buffer.from(hex, 'hex'));

test('the test vectors of BEP 40 itself', () => {
  assert.equal(peerPriority(at('123.213.32.10'), at('98.76.54.32')), 0xec2d7224);
  assert.equal(peerPriority(at('123.213.32.10'), at('123.213.32.234')), 0x99568189);
});

test('symmetric: both ends compute the same number', () => {
  const pairs: [string, string][] = [
    ['123.213.32.10', '98.76.54.32'],
    ['230.12.23.1', '230.12.123.3'],
    ['2001:db8::1', '2001:db8:0:1::7'],
  ];
  for (const [a, b] of pairs) assert.equal(peerPriority(at(a, 6881), at(b, 51413)), peerPriority(at(b, 51413), at(a, 6881)), `${a} ${b}`);
});

test('IPv4: same IP hashes the sorted ports; same /24 the IPs; same /16 masked FF.FF.FF.55; else FF.FF.55.55', () => {
  assert.equal(peerPriority(at('230.12.123.3', 0x4d2), at('230.12.123.3', 0x12c)), crcOfHex('012c04d2'));
  assert.equal(peerPriority(at('230.12.123.1', 0x4d2), at('230.12.123.3', 0x12c)), crcOfHex('e60c7b01e60c7b03'));
  assert.equal(peerPriority(at('230.12.23.1', 0x4d2), at('230.12.123.3', 0x12c)), crcOfHex('e60c1701e60c7b01'));
  assert.equal(peerPriority(at('230.120.23.1', 0x4d2), at('230.12.123.3', 0x12c)), crcOfHex('e60c5101e6781501'));
});

test('IPv6: the masks of the published vectors (libtorrent), and the ports when the IPs are equal', () => {
  const all = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
  assert.equal(peerPriority(at(all, 0x4d2), at(all, 0x12c)), crcOfHex('012c04d2'));
  assert.equal(peerPriority(at(all, 0x12c), at(all, 0x4d2)), crcOfHex('012c04d2'));
  assert.equal(peerPriority(at(all), at('ffff:0fff:ffff:ffff:ffff:ffff:ffff:ffff')), crcOfHex('ffff0fffffff55555555555555555555' + 'ffffffffffff55555555555555555555'));
  assert.equal(peerPriority(at(all), at('ffff:ffff:0fff:ffff:ffff:ffff:ffff:ffff')), crcOfHex('ffffffff0fff55555555555555555555' + 'ffffffffffff55555555555555555555'));
  assert.equal(peerPriority(at(all), at('ffff:ffff:ff0f:ffff:ffff:ffff:ffff:ffff')), crcOfHex('ffffffffff0fff555555555555555555' + 'ffffffffffffff555555555555555555'));
  assert.equal(peerPriority(at(all), at('ffff:ffff:ffff:0fff:ffff:ffff:ffff:ffff')), crcOfHex('ffffffffffff0fff5555555555555555' + 'ffffffffffffffff5555555555555555'));
});

test('an IPv4-mapped IPv6 address counts as its IPv4 address; mixed families and host names get 0', () => {
  assert.equal(peerPriority(at('::ffff:123.213.32.10'), at('98.76.54.32')), 0xec2d7224);
  assert.equal(peerPriority(at('123.213.32.10'), at('2001:db8::1')), 0);
  assert.equal(peerPriority(at('example.org'), at('98.76.54.32')), 0);
});
