// Back-pressure of PeerConnection (issue 15): a peer that does not read what we send stops being read, and past a
// hard cap is dropped; rejects of one read go out in one write; a session-wide budget caps all connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { SendBudget } from '../net/send-budget.js';
import type { Transport } from '../net/transport.js';
import { encodeHandshake, encodeMessage } from '../wire/index.js';
import { PeerConnection, type PeerHandler } from './connection.js';
import { HARD_BACKLOG, SOFT_BACKLOG } from './send-backlog.js';

const infoHash = new Uint8Array(20).fill(7);

/** A socket whose buffer is full once `room` bytes were written, until drain() is called. */
class FullSocket implements Transport {
  readonly remoteAddress = '10.0.0.1';
  readonly remotePort = 6881;
  writes = 0;
  bytes = 0;
  paused = false;
  destroyed = false;
  constructor(private room: number) {}
  write(data: Uint8Array): boolean {
    this.writes++;
    this.bytes += data.length;
    this.room -= data.length;
    return this.room > 0;
  }
  destroy(): void {
    this.destroyed = true;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    this.paused = false;
  }
}

class Handler implements PeerHandler {
  closedWith: string | null = null;
  requests = 0;
  constructor(private readonly onRequest: (peer: PeerConnection, piece: number, begin: number, length: number) => void = () => {}) {}
  onHandshake(): boolean {
    return true;
  }
  onMessage(peer: PeerConnection, m: Parameters<PeerHandler['onMessage']>[1]): void {
    if (m.type === 'request') {
      this.requests++;
      this.onRequest(peer, m.index, m.begin, m.length);
    }
  }
  onBlock(): void {}
  onClose(_p: PeerConnection, reason: string): void {
    this.closedWith = reason;
  }
  onDrain(): void {}
  onReadDone(): void {}
}

function connection(room: number, handler: Handler, budget?: SendBudget): { peer: PeerConnection; socket: FullSocket; clock: ManualClock } {
  const clock = new ManualClock(1_000);
  const socket = new FullSocket(room);
  const peer = new PeerConnection(socket, handler, { id: 1, infoHash, peerId: new Uint8Array(20).fill(1), pieceCount: 64, incoming: false, clock, maxMessageLength: 1 << 17, sendBudget: budget });
  // The remote handshake with the Fast bit.
  peer.receive(encodeHandshake({ infoHash, peerId: new Uint8Array(20).fill(2), extensions: { extended: true, fast: true, dht: false } }));
  return { peer, socket, clock };
}

function requests(n: number): Buffer {
  const one = encodeMessage({ type: 'request', index: 1, begin: 0, length: 16384 });
  return Buffer.concat(Array.from({ length: n }, () => one));
}

test('the rejects of one read go out in one write', () => {
  const handler = new Handler((peer, piece, begin, length) => peer.reject(piece, begin, length));
  const { peer, socket } = connection(1 << 30, handler);
  const before = socket.writes;
  peer.receive(requests(3000));
  assert.equal(handler.requests, 3000);
  assert.equal(socket.writes - before, 1, 'one write for 3,000 rejects');
  assert.equal(socket.bytes, 3000 * 17);
});

test('a peer that does not read is not read either, and reading resumes when its socket drains', () => {
  const handler = new Handler();
  const { peer, socket, clock } = connection(0, handler);
  const block = new Uint8Array(16_384);
  let n = 0;
  while (!socket.paused) {
    assert.ok(n++ < 1000, 'reading never paused');
    peer.send(block);
  }
  assert.ok(peer.sendBacklogBytes > SOFT_BACKLOG && peer.sendBacklogBytes < SOFT_BACKLOG + 20_000);
  assert.equal(peer.sendStalledSince, 1_000);
  clock.advance(5);
  peer.drained();
  assert.equal(socket.paused, false);
  assert.equal(peer.sendStalledSince, null);
  assert.equal(handler.closedWith, null);
});

test('past the hard cap the peer is dropped', () => {
  const handler = new Handler();
  const { peer, socket } = connection(0, handler);
  const block = new Uint8Array(64 * 1024);
  for (let i = 0; i < (HARD_BACKLOG / block.length) * 2 && !peer.closed; i++) peer.send(block);
  assert.ok(peer.closed);
  assert.ok(socket.destroyed);
  assert.match(handler.closedWith ?? '', /does not read/);
});

test('the session budget caps the sum over connections and is given back on close and drain', () => {
  const budget = new SendBudget(3 * 1024 * 1024);
  const block = new Uint8Array(64 * 1024);
  const peers = Array.from({ length: 8 }, () => connection(0, new Handler(), budget));
  // Each stays under its own soft cap, but together they pass the session's.
  for (let round = 0; round < 12; round++) for (const { peer } of peers) peer.send(block);
  const dropped = peers.filter((p) => p.peer.closed).length;
  assert.ok(dropped > 0, 'some connection was dropped');
  assert.ok(budget.queued <= budget.limit + 8 * (block.length + 256), `budget ${budget.queued}`);
  for (const { peer } of peers) if (!peer.closed) peer.drained();
  assert.equal(budget.queued, 0);
});
