import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStorage, StorageError } from './storage.js';
import { PathEscapeError } from './layout.js';
import { specFor, tempDir, writePieces, type TestFile } from './test-spec.js';
import { patternBytes as pattern } from '../testing/wait.js';

/** Two files in folder t: a.bin [0, 40000), sub/b.bin [40000, 70001); pieces of 32 KiB: 0 = a, 1 = a+b, 2 = b. */
function twoFiles(): TestFile[] {
  return [
    { path: ['t', 'a.bin'], data: pattern(40_000, 1) },
    { path: ['t', 'sub', 'b.bin'], data: pattern(30_001, 2) },
  ];
}

function rejectsWith(code: string): (err: unknown) => boolean {
  return (err) => err instanceof StorageError && err.code === code;
}

describe('Storage.renameFile', () => {
  it('moves the file on disk; later writes and reads use the new path', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = twoFiles();
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all, [0, 1]); // b.bin partly written
      await storage.renameFile(1, ['t', 'renamed', 'B.bin']);
      assert.equal(existsSync(join(dir, 't', 'sub', 'b.bin')), false);
      assert.equal(existsSync(join(dir, 't', 'sub')), false, 'the emptied old folder is removed');
      assert.equal(storage.files[1].absPath, join(dir, 't', 'renamed', 'B.bin'));
      assert.deepEqual(storage.filePath(1), ['t', 'renamed', 'B.bin']);
      await writePieces(storage, all, [2]);
      assert.equal(existsSync(join(dir, 't', 'sub', 'b.bin')), false, 'no write recreated the old path');
      assert.deepEqual(readFileSync(join(dir, 't', 'renamed', 'B.bin')), files[1].data);
      const block = Buffer.alloc(1000);
      await storage.readBlock(2, 100, 1000, block, 0);
      assert.deepEqual(block, all.subarray(65_536 + 100, 65_536 + 1100));
      assert.equal((await storage.verify()).count, 3);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('renames a file not on disk yet by changing the layout only', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = twoFiles();
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      await storage.renameFile(0, ['t', 'first.bin']);
      assert.equal(existsSync(join(dir, 't')), false);
      await writePieces(storage, all);
      assert.deepEqual(readFileSync(join(dir, 't', 'first.bin')), files[0].data);
      assert.equal(existsSync(join(dir, 't', 'a.bin')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('waits for a write in flight, which lands in the renamed file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = twoFiles();
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all, [0]);
      const g = storage.geometry;
      for (let b = 0; b < g.blocksInPiece(1); b++) storage.writeBlock(1, b * 16_384, all.subarray(32_768 + b * 16_384, 32_768 + (b + 1) * 16_384));
      const writing = storage.finishPiece(1); // not awaited: the rename has to wait for it
      const renaming = storage.renameFile(0, ['t', 'moved.bin']);
      assert.equal(await writing, true);
      await renaming;
      await writePieces(storage, all, [2]);
      assert.deepEqual(readFileSync(join(dir, 't', 'moved.bin')), files[0].data);
      assert.equal(existsSync(join(dir, 't', 'a.bin')), false);
      assert.equal((await storage.verify()).count, 3);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('allows a change of letter case only', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = twoFiles();
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all);
      await storage.renameFile(0, ['t', 'A.bin']);
      assert.deepEqual(readFileSync(join(dir, 't', 'A.bin')), files[0].data);
      assert.equal((await storage.verify()).count, 3);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('refuses existing targets, clashes within the torrent and unsafe names, changing nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files: TestFile[] = [...twoFiles(), { path: ['t', '.pad', '0'], data: Buffer.alloc(10), padding: true }];
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all);
      writeFileSync(join(dir, 't', 'other.txt'), 'not ours');
      await assert.rejects(storage.renameFile(0, ['t', 'other.txt']), rejectsWith('EEXIST'));
      assert.equal(readFileSync(join(dir, 't', 'other.txt'), 'utf8'), 'not ours');
      await assert.rejects(storage.renameFile(0, ['t', 'SUB', 'B.BIN']), rejectsWith('EEXIST'), 'same path as file 1, other case');
      await assert.rejects(storage.renameFile(0, ['t', 'sub']), rejectsWith('EEXIST'), 'a folder file 1 needs');
      await assert.rejects(storage.renameFile(0, ['t', 'sub', 'b.bin', 'x']), rejectsWith('EEXIST'), 'inside file 1');
      for (const bad of [['t', '..', 'x'], ['t', 'a/b'], ['t', 'con'], ['t', 'x.'], ['t', 'a:b'], [], ['t', '']]) {
        await assert.rejects(storage.renameFile(0, bad), (e: unknown) => e instanceof StorageError || e instanceof PathEscapeError, JSON.stringify(bad));
      }
      await assert.rejects(storage.renameFile(2, ['t', 'pad']), rejectsWith('EINVAL'));
      await assert.rejects(storage.renameFile(3, ['t', 'x']), rejectsWith('EINVAL'));
      await assert.rejects(storage.renameFile(-1, ['t', 'x']), rejectsWith('EINVAL'));
      assert.deepEqual(readFileSync(join(dir, 't', 'a.bin')), files[0].data);
      assert.deepEqual(storage.filePath(0), ['t', 'a.bin']);
      assert.equal((await storage.verify()).count, storage.geometry.pieceCount);
      storage.close();
    } finally {
      cleanup();
    }
  });
});

describe('Storage.createEmptyFiles', () => {
  it('creates only the wanted zero-length files', () => {
    const { dir, cleanup } = tempDir();
    try {
      const files: TestFile[] = [
        { path: ['t', 'e1'], data: Buffer.alloc(0) },
        { path: ['t', 'x'], data: pattern(10, 1) },
        { path: ['t', 'e2'], data: Buffer.alloc(0) },
      ];
      const storage = new FileStorage(specFor(files, 16_384).spec, dir);
      storage.createEmptyFiles((i) => i !== 2);
      assert.deepEqual([existsSync(join(dir, 't', 'e1')), existsSync(join(dir, 't', 'x')), existsSync(join(dir, 't', 'e2'))], [true, false, false]);
      storage.close();
    } finally {
      cleanup();
    }
  });
});

describe('Storage.deleteFiles', () => {
  it('removes the files and the emptied torrent folders, and nothing else', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files: TestFile[] = [
        ...twoFiles(),
        { path: ['t', 'deep', 'er', 'empty'], data: Buffer.alloc(0) },
        { path: ['t', 'keep', 'c.bin'], data: pattern(100, 3) },
      ];
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, dir);
      storage.createEmptyFiles();
      await writePieces(storage, all);
      writeFileSync(join(dir, 't', 'keep', 'mine.txt'), 'a file the user put there');
      writeFileSync(join(dir, 'sibling.txt'), 'next to the torrent');
      await storage.deleteFiles();
      assert.equal(existsSync(join(dir, 't', 'a.bin')), false);
      assert.equal(existsSync(join(dir, 't', 'sub')), false);
      assert.equal(existsSync(join(dir, 't', 'deep')), false);
      assert.equal(existsSync(join(dir, 't', 'keep', 'c.bin')), false);
      assert.equal(readFileSync(join(dir, 't', 'keep', 'mine.txt'), 'utf8'), 'a file the user put there');
      assert.equal(readFileSync(join(dir, 'sibling.txt'), 'utf8'), 'next to the torrent');
      assert.ok(existsSync(dir), 'never the download folder itself');
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('removes the torrent folder when it is left empty, and copes with files never written', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { spec, all } = specFor(twoFiles(), 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all, [0]); // only a.bin exists
      await storage.deleteFiles();
      assert.equal(existsSync(join(dir, 't')), false);
      assert.ok(existsSync(dir));
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('never follows a symlinked folder out of the download folder', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const outside = join(dir, 'outside');
      const root = join(dir, 'root');
      mkdirSync(outside);
      mkdirSync(root);
      writeFileSync(join(outside, 'a.bin'), 'precious');
      symlinkSync(outside, join(root, 't'), 'dir');
      const { spec } = specFor(twoFiles(), 32_768);
      const storage = new FileStorage(spec, root);
      await storage.deleteFiles();
      assert.equal(readFileSync(join(outside, 'a.bin'), 'utf8'), 'precious');
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('refuses later writes, so a piece finishing late cannot recreate a file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { spec, all } = specFor(twoFiles(), 32_768);
      const storage = new FileStorage(spec, dir);
      await writePieces(storage, all, [0]);
      storage.writeBlock(2, 0, all.subarray(65_536, 65_536 + 4465));
      const deleting = storage.deleteFiles();
      const late = storage.finishPiece(2); // queued behind the delete
      await deleting;
      assert.equal(await late.catch(() => false), false, 'the late piece is dropped or refused, never written');
      await assert.rejects(writePieces(storage, all, [1]), rejectsWith('ENOENT'));
      assert.equal(existsSync(join(dir, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });
});
