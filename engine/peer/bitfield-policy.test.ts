// The bitfield policy written down in engine/conformance/DIFFERENCES.md (issue 15): a bitfield whose spare bits (past
// the last piece) are set drops the peer, as BEP 3 says; one of the right size with clear spare bits is taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import type { Transport } from '../net/transport.js';
import { encodeHandshake, encodeMessage } from '../wire/index.js';
import { PeerConnection, type PeerHandler } from './connection.js';

const infoHash = new Uint8Array(20).fill(9);

function peerWith(pieceCount: number): { peer: PeerConnection; closed: () => string | null } {
  let reason: string | null = null;
  const transport: Transport = { remoteAddress: '10.0.0.2', remotePort: 1, write: () => true, destroy: () => {} };
  const handler: PeerHandler = {
    onHandshake: () => true,
    onMessage: () => {},
    onBlock: () => {},
    onClose: (_p, r) => void (reason = r),
    onDrain: () => {},
    onReadDone: () => {},
  };
  const peer = new PeerConnection(transport, handler, { id: 1, infoHash, peerId: new Uint8Array(20).fill(1), pieceCount, incoming: false, clock: new ManualClock(0), maxMessageLength: 1 << 17 });
  peer.receive(encodeHandshake({ infoHash, peerId: new Uint8Array(20).fill(2), extensions: { extended: true, fast: true, dht: false } }));
  return { peer, closed: () => reason };
}

test('a bitfield with a spare bit set drops the peer (BEP 3)', () => {
  const { peer, closed } = peerWith(10);
  peer.receive(encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff, 0xc1]) }));
  assert.ok(peer.closed);
  assert.match(closed() ?? '', /bitfield of 2 bytes does not fit 10 pieces/);
});

test('a bitfield of the right size with clear spare bits is taken', () => {
  const { peer, closed } = peerWith(10);
  peer.receive(encodeMessage({ type: 'bitfield', bits: new Uint8Array([0xff, 0xc0]) }));
  assert.equal(closed(), null);
  assert.equal(peer.isSeed, true);
  assert.equal(peer.bits?.count, 10);
});
