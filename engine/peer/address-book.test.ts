import test from 'node:test';
import assert from 'node:assert/strict';
import { AddressBook, retryDelayMs } from './address-book.js';

test('a failed dial is retried after 5 s, then 15 s, 45 s, ... never more than 30 min apart', () => {
  assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [5_000, 15_000, 45_000, 135_000]);
  assert.equal(retryDelayMs(20), 30 * 60_000);
});

test('an address that failed once is not a candidate before its retry delay, and is after', () => {
  const book = new AddressBook();
  const peer = { host: '127.0.0.1', port: 6881 };
  book.add(peer, 0);
  assert.deepEqual(book.candidates(10, 0), [peer]);
  book.markDisconnected(peer.host, peer.port, true, 1_000);
  assert.deepEqual(book.candidates(10, 5_999), []);
  assert.deepEqual(book.candidates(10, 6_000), [peer]);
  book.markDisconnected(peer.host, peer.port, true, 7_000);
  assert.deepEqual(book.candidates(10, 21_999), []);
  assert.deepEqual(book.candidates(10, 22_000), [peer]);
});
