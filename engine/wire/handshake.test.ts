import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHandshake, decodeHandshakeHead, encodeHandshake, HANDSHAKE_LENGTH } from './handshake.js';
import { WireError } from './errors.js';

const infoHash = new Uint8Array(20).map((_, i) => i + 1);
const peerId = new TextEncoder().encode('-TS0100-abcdefghijkl');

test('handshake round-trips with each extension bit', () => {
  for (const extended of [false, true]) {
    for (const fast of [false, true]) {
      for (const dht of [false, true]) {
        const buf = encodeHandshake({ infoHash, peerId, extensions: { extended, fast, dht } });
        assert.equal(buf.length, HANDSHAKE_LENGTH);
        const h = decodeHandshake(buf);
        assert.deepEqual(h.extensions, { extended, fast, dht });
        assert.deepEqual(h.infoHash, infoHash);
        assert.deepEqual(h.peerId, peerId);
      }
    }
  }
});

test('handshake layout and reserved bits', () => {
  const buf = encodeHandshake({ infoHash, peerId, extensions: { extended: true, fast: true, dht: true } });
  assert.equal(buf[0], 19);
  assert.equal(new TextDecoder().decode(buf.subarray(1, 20)), 'BitTorrent protocol');
  assert.deepEqual([...buf.subarray(20, 28)], [0, 0, 0, 0, 0, 0x10, 0, 0x05]);
  const h = decodeHandshake(buf);
  assert.deepEqual([...h.reserved], [0, 0, 0, 0, 0, 0x10, 0, 0x05]);
});

test('decodeHandshake ignores trailing stream bytes and copies its fields', () => {
  const buf = new Uint8Array(HANDSHAKE_LENGTH + 5);
  buf.set(encodeHandshake({ infoHash, peerId, extensions: { extended: false, fast: false, dht: false } }));
  const h = decodeHandshake(buf);
  buf.fill(0);
  assert.deepEqual(h.infoHash, infoHash);
  const head = decodeHandshakeHead(encodeHandshake({ infoHash, peerId, extensions: { extended: true, fast: false, dht: false } }).subarray(0, 48));
  assert.deepEqual(head.infoHash, infoHash);
  assert.equal(head.extensions.extended, true);
});

test('bad handshakes throw WireError', () => {
  const good = encodeHandshake({ infoHash, peerId, extensions: { extended: false, fast: false, dht: false } });
  assert.throws(() => decodeHandshake(good.subarray(0, 67)), WireError);
  const badLen = good.slice();
  badLen[0] = 18;
  assert.throws(() => decodeHandshake(badLen), /pstrlen 18/);
  const badName = good.slice();
  badName[5] = 0x78;
  assert.throws(() => decodeHandshake(badName), WireError);
  assert.throws(() => encodeHandshake({ infoHash: new Uint8Array(19), peerId, extensions: { extended: false, fast: false, dht: false } }), WireError);
  assert.throws(() => encodeHandshake({ infoHash, peerId: new Uint8Array(21), extensions: { extended: false, fast: false, dht: false } }), WireError);
});
