import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowWindow } from './virtual.js';

test('only the rows in view (plus overscan) are rendered, with padding for the rest', () => {
  assert.deepEqual(rowWindow(0, 20, 0, 200), { start: 0, end: 0, padTop: 0, padBottom: 0 });
  assert.deepEqual(rowWindow(5, 20, 0, 200, 2), { start: 0, end: 5, padTop: 0, padBottom: 0 });
  const w = rowWindow(10_000, 20, 20_000, 200, 5);
  assert.equal(w.start, 995);
  assert.equal(w.end, 995 + 10 + 10);
  assert.equal(w.padTop + (w.end - w.start) * 20 + w.padBottom, 200_000);
  const bottom = rowWindow(100, 20, 1_000_000, 200, 5);
  assert.equal(bottom.end, 100, 'scrolled past the end still shows the last rows');
});
