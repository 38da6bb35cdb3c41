import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileUrl, percentEncode, spansOf, type WebSeedLayout } from './web-seed-layout.js';
import { parseRetryAfter } from '../net/http-range.js';

const multi: WebSeedLayout = {
  multiFile: true,
  files: [
    { path: ['name', 'a.bin'], length: 100, offset: 0, padding: false },
    { path: ['name', 'empty'], length: 0, offset: 100, padding: false },
    { path: ['name', '.pad', '28'], length: 28, offset: 100, padding: true },
    { path: ['name', 'sub dir', 'b#?%ü.bin'], length: 200, offset: 128, padding: false },
  ],
};

test('file URLs: single-file base used as is unless it ends in a slash; multi-file paths percent-encoded per component', () => {
  const single: WebSeedLayout = { multiFile: false, files: [{ path: ['my file.iso'], length: 10, offset: 0, padding: false }] };
  assert.equal(fileUrl('http://h/dl/my%20file.iso', single, 0), 'http://h/dl/my%20file.iso');
  assert.equal(fileUrl('http://h/dl/', single, 0), 'http://h/dl/my%20file.iso');
  assert.equal(fileUrl('https://h/x/', multi, 3), 'https://h/x/name/sub%20dir/b%23%3F%25%C3%BC.bin');
  assert.equal(fileUrl('https://h/x', multi, 0), 'https://h/x/name/a.bin');
});

test('a torrent range spanning files becomes one span per file, skipping empty files', () => {
  assert.deepEqual(spansOf(multi, 50, 50), [{ file: 0, fileOffset: 50, length: 50, rangeOffset: 0 }]);
  assert.deepEqual(spansOf(multi, 90, 60), [
    { file: 0, fileOffset: 90, length: 10, rangeOffset: 0 },
    { file: 2, fileOffset: 0, length: 28, rangeOffset: 10 },
    { file: 3, fileOffset: 0, length: 22, rangeOffset: 38 },
  ]);
  assert.deepEqual(spansOf(multi, 300, 28), [{ file: 3, fileOffset: 172, length: 28, rangeOffset: 0 }]);
  const total = spansOf(multi, 0, 328).reduce((n, s) => n + s.length, 0);
  assert.equal(total, 328);
});

test('Retry-After as seconds or an HTTP date, capped at an hour', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  assert.equal(parseRetryAfter('5', now), 5000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('Sun, 06 Dec 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sun, 06 Dec 2026 11:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('999999999', now), 3_600_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('bytes between files (implied alignment padding) get no span', () => {
  const gappy: WebSeedLayout = {
    multiFile: true,
    files: [
      { path: ['n', 'a'], length: 10, offset: 0, padding: false },
      { path: ['n', 'b'], length: 10, offset: 16, padding: false },
    ],
  };
  assert.deepEqual(spansOf(gappy, 0, 32), [
    { file: 0, fileOffset: 0, length: 10, rangeOffset: 0 },
    { file: 1, fileOffset: 0, length: 10, rangeOffset: 16 },
  ]);
});

test('percent-encoding bytes gives what encodeURIComponent gives for valid UTF-8', () => {
  for (const s of ['plain.bin', 'sub dir', 'b#?%ü.bin', "it's (1)*!~", '日本語 файл']) assert.equal(percentEncode(Buffer.from(s)), encodeURIComponent(s), s);
});
