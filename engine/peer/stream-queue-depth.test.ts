// While a stream reads, a peer fit for its blocks keeps only the urgent blocks and a shallow queue in flight
// (deadline-swap.ts, streamingTarget); without a stream, the usual pipeline. Through the peer manager's refill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../common/bitfield.js';
import { ManualClock } from '../common/clock.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { TransferLimits } from '../net/bandwidth.js';
import type { PeerStream, StreamSink } from '../net/transport.js';
import { PiecePicker } from '../picker/index.js';
import { encodeMessage, makePeerId } from '../wire/index.js';
import { PeerManager, type SwarmHost } from './peer-manager.js';
import { MIN_PIPELINE } from './request-pipeline.js';

/** A socket that takes every write; `feed` hands the peer manager bytes as if the remote peer sent them. */
class OpenStream implements PeerStream {
  readonly remoteAddress = '10.0.0.7';
  readonly remotePort = 6881;
  destroyed = false;
  private sink: StreamSink | null = null;
  write(): boolean {
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  attach(sink: StreamSink): void {
    this.sink = sink;
  }
  pauseReading(): void {}
  resumeReading(): void {}
  feed(bytes: Uint8Array): void {
    this.sink?.receive(bytes);
  }
}

/** A seeding peer that has unchoked us, in a swarm of one; its requests in flight are `peer.requests.size`. */
function seederWithPicker(deadlines: { pieces: number[]; times: number[] } | null) {
  const clock = new ManualClock(10_000);
  const geometry = new PieceGeometry(256 * 16 * BLOCK_SIZE, 16 * BLOCK_SIZE); // 256 pieces of 16 blocks
  const picker = new PiecePicker(geometry, { now: () => clock.now() });
  if (deadlines) picker.setDeadlines(deadlines.pieces, deadlines.times, deadlines.pieces.length);
  const infoHash = new Uint8Array(20).fill(9);
  const host: SwarmHost = {
    have: new Bitfield(geometry.pieceCount),
    uploaded: () => {},
    fail: () => {},
    downloading: true,
    active: true,
    complete: false,
    diskBusy: false,
    greet: () => {},
    blockReceived: () => {},
    extendedHandshake: () => {},
    extendedMessage: () => {},
    log: () => {},
  };
  const swarm = new PeerManager(
    { infoHash, peerId: makePeerId(), clock, dial: () => Promise.reject(new Error('no dialling here')), picker, storage: { geometry, readBlock: () => Promise.resolve() }, limits: new TransferLimits(clock) },
    host,
  );
  const stream = new OpenStream();
  swarm.accept(stream, { infoHash, peerId: makePeerId(), extensions: { extended: false, fast: true, dht: false }, reserved: new Uint8Array(8) });
  const peer = [...swarm.peers][0];
  assert.ok(peer);
  stream.feed(encodeMessage({ type: 'haveAll' }));
  stream.feed(encodeMessage({ type: 'unchoke' }));
  return { peer, swarm, clock };
}

test('no stream: a new peer gets the usual pipeline (MIN_PIPELINE)', () => {
  const { peer } = seederWithPicker(null);
  assert.equal(peer.requests.size, MIN_PIPELINE);
});

test('a stream reads: every block due within 500 ms is requested at once, plus 16 more; later deadlines wait', () => {
  // Pieces 100..104 due now, +200, +450 ms (urgent: 48 blocks), +700 and +950 ms (not yet).
  const now = 10_000;
  const { peer, swarm, clock } = seederWithPicker({ pieces: [100, 101, 102, 103, 104], times: [now, now + 200, now + 450, now + 700, now + 950] });
  assert.equal(peer.requests.size, 48 + 16, 'the urgent blocks and a shallow queue, not 1 MiB or 2 s of a rate');
  clock.advance(300); // 103 is now due within 500 ms: its blocks join at the next refill
  swarm.refillAll();
  assert.equal(peer.requests.size, 64 + 16);
});
