import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directPart } from './direct-span.js';
import { DIRECT_ALIGN } from './piece-buffers.js';
import { FileStorage } from './storage.js';
import { specFor, tempDir, writePieces } from './test-spec.js';
import { patternBytes as pattern } from '../testing/wait.js';

const A = DIRECT_ALIGN;

test('directPart takes the aligned middle of a span, or nothing when memory and file disagree', () => {
  assert.deepEqual(directPart(0, 0, 4 * A), { start: 0, end: 4 * A });
  assert.deepEqual(directPart(0, 0, 4 * A + 100), { start: 0, end: 4 * A }, 'unaligned tail left to the page cache');
  assert.deepEqual(directPart(100, 8 * A + 100, 3 * A), { start: A, end: 3 * A }, 'unaligned head and tail');
  assert.equal(directPart(0, 100, 8 * A), null, 'file offset and buffer offset differ modulo the alignment');
  assert.equal(directPart(10, 10, A), null, 'no whole aligned block inside');
});

test('pieces land byte for byte whether their spans are aligned, misaligned or split across files', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 64 KiB pieces; the second file starts 100 bytes into a page, so its spans cannot go direct; the last piece is
    // short. Written last piece first, so direct writes also extend files past their end.
    const files = [
      { path: ['t', 'a.bin'], data: pattern(5 * A + 100, 1) },
      { path: ['t', 'b.bin'], data: pattern(200_000, 2) },
      { path: ['t', 'c.bin'], data: pattern(3 * 65536, 3) },
    ];
    const { spec, all } = specFor(files, 65536);
    const storage = new FileStorage(spec, dir);
    await writePieces(storage, all, Array.from({ length: storage.geometry.pieceCount }, (_, i) => storage.geometry.pieceCount - 1 - i));
    storage.close();
    for (const f of files) assert.ok(readFileSync(join(dir, ...f.path)).equals(f.data), f.path.join('/'));
  } finally {
    cleanup();
  }
});
