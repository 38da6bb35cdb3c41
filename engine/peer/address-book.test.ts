import test from 'node:test';
import assert from 'node:assert/strict';
import { AddressBook, retryDelayMs } from './address-book.js';

test('a failed dial is retried after 1 s, then 5 s, 15 s, 1 min, 4 min, ... never more than 30 min apart', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(retryDelayMs), [1_000, 5_000, 15_000, 60_000, 240_000]);
  assert.equal(retryDelayMs(20), 30 * 60_000);
});

test('an address that failed once is not a candidate before its retry delay, and is after', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  assert.deepEqual(book.candidates(10, 0), [peer]);
  book.markDisconnected(peer.host, peer.port, true, 1_000);
  assert.deepEqual(book.candidates(10, 1_999), []);
  assert.deepEqual(book.candidates(10, 2_000), [peer]);
  book.markDisconnected(peer.host, peer.port, true, 3_000);
  assert.deepEqual(book.candidates(10, 7_999), []);
  assert.deepEqual(book.candidates(10, 8_000), [peer]);
});
