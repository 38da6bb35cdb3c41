// Rate-limit hooks of PeerConnection, with a fake socket and a fake timer driven by a ManualClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { TransferLimits } from '../net/bandwidth.js';
import { FakeScheduler } from '../net/test-scheduler.js';
import { encodeHandshake, encodeMessage, type Message } from '../wire/index.js';
import { PeerConnection, type PeerHandler } from './connection.js';
import type { Transport } from '../net/transport.js';

const BLOCK = 16_384;
const infoHash = new Uint8Array(20).fill(7);

class FakeTransport implements Transport {
  readonly remoteAddress = '10.0.0.1';
  readonly remotePort = 6881;
  readonly written: Uint8Array[] = [];
  paused = false;
  pauses = 0;
  write(data: Uint8Array): boolean {
    this.written.push(data);
    return true;
  }
  destroy(): void {}
  pauseReading(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeReading(): void {
    this.paused = false;
  }
  /** Piece messages written, as [piece, begin, length]. */
  blocks(): [number, number, number][] {
    return this.written.filter((w) => w.length > 13 && w[4] === 7).map((w) => {
      const b = Buffer.from(w.buffer, w.byteOffset, w.length);
      return [b.readUInt32BE(5), b.readUInt32BE(9), b.length - 13];
    });
  }
  messages(type: string): number {
    return this.written.filter((w) => w.length >= 5 && w[4] === ({ reject: 16 } as Record<string, number>)[type]).length;
  }
}

class Handler implements PeerHandler {
  blocks = 0;
  drains = 0;
  onHandshake(): boolean {
    return true;
  }
  onMessage(): void {}
  onBlock(): void {
    this.blocks++;
  }
  onClose(): void {}
  onDrain(): void {
    this.drains++;
  }
  onReadDone(): void {}
}

function setup(limits: { download?: number | null; upload?: number | null }, global: { download?: number | null; upload?: number | null } = {}) {
  const clock = new ManualClock(1_000);
  const timers = new FakeScheduler(clock);
  const globalLimits = new TransferLimits(clock, [], timers);
  globalLimits.set(global);
  const torrentLimits = new TransferLimits(clock, [globalLimits], timers);
  torrentLimits.set(limits);
  const transport = new FakeTransport();
  const handler = new Handler();
  const peer = new PeerConnection(transport, handler, {
    id: 1,
    infoHash,
    peerId: new Uint8Array(20).fill(1),
    pieceCount: 100,
    incoming: false,
    clock,
    maxMessageLength: 1 << 17,
    downloadLimiters: torrentLimits.downloadChain,
    uploadLimiters: torrentLimits.uploadChain,
  });
  peer.receive(encodeHandshake({ infoHash, peerId: new Uint8Array(20).fill(2), extensions: { extended: false, fast: true, dht: false } }));
  return { clock, timers, transport, handler, peer, torrentLimits, globalLimits };
}

function pieceMessage(piece: number, begin: number): Buffer {
  const buf = Buffer.alloc(13 + BLOCK);
  buf.writeUInt32BE(9 + BLOCK, 0);
  buf[4] = 7;
  buf.writeUInt32BE(piece, 5);
  buf.writeUInt32BE(begin, 9);
  return buf;
}

function blockBuffer(): Buffer {
  return Buffer.alloc(BLOCK);
}

function msg(m: Message): Uint8Array {
  return encodeMessage(m);
}

test('download: a read that puts the limiter in debt pauses the socket until the debt is repaid', () => {
  const { timers, transport, handler, peer } = setup({ download: 64 * 1024 });
  // Burst 16 KiB; four blocks in one read: 48 KiB of debt = 750 ms at 64 KiB/s.
  peer.receive(Buffer.concat([0, 1, 2, 3].map((i) => pieceMessage(0, i * BLOCK))));
  assert.equal(handler.blocks, 4, 'a read is handled whole');
  assert.equal(transport.paused, true);
  assert.equal(peer.readingPaused, true);
  timers.advance(749);
  assert.equal(transport.paused, true);
  timers.advance(1);
  assert.equal(transport.paused, false);
  assert.equal(timers.pending, 0);
});

test('download: the global limit pauses the socket even when the torrent has none', () => {
  const { timers, transport, peer } = setup({}, { download: 100_000 });
  peer.receive(pieceMessage(0, 0));
  assert.equal(transport.paused, false, 'one block against a 25000-byte burst');
  peer.receive(pieceMessage(0, BLOCK));
  assert.equal(transport.paused, true);
  timers.advance(1_000);
  assert.equal(transport.paused, false);
});

test('download: only block payload is charged; unlimited chains never pause', () => {
  const { transport, peer, timers } = setup({ download: null });
  for (let i = 0; i < 50; i++) peer.receive(pieceMessage(1, 0));
  assert.equal(transport.pauses, 0);
  assert.equal(timers.created, 0);
  const limited = setup({ download: 20_000 });
  for (let i = 0; i < 100; i++) limited.peer.receive(msg({ type: 'have', index: i }));
  assert.equal(limited.transport.pauses, 0, 'protocol messages are not payload');
});

test('download: closing the connection leaves no waiter behind', () => {
  const { peer, torrentLimits } = setup({ download: 10_000 });
  peer.receive(pieceMessage(0, 0));
  peer.receive(pieceMessage(0, BLOCK));
  assert.equal(torrentLimits.download.waiting, 1);
  peer.close('test');
  assert.equal(torrentLimits.download.waiting, 0);
});

test('upload: blocks past the limit wait in order, go out as tokens come, then onDrain asks for more', () => {
  const { timers, transport, handler, peer } = setup({ upload: 32 * 1024 });
  // Burst 16 KiB: the first block empties it, the second overdraws it, the third waits.
  assert.equal(peer.sendBlock(5, 0, blockBuffer()), true);
  assert.equal(peer.sendBlock(5, BLOCK, blockBuffer()), true);
  assert.equal(peer.sendBlock(5, 2 * BLOCK, blockBuffer()), false, 'held back: the caller waits for onDrain');
  assert.equal(peer.sendBlock(5, 3 * BLOCK, blockBuffer()), false);
  assert.deepEqual(transport.blocks().map((b) => b[1]), [0, BLOCK]);
  assert.equal(peer.uploadMeter.total, 2 * BLOCK, 'the meter counts blocks sent, not blocks queued');
  assert.equal(peer.blocksWaiting.length, 2);
  timers.advance(499);
  assert.equal(transport.blocks().length, 2);
  timers.advance(1);
  assert.deepEqual(transport.blocks().map((b) => b[1]), [0, BLOCK, 2 * BLOCK]);
  assert.equal(handler.drains, 1, 'room for another block read');
  timers.advance(500);
  assert.deepEqual(transport.blocks().map((b) => b[1]), [0, BLOCK, 2 * BLOCK, 3 * BLOCK]);
  assert.equal(handler.drains, 2);
  assert.equal(peer.blocksWaiting.length, 0);
  assert.deepEqual(transport.blocks()[3], [5, 3 * BLOCK, BLOCK], 'the header was written in place');
});

test('upload: a cancelled request is not sent; choking drops held-back blocks and rejects them (fast extension)', () => {
  const { timers, transport, peer } = setup({ upload: 16 * 1024 });
  peer.unchoke();
  peer.sendBlock(1, 0, blockBuffer());
  peer.sendBlock(1, BLOCK, blockBuffer());
  peer.sendBlock(1, 2 * BLOCK, blockBuffer());
  peer.sendBlock(1, 3 * BLOCK, blockBuffer());
  assert.equal(peer.blocksWaiting.length, 2);
  peer.receive(msg({ type: 'cancel', index: 1, begin: 2 * BLOCK, length: BLOCK }));
  assert.equal(peer.blocksWaiting.length, 1);
  peer.choke();
  assert.equal(peer.blocksWaiting.length, 0);
  assert.equal(transport.messages('reject'), 1);
  timers.advance(10_000);
  assert.deepEqual(transport.blocks().map((b) => b[1]), [0, BLOCK]);
});

test('upload: an unlimited chain sends at once with no timers', () => {
  const { timers, transport, peer } = setup({ upload: null }, { upload: null });
  for (let i = 0; i < 100; i++) assert.equal(peer.sendBlock(2, 0, blockBuffer()), true);
  assert.equal(transport.blocks().length, 100);
  assert.equal(timers.created, 0);
});

test('upload: raising the limit at runtime releases waiting blocks sooner', () => {
  const { timers, transport, peer, torrentLimits } = setup({ upload: 1_000 });
  for (let i = 0; i < 4; i++) peer.sendBlock(3, i * BLOCK, blockBuffer());
  assert.equal(transport.blocks().length, 2);
  torrentLimits.set({ upload: null });
  timers.advance(0);
  assert.equal(transport.blocks().length, 4);
});
