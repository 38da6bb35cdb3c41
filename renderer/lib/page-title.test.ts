import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TorrentSummary } from '../../engine/api/types.js';
import { pageTitle as titleOf } from './page-title.js';
import { summary } from './test-rows.js';

const pageTitle = (rows: TorrentSummary[]): string => titleOf(new Map(rows.map((t) => [t.id, t])));

test('the page title shows overall progress and the active downloads, in plain text', () => {
  assert.equal(pageTitle([]), 'Tessera');
  assert.equal(pageTitle([summary('s', { state: 'seeding', progress: 1, doneBytes: 1000 })]), 'Tessera');
  const rows = [
    summary('a', { state: 'downloading', doneBytes: 300, wantedBytes: 1000, progress: 0.3 }),
    summary('b', { state: 'stalled', doneBytes: 540, wantedBytes: 1000, progress: 0.54 }),
    summary('c', { state: 'downloading', doneBytes: 999, wantedBytes: 1000, progress: 0.999 }),
    summary('p', { state: 'paused', doneBytes: 0, wantedBytes: 1000, progress: 0 }),
  ];
  assert.equal(pageTitle(rows), '↓ 61% · 3 active — Tessera');
  assert.equal(pageTitle([summary('c', { state: 'downloading', doneBytes: 999, wantedBytes: 1000, progress: 0.999 })]), '↓ 99% · 1 active — Tessera', 'never 100% while data is missing');
  assert.doesNotMatch(pageTitle(rows), /\p{Extended_Pictographic}/u, 'no emoji');
});
