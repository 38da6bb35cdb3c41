import test from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import type { Transport } from '../net/transport.js';
import { AddressBook, EARLY_CLOSE_REDIAL_MS, IDLE_REDIAL_MS, closedSession, retryDelayMs, tradedRedialDelayMs } from './address-book.js';
import { PeerConnection, type PeerHandler } from './connection.js';

test('a failed dial is retried after 1 s, then 5 s, 15 s, 1 min, 4 min, ... never more than 30 min apart', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelayMs), [1_000, 5_000, 15_000, 60_000, 240_000]);
  assert.equal(retryDelayMs(20), 30 * 60_000);
});

test('an address that failed once is not a candidate before its retry delay, and is after', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  assert.deepEqual(book.candidates(10, 0), [peer]);
  book.markFailed(peer.host, peer.port, 1_000);
  assert.deepEqual(book.candidates(10, 1_999), []);
  assert.deepEqual(book.candidates(10, 2_000), [peer]);
  book.markFailed(peer.host, peer.port, 3_000);
  assert.deepEqual(book.candidates(10, 7_999), []);
  assert.deepEqual(book.candidates(10, 8_000), [peer]);
});

test('dueNow (a hole punch): a failed address is due at once, a new one is added; connected, dialling or banned ones are not', () => {
  const book = new AddressBook();
  const a = { host: '203.0.113.5', port: 6881 };
  book.add(a, 0);
  assert.deepEqual(book.candidates(5, 0, undefined), [a]);
  book.markConnected(a.host, a.port);
  assert.equal(book.dueNow(a, 10), false, 'dialling it already');
  book.markFailed(a.host, a.port, 10);
  assert.deepEqual(book.candidates(5, 10, undefined), [], 'backing off after the failure');
  assert.equal(book.dueNow(a, 10), true);
  assert.deepEqual(book.candidates(5, 10, undefined), [a], 'due at once after dueNow');
  const b = { host: '203.0.113.6', port: 6881 };
  assert.equal(book.dueNow(b, 10), true);
  assert.deepEqual(book.candidates(5, 10, undefined), [b]);
  book.ban('203.0.113.7', 6881);
  assert.equal(book.dueNow({ host: '203.0.113.7', port: 6881 }, 10), false);
});

/** The first instant (ms, from `from`, 100 ms steps) at which the book offers an address to dial (which it then counts as dialled). */
function dueAt(book: AddressBook, from: number): number {
  for (let t = from; t <= from + 10 * 60_000; t += 100) if (book.candidates(10, t, undefined).length > 0) return t;
  return Infinity;
}

test('a peer that traded with us and closed is redialled after 2 s, then 4 s, 8 s ... at most 1 min while it keeps closing at once', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(tradedRedialDelayMs), [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  let now = 0;
  const waits: number[] = [];
  assert.deepEqual(book.candidates(10, now, undefined), [peer]);
  for (let i = 0; i < 7; i++) {
    book.markConnected(peer.host, peer.port);
    // It fetches our metadata (or some pieces) and closes a second later, as aria2 does after a magnet's metadata.
    now += 1_000;
    book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 1_000 }, now);
    const due = dueAt(book, now);
    waits.push(due - now);
    now = due;
  }
  assert.deepEqual(waits, [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
});

test('a connection that lasted 30 s or more ends the run of quick closes: the next traded close is redialled after 2 s again', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 500 }, 1_000);
  book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 500 }, 5_000);
  assert.equal(dueAt(book, 5_000) - 5_000, 4_000);
  book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 45_000 }, 60_000);
  assert.equal(dueAt(book, 60_000) - 60_000, 2_000);
});

test('a peer that traded nothing is redialled after 30 s, however often it closes, and that keeps its quick-close count', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  for (let now = 0; now < 200_000; now += 40_000) {
    book.markClosed(peer.host, peer.port, { traded: false, byPeer: false, lastedMs: 100 }, now);
    assert.equal(dueAt(book, now) - now, IDLE_REDIAL_MS);
  }
  book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 100 }, 300_000);
  assert.equal(dueAt(book, 300_000) - 300_000, 2_000, 'idle closes are not counted as quick traded closes');
});

test('a completed connection forgets earlier failed dials: after it closes, a failure is retried after 1 s again', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  for (let i = 0; i < 3; i++) book.markFailed(peer.host, peer.port, 0);
  assert.equal(dueAt(book, 0), 15_000);
  book.markClosed(peer.host, peer.port, { traded: true, byPeer: true, lastedMs: 100 }, 20_000);
  book.markFailed(peer.host, peer.port, 22_000);
  assert.equal(dueAt(book, 22_000) - 22_000, 1_000);
});

test('closedSession: traded only when the peer ended a connection that carried piece data or metadata; how long it lasted', () => {
  const transport: Transport = { remoteAddress: '127.0.0.1', remotePort: 6881, write: () => true, destroy: () => {} };
  const remoteFlags: boolean[] = [];
  const handler: PeerHandler = {
    onHandshake: () => true,
    onMessage: () => {},
    onBlock: () => {},
    onClose: (_peer, _reason, remote) => remoteFlags.push(remote),
    onDrain: () => {},
    onReadDone: () => {},
  };
  const clock = new ManualClock(5_000);
  const open = (): PeerConnection => new PeerConnection(transport, handler, { id: 1, infoHash: new Uint8Array(20), peerId: new Uint8Array(20), pieceCount: 8, incoming: false, clock, maxMessageLength: 1 << 17 });
  const idle = open();
  clock.advance(1_500);
  assert.deepEqual(closedSession(idle, true, clock.now()), { traded: false, byPeer: true, lastedMs: 1_500, seed: false });
  const metadata = open();
  metadata.metadataTraded = true;
  assert.equal(closedSession(metadata, true, clock.now()).traded, true);
  assert.equal(closedSession(metadata, false, clock.now()).traded, false, 'we closed it: not redialled soon');
  const uploaded = open();
  uploaded.uploadMeter.add(16_384);
  assert.equal(closedSession(uploaded, true, clock.now()).traded, true);
  // PeerConnection tells the handler which side ended it.
  uploaded.transportClosed('peer closed the connection');
  metadata.close('we chose to');
  assert.deepEqual(remoteFlags, [true, false]);
});

test('a peer that closes a fresh connection before any trade is retried once soon, then after 30 s while it keeps doing so', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  const early = { traded: false, byPeer: true, lastedMs: 40 };
  book.markClosed(peer.host, peer.port, early, 1_000);
  assert.equal(dueAt(book, 1_000) - 1_000, EARLY_CLOSE_REDIAL_MS, 'a crossed connection settled by the peer: dial again soon');
  book.markClosed(peer.host, peer.port, early, 5_000);
  assert.equal(dueAt(book, 5_000) - 5_000, IDLE_REDIAL_MS, 'it closed at once again: the idle wait');
  book.markClosed(peer.host, peer.port, { traded: false, byPeer: true, lastedMs: 20_000 }, 60_000);
  book.markClosed(peer.host, peer.port, early, 100_000);
  assert.equal(dueAt(book, 100_000) - 100_000, EARLY_CLOSE_REDIAL_MS, 'a connection that lasted restores the one quick retry');
  book.markClosed(peer.host, peer.port, { traded: false, byPeer: false, lastedMs: 40 }, 200_000);
  assert.equal(dueAt(book, 200_000) - 200_000, IDLE_REDIAL_MS, 'one we closed ourselves is not retried soon');
});

test('an address whose last connection showed a seed is not dialled while we are a seed too, and is again once we are not', () => {
  const book = new AddressBook();
  const seed = { host: '127.0.0.1', port: 6881 };
  const leech = { host: '127.0.0.1', port: 6882 };
  book.add(seed, 0);
  book.add(leech, 0);
  book.markConnected(seed.host, seed.port);
  book.markConnected(leech.host, leech.port);
  book.markClosed(seed.host, seed.port, { traded: false, byPeer: false, lastedMs: 100, seed: true }, 1_000);
  book.markClosed(leech.host, leech.port, { traded: false, byPeer: false, lastedMs: 100, seed: false }, 1_000);
  const later = 1_000 + IDLE_REDIAL_MS;
  assert.deepEqual(book.candidates(10, later, undefined, true), [leech], 'seeding: only the leecher');
  assert.deepEqual(book.candidates(10, later + 60_000, undefined, false), [seed, leech], 'downloading again: both');
});
