import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedFastSet } from './allowed-fast.js';

const infoHash = new Uint8Array(20).fill(0xaa);

test('BEP 6 example vectors (80.4.4.200, info hash 0xAA x 20, 1313 pieces)', () => {
  assert.deepEqual(allowedFastSet('80.4.4.200', infoHash, 1313, 7), [1059, 431, 808, 1217, 287, 376, 1188]);
  assert.deepEqual(allowedFastSet('80.4.4.200', infoHash, 1313, 9), [1059, 431, 808, 1217, 287, 376, 1188, 353, 508]);
});

test('the last octet does not matter; mapped IPv6 equals IPv4', () => {
  assert.deepEqual(allowedFastSet('80.4.4.1', infoHash, 1313, 7), allowedFastSet('80.4.4.200', infoHash, 1313, 7));
  assert.deepEqual(allowedFastSet('::ffff:80.4.4.200', infoHash, 1313, 7), allowedFastSet('80.4.4.200', infoHash, 1313, 7));
  assert.notDeepEqual(allowedFastSet('80.4.5.200', infoHash, 1313, 7), allowedFastSet('80.4.4.200', infoHash, 1313, 7));
});

test('small torrents, zero pieces and native IPv6', () => {
  assert.deepEqual(allowedFastSet('1.2.3.4', infoHash, 3, 10).sort(), [0, 1, 2]);
  assert.deepEqual(allowedFastSet('1.2.3.4', infoHash, 0, 10), []);
  assert.deepEqual(allowedFastSet('2001:db8::1', infoHash, 100, 10), []);
  assert.equal(allowedFastSet('1.2.3.4', infoHash, 100000).length, 10);
});
