// A slow reader (issue 15): a peer whose socket takes nothing we send is choked after 20 s and dropped after 60 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../common/bitfield.js';
import { ManualClock } from '../common/clock.js';
import { PieceGeometry } from '../common/geometry.js';
import { TransferLimits } from '../net/bandwidth.js';
import type { PeerStream, StreamSink } from '../net/transport.js';
import { PiecePicker } from '../picker/index.js';
import { makePeerId } from '../wire/index.js';
import { PeerManager, type SwarmHost } from './peer-manager.js';

/** A socket that is always full: every write is queued, no drain ever comes. */
class NeverReads implements PeerStream {
  readonly remoteAddress = '10.0.0.3';
  readonly remotePort = 5000;
  destroyed = false;
  write(): boolean {
    return false;
  }
  destroy(): void {
    this.destroyed = true;
  }
  attach(_sink: StreamSink): void {}
  pauseReading(): void {}
  resumeReading(): void {}
}

test('a peer that takes nothing we send is choked after 20 s and dropped after 60 s', () => {
  const clock = new ManualClock(1_000);
  const geometry = new PieceGeometry(64 * 16_384, 16_384);
  const infoHash = new Uint8Array(20).fill(4);
  const logs: string[] = [];
  const host: SwarmHost = {
    have: Bitfield.full(geometry.pieceCount),
    uploaded: () => {},
    fail: () => {},
    downloading: false,
    active: true,
    complete: true,
    diskBusy: false,
    greet: () => {},
    blockReceived: () => {},
    extendedHandshake: () => {},
    extendedMessage: () => {},
    log: (line) => logs.push(line),
  };
  const swarm = new PeerManager(
    {
      infoHash,
      peerId: makePeerId(),
      clock,
      dial: () => Promise.reject(new Error('no dialling here')),
      picker: new PiecePicker(geometry),
      storage: { geometry, readBlock: () => Promise.resolve() },
      limits: new TransferLimits(clock),
    },
    host,
  );
  const stream = new NeverReads();
  swarm.accept(stream, { infoHash, peerId: makePeerId(), extensions: { extended: false, fast: true, dht: false }, reserved: new Uint8Array(8) });
  const peer = [...swarm.peers][0];
  assert.ok(peer && peer.sendStalledSince !== null, 'our handshake is already queued, unread');
  // An interested peer the choker keeps unchoked (the only one, so there is a slot for it).
  peer.peerInterested = true;
  peer.unchoke();
  clock.advance(15_000);
  swarm.tick(clock.now());
  assert.equal(peer.amChoking, false, 'still unchoked at 15 s');
  clock.advance(6_000);
  swarm.tick(clock.now());
  assert.equal(peer.amChoking, true, 'choked after 20 s');
  assert.equal(peer.closed, false);
  clock.advance(40_000);
  swarm.tick(clock.now());
  assert.equal(peer.closed, true, 'dropped after 60 s');
  assert.ok(stream.destroyed);
});
