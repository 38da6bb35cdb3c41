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

test('dueNow (a hole punch): a failed address is due at once, a new one is added; connected, dialling or banned ones are not', () => {
  const book = new AddressBook();
  const a = { host: '203.0.113.5', port: 6881 };
  book.add(a, 0);
  assert.deepEqual(book.candidates(5, 0, undefined), [a]);
  book.markConnected(a.host, a.port);
  assert.equal(book.dueNow(a, 10), false, 'dialling it already');
  book.markDisconnected(a.host, a.port, true, 10);
  assert.deepEqual(book.candidates(5, 10, undefined), [], 'backing off after the failure');
  assert.equal(book.dueNow(a, 10), true);
  assert.deepEqual(book.candidates(5, 10, undefined), [a], 'due at once after dueNow');
  const b = { host: '203.0.113.6', port: 6881 };
  assert.equal(book.dueNow(b, 10), true);
  assert.deepEqual(book.candidates(5, 10, undefined), [b]);
  book.ban('203.0.113.7', 6881);
  assert.equal(book.dueNow({ host: '203.0.113.7', port: 6881 }, 10), false);
});
