import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTorrentFileName, isUsableMagnet, magnetLabel, magnetsFromText, magnetsFromTransfer, magnetsFromUriList } from './add-links.js';

const H1 = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Ubuntu+24.04';
const H2 = 'magnet:?xt=urn:btih:fedcba9876543210fedcba9876543210fedcba98';

test('uri-list: magnets kept in order, comments, blanks, http links and repeats ignored', () => {
  const list = `# dragged from a browser\r\n${H1}\r\nhttps://example.org/a.torrent\r\n\r\n${H2}\r\n${H1}\r\n`;
  assert.deepEqual(magnetsFromUriList(list), [H1, H2]);
  assert.deepEqual(magnetsFromUriList(''), []);
});

test('free text: several magnets among words, trailing punctuation dropped', () => {
  const text = `get this (${H1}) and this: ${H2}. thanks`;
  assert.deepEqual(magnetsFromText(text), [H1, H2]);
});

test('free text: bare info hashes on their own line become magnets; junk ignored', () => {
  assert.deepEqual(magnetsFromText('0123456789ABCDEF0123456789ABCDEF01234567'), ['magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567']);
  assert.deepEqual(magnetsFromText('abcdefghijklmnopqrstuvwxyz234567'), ['magnet:?xt=urn:btih:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567']);
  assert.deepEqual(magnetsFromText('hello world'), []);
  assert.deepEqual(magnetsFromText('magnet:?dn=no-hash'), []);
  assert.deepEqual(magnetsFromText('the hash is 0123456789abcdef0123456789abcdef01234567 ok'), []);
});

test('a transfer merges uri-list and plain text without repeats', () => {
  const data: Record<string, string> = { 'text/uri-list': H1, 'text/plain': `${H1}\n${H2}` };
  assert.deepEqual(magnetsFromTransfer((t) => data[t] ?? ''), [H1, H2]);
  assert.deepEqual(magnetsFromTransfer(() => ''), []);
});

test('isUsableMagnet rejects oversized and hashless links', () => {
  assert.ok(isUsableMagnet(H1));
  assert.ok(!isUsableMagnet('magnet:?xt=urn:sha1:abc'));
  assert.ok(!isUsableMagnet(`${H1}&tr=${'x'.repeat(70_000)}`));
});

test('magnetLabel prefers dn, falls back to the hash', () => {
  assert.equal(magnetLabel(H1), 'Ubuntu 24.04');
  assert.equal(magnetLabel(H2), 'fedcba9876543210fedcba9876543210fedcba98');
  assert.equal(magnetLabel('magnet:?dn=%E2%9C%93%20ok&xt=urn:btih:aa'), '✓ ok');
  assert.equal(magnetLabel('magnet:?dn=%E2%9C'), '%E2%9C');
  assert.equal(magnetLabel('magnet:?'), 'Magnet link');
});

test('isTorrentFileName', () => {
  assert.ok(isTorrentFileName('a.TORRENT'));
  assert.ok(!isTorrentFileName('a.torrent.txt'));
});
