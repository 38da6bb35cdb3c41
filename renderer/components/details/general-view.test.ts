import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TorrentInfo } from '../../../engine/api/types.js';
import { InfoCache, errorAdvice, sinceText, stateLabel } from './general-view.js';

test('errors come with something to do', () => {
  assert.match(errorAdvice('ENOSPC: no space left on device'), /disk is full/);
  assert.match(errorAdvice("EACCES: permission denied, open '/x'"), /permissions/);
  assert.match(errorAdvice('ENOENT: no such file or directory'), /Force recheck/);
  assert.match(errorAdvice('piece 3 failed the hash check'), /re-download/);
  assert.match(errorAdvice('something odd'), /Resume/);
  assert.equal(stateLabel('metadata'), 'Fetching metadata');
});

test('ages read as short spans', () => {
  assert.equal(sinceText(null, 1000), '');
  assert.equal(sinceText(1000, 31_000), '30s');
  assert.equal(sinceText(0, 5000), '');
  assert.equal(sinceText(1, 1 + 90_061_000), '1d 1h');
  assert.equal(sinceText(1, 1 + 3_720_000), '1h 2m');
});

test('the info cache asks once per torrent and asks again while metadata is missing', async () => {
  const cache = new InfoCache();
  let calls = 0;
  const info = (pieceCount: number): TorrentInfo => ({ id: 'a', name: 'a', infoHash: 'a', pieceLength: 16384, pieceCount, totalBytes: 0, private: false, comment: null, createdBy: null, creationDate: null, magnetUri: '', files: [], fileCount: 0, trackers: [] });
  const fetchWith = (n: number) => async () => {
    calls++;
    return info(n);
  };
  await Promise.all([cache.load('a', fetchWith(0)), cache.load('a', fetchWith(0))]);
  assert.equal(calls, 1, 'concurrent loads share one request');
  assert.equal(cache.get('a'), undefined, 'no metadata: not kept');
  await cache.load('a', fetchWith(4));
  await cache.load('a', fetchWith(4));
  assert.equal(calls, 2);
  assert.equal(cache.get('a')?.pieceCount, 4);
  await assert.rejects(cache.load('b', async () => Promise.reject(new Error('gone'))));
  assert.equal(cache.get('b'), undefined);
});
