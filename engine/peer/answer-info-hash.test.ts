import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerInfoHash } from './admission.js';
import type { Handshake } from '../wire/index.js';

const V1 = new Uint8Array(20).fill(1);
const V2 = new Uint8Array(20).fill(2);
const PEER_ID = new Uint8Array(20).fill(9);

function handshake(infoHash: Uint8Array, upgradeBit: boolean): Handshake {
  const reserved = new Uint8Array(8);
  reserved[5] = 0x10;
  reserved[7] = 0x04 | (upgradeBit ? 0x10 : 0);
  return { infoHash, peerId: PEER_ID, extensions: { extended: true, fast: true, dht: false }, reserved };
}

test('a hybrid torrent answers a v1 handshake with the upgrade bit with its v2 hash, as libtorrent does (BEP 52 upgrade)', () => {
  const hybrid = { infoHash: V1, infoHashV2: V2, peerId: new Uint8Array(20) };
  assert.deepEqual(answerInfoHash(handshake(V1, true), hybrid), V2);
  assert.deepEqual(answerInfoHash(handshake(V1, false), hybrid), V1, 'a v1-only peer keeps the v1 hash');
  assert.deepEqual(answerInfoHash(handshake(V2, false), hybrid), V2, 'a v2-named connection is answered in kind');
  assert.deepEqual(answerInfoHash(handshake(V2, true), hybrid), V2);
});

test('v1 and v2-only torrents answer with the hash the peer named, whatever its reserved bits say', () => {
  const v1 = { infoHash: V1, peerId: new Uint8Array(20) };
  assert.deepEqual(answerInfoHash(handshake(V1, true), v1), V1);
  const v2Only = { infoHash: V2, infoHashV2: V2, peerId: new Uint8Array(20) };
  assert.deepEqual(answerInfoHash(handshake(V2, true), v2Only), V2);
});
