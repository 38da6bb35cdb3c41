import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overallProgress } from './overall-progress.js';
import { summary } from './test-rows.js';

test('overall progress counts only torrents still downloading, weighted by wanted bytes', () => {
  assert.equal(overallProgress([]), null);
  assert.equal(overallProgress([summary('a'.repeat(40), { state: 'seeding', progress: 1, wantedBytes: 100, doneBytes: 100 })]), null);
  const rows = [
    summary('a'.repeat(40), { state: 'downloading', progress: 0.25, wantedBytes: 400, doneBytes: 100 }),
    summary('b'.repeat(40), { state: 'queued', queuedFor: 'download', progress: 0.5, wantedBytes: 200, doneBytes: 100 }),
    summary('c'.repeat(40), { state: 'paused', progress: 0, wantedBytes: 1000, doneBytes: 0 }),
    summary('d'.repeat(40), { state: 'seeding', progress: 1, wantedBytes: 1000, doneBytes: 1000 }),
  ];
  assert.equal(overallProgress(rows), 0.333);
});
