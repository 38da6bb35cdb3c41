import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from './storage.js';
import { specFor } from './test-spec.js';
import { FileLayout, resolveInside, PathEscapeError } from './layout.js';
import { patternBytes as pattern } from '../testing/wait.js';


test('layout maps ranges across files, skipping empty ones', () => {
  const layout = new FileLayout([
    { absPath: '/d/a', offset: 0, length: 10, padding: false },
    { absPath: '/d/e', offset: 10, length: 0, padding: false },
    { absPath: '/d/b', offset: 10, length: 5, padding: false },
    { absPath: '/d/c', offset: 15, length: 20, padding: false },
  ]);
  assert.deepEqual(layout.spans(8, 10), [
    { fileIndex: 0, fileOffset: 8, length: 2, rangeOffset: 0 },
    { fileIndex: 2, fileOffset: 0, length: 5, rangeOffset: 2 },
    { fileIndex: 3, fileOffset: 0, length: 3, rangeOffset: 7 },
  ]);
  assert.deepEqual(layout.spans(20, 15), [{ fileIndex: 3, fileOffset: 5, length: 15, rangeOffset: 0 }]);
});

test('resolveInside refuses anything that could leave the folder', () => {
  assert.equal(resolveInside('/dl', ['a', 'b.txt']), '/dl/a/b.txt');
  assert.equal(resolveInside('/dl', ['....evil', 'x']), '/dl/....evil/x', 'dots inside a name are just a name');
  for (const bad of [['..', 'x'], ['a', '..', '..', 'x'], ['/etc/passwd'], ['a/b'], ['a\\b'], [''], ['.']]) {
    assert.throws(() => resolveInside('/dl', bad), PathEscapeError, JSON.stringify(bad));
  }
});

test('the file system root is a folder like any other (moveStorage to / was refused as an escape)', () => {
  assert.equal(resolveInside('/', ['films', 'a.mkv']), '/films/a.mkv');
  for (const bad of [['..', 'x'], ['..']]) assert.throws(() => resolveInside('/', bad), PathEscapeError, JSON.stringify(bad));
});

test('blocks collect into pieces that are hashed, written, and re-verified', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-storage-'));
  try {
    const files = [
      { path: ['t', 'a.bin'], data: pattern(40_000, 1) },
      { path: ['t', 'empty'], data: Buffer.alloc(0) },
      { path: ['t', 'sub', 'b.bin'], data: pattern(30_001, 2) },
    ];
    const { spec, all } = specFor(files, 32_768);
    const storage = new FileStorage(spec, dir);
    storage.createEmptyFiles();
    assert.ok(existsSync(join(dir, 't', 'empty')));
    const g = storage.geometry;
    assert.equal(g.pieceCount, 3);
    for (let p = 0; p < g.pieceCount; p++) {
      for (let b = 0; b < g.blocksInPiece(p); b++) {
        const begin = b * 16384;
        const off = g.pieceOffset(p) + begin;
        storage.writeBlock(p, begin, all.subarray(off, off + g.blockSize(p, b)));
      }
      assert.equal(await storage.finishPiece(p), true);
    }
    assert.deepEqual(readFileSync(join(dir, 't', 'a.bin')), files[0].data);
    assert.deepEqual(readFileSync(join(dir, 't', 'sub', 'b.bin')), files[2].data);
    const block = Buffer.alloc(100);
    await storage.readBlock(1, 100, 100, block, 0);
    assert.deepEqual(block, all.subarray(32_768 + 100, 32_768 + 200));
    const have = await storage.verify();
    assert.equal(have.count, 3);
    storage.close();

    // Corrupt one byte of the second file: only the pieces touching it fail.
    const b = readFileSync(join(dir, 't', 'sub', 'b.bin'));
    b[29_000] ^= 0xff;
    writeFileSync(join(dir, 't', 'sub', 'b.bin'), b);
    const again = new FileStorage(spec, dir);
    const have2 = await again.verify();
    assert.deepEqual([have2.has(0), have2.has(1), have2.has(2)], [true, true, false]);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt piece is rejected and never reaches the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-storage-'));
  try {
    const { spec, all } = specFor([{ path: ['x.bin'], data: pattern(20_000, 3) }], 32_768);
    const storage = new FileStorage(spec, dir);
    const bad = Buffer.from(all);
    bad[5] ^= 1;
    storage.writeBlock(0, 0, bad.subarray(0, 16384));
    storage.writeBlock(0, 16384, bad.subarray(16384));
    assert.equal(await storage.finishPiece(0), false);
    assert.equal(existsSync(join(dir, 'x.bin')), false);
    assert.equal(storage.partialPieces, 0);
    storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify treats missing and short files as missing pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-storage-'));
  try {
    const data = pattern(50_000, 4);
    const { spec } = specFor([{ path: ['y.bin'], data }], 16_384);
    mkdirSync(dir, { recursive: true });
    const storage = new FileStorage(spec, dir);
    assert.equal((await storage.verify()).count, 0);
    writeFileSync(join(dir, 'y.bin'), data.subarray(0, 20_000));
    const have = await storage.verify();
    assert.deepEqual([0, 1, 2, 3].map((p) => have.has(p)), [true, false, false, false]);
    storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
