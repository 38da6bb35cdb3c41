import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { moveStorage, type MoveFileOps } from './move.js';
import { FileStorage, StorageError } from './storage.js';
import { specFor, tempDir, writePieces, type TestFile } from './test-spec.js';
import { patternBytes as pattern } from '../testing/wait.js';

function torrentFiles(): TestFile[] {
  return [
    { path: ['t', 'a.bin'], data: pattern(40_000, 1) },
    { path: ['t', '.pad', '0'], data: Buffer.alloc(5_000), padding: true },
    { path: ['t', 'empty'], data: Buffer.alloc(0) },
    { path: ['t', 'sub', 'b.bin'], data: pattern(30_001, 2) },
  ];
}

const xdev = (): Promise<void> => Promise.reject(Object.assign(new Error('cross-device link not permitted'), { code: 'EXDEV' }));

/** True when every data file of the torrent sits complete under `root`. */
function completeAt(root: string, files: TestFile[]): boolean {
  return files.every((f) => {
    if (f.padding) return true;
    const p = join(root, ...f.path);
    return existsSync(p) && readFileSync(p).equals(f.data);
  });
}

/** Every data file is complete under at least one of the roots. */
function eachSomewhere(roots: string[], files: TestFile[]): boolean {
  return files.every((f) => f.padding || roots.some((r) => completeAt(r, [f])));
}

async function setup(dir: string): Promise<{ files: TestFile[]; storage: FileStorage; all: Buffer; oldRoot: string; newRoot: string }> {
  const files = torrentFiles();
  const oldRoot = join(dir, 'old');
  const newRoot = join(dir, 'new', 'place');
  mkdirSync(oldRoot);
  const { spec, all } = specFor(files, 32_768);
  const storage = new FileStorage(spec, oldRoot);
  storage.createEmptyFiles();
  await writePieces(storage, all);
  return { files, storage, all, oldRoot, newRoot };
}

/** File ops that check, before each step (where a crash could strike), that no file is lost. */
function watchful(check: (step: string) => void, base: Partial<MoveFileOps> = {}): Partial<MoveFileOps> {
  return {
    link: (a, b) => (check(`link ${b}`), base.link ? base.link(a, b) : fsp.link(a, b)),
    rename: (a, b) => (check(`rename ${a}`), base.rename ? base.rename(a, b) : fsp.rename(a, b)),
    unlink: (p) => (check(`unlink ${p}`), base.unlink ? base.unlink(p) : fsp.unlink(p)),
  };
}

describe('moveStorage', () => {
  it('moves every file on one file system, then removes the old ones and their folders', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, all, oldRoot, newRoot } = await setup(dir);
      writeFileSync(join(oldRoot, 'unrelated.txt'), 'stays');
      const progress: [number, number][] = [];
      let committedWithBoth = false;
      await moveStorage(storage, newRoot, (done, total) => progress.push([done, total]), {
        onCommit: () => {
          committedWithBoth = completeAt(oldRoot, files) && completeAt(newRoot, files) && storage.root === newRoot;
        },
      });
      assert.ok(committedWithBoth, 'at the commit both locations are complete and the storage points at the new one');
      assert.ok(completeAt(newRoot, files));
      assert.equal(storage.root, newRoot);
      assert.deepEqual(readdirSync(oldRoot), ['unrelated.txt'], 'the torrent folder is gone, nothing else');
      assert.equal(existsSync(join(newRoot, 't', '.pad')), false, 'padding never reaches the disk');
      assert.deepEqual(progress.at(-1), [70_001, 70_001]);
      assert.ok(progress.every(([d, t], i) => t === 70_001 && d <= t && (i === 0 || d >= progress[i - 1][0])));
      // I/O goes to the new place
      assert.equal((await storage.verify()).count, storage.geometry.pieceCount);
      const block = Buffer.alloc(500);
      await storage.readBlock(1, 0, 500, block, 0);
      assert.deepEqual(block, all.subarray(32_768, 33_268));
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('copies across file systems (EXDEV) through .tessera-part, never losing a file at any step', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      const steps: string[] = [];
      let committed = false;
      const check = (step: string): void => {
        steps.push(step);
        assert.ok(eachSomewhere([oldRoot, newRoot], files), `a file is lost before ${step}`);
        if (!committed) assert.ok(completeAt(oldRoot, files), `old location incomplete before the commit, at ${step}`);
        for (const f of files) {
          if (f.padding) continue;
          const target = join(newRoot, ...f.path);
          if (existsSync(target)) assert.ok(readFileSync(target).equals(f.data), `half-written ${target} at ${step}`);
        }
      };
      const renamed: string[] = [];
      await moveStorage(storage, newRoot, undefined, {
        chunkSize: 4096,
        onCommit: () => {
          check('commit');
          committed = true;
        },
        fs: watchful(check, {
          link: xdev,
          rename: (a, b) => {
            renamed.push(a);
            return fsp.rename(a, b);
          },
        }),
      });
      assert.ok(renamed.every((p) => p.endsWith('.tessera-part')), 'only the copies are renamed, into place');
      assert.ok(completeAt(newRoot, files));
      assert.equal(existsSync(join(oldRoot, 't')), false);
      assert.equal(readdirSync(join(newRoot, 't')).some((n) => n.endsWith('.tessera-part')), false);
      assert.ok(steps.some((s) => s.startsWith('unlink')));
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('keeps the old location complete at every step on one file system too', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      let committed = false;
      const check = (step: string): void => {
        assert.ok(eachSomewhere([oldRoot, newRoot], files), `a file is lost before ${step}`);
        if (!committed) assert.ok(completeAt(oldRoot, files), `old location incomplete before the commit, at ${step}`);
      };
      await moveStorage(storage, newRoot, undefined, { onCommit: () => void (committed = true), fs: watchful(check) });
      assert.ok(completeAt(newRoot, files));
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('after an interruption before the commit, the torrent is complete at the old location', async () => {
    for (const mode of ['link', 'copy'] as const) {
      const { dir, cleanup } = tempDir();
      try {
        const { files, storage, oldRoot, newRoot } = await setup(dir);
        let renames = 0;
        const crash: Partial<MoveFileOps> = {
          ...(mode === 'copy' ? { link: xdev } : {}),
          rename: (a, b) => (++renames === 2 ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) : fsp.rename(a, b)),
        };
        await assert.rejects(moveStorage(storage, newRoot, undefined, { fs: crash }), StorageError);
        assert.equal(storage.root, oldRoot);
        assert.ok(completeAt(oldRoot, files), mode);
        assert.equal(existsSync(join(newRoot, 't', 'a.bin')), false, 'what was placed is taken back');
        storage.close();
        // a restart (a new Storage at the old folder) finds everything verified
        const { spec } = specFor(files, 32_768);
        const again = new FileStorage(spec, oldRoot);
        assert.equal((await again.verify()).count, again.geometry.pieceCount);
        // and the move can simply be retried
        await moveStorage(again, newRoot);
        assert.ok(completeAt(newRoot, files));
        again.close();
      } finally {
        cleanup();
      }
    }
  });

  it('undoes the move when onCommit fails (the new save path could not be recorded)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      await assert.rejects(
        moveStorage(storage, newRoot, undefined, {
          onCommit: () => {
            throw new Error('resume store unavailable');
          },
        }),
        /resume store unavailable/,
      );
      assert.equal(storage.root, oldRoot);
      assert.ok(completeAt(oldRoot, files));
      assert.equal(existsSync(join(newRoot, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('falls back to rename where hard links are refused', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      const eperm = (): Promise<void> => Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
      await moveStorage(storage, newRoot, undefined, { fs: { link: eperm } });
      assert.ok(completeAt(newRoot, files));
      assert.equal(existsSync(join(oldRoot, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('refuses to replace files at the target unless told to, before moving anything', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      mkdirSync(join(newRoot, 't', 'sub'), { recursive: true });
      writeFileSync(join(newRoot, 't', 'sub', 'b.bin'), 'someone else');
      await assert.rejects(moveStorage(storage, newRoot), (e: unknown) => e instanceof StorageError && e.code === 'EEXIST');
      assert.ok(completeAt(oldRoot, files));
      assert.equal(existsSync(join(newRoot, 't', 'a.bin')), false);
      assert.equal(readFileSync(join(newRoot, 't', 'sub', 'b.bin'), 'utf8'), 'someone else');
      await moveStorage(storage, newRoot, undefined, { overwrite: true, fs: { link: xdev } });
      assert.ok(completeAt(newRoot, files));
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('takes its own hard links from an interrupted move as placed', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot, newRoot } = await setup(dir);
      mkdirSync(join(newRoot, 't'), { recursive: true });
      linkSync(join(oldRoot, 't', 'a.bin'), join(newRoot, 't', 'a.bin'));
      await moveStorage(storage, newRoot);
      assert.ok(completeAt(newRoot, files));
      assert.equal(existsSync(join(oldRoot, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('does not move files never written; they are created at the new place later', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = torrentFiles();
      const oldRoot = join(dir, 'old');
      const newRoot = join(dir, 'new');
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, oldRoot);
      storage.createEmptyFiles();
      await writePieces(storage, all, [0]); // the first 32 KiB of a.bin only
      const progress: number[] = [];
      await moveStorage(storage, newRoot, (_d, total) => progress.push(total));
      assert.ok(progress.length > 0 && progress.every((t) => t === 32_768));
      assert.equal(existsSync(join(newRoot, 't', 'sub')), false);
      await writePieces(storage, all, [1, 2]);
      assert.ok(completeAt(newRoot, files));
      assert.equal(existsSync(join(oldRoot, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('waits for a write in flight, which ends up at the new place', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files = torrentFiles();
      const oldRoot = join(dir, 'old');
      const newRoot = join(dir, 'new');
      const { spec, all } = specFor(files, 32_768);
      const storage = new FileStorage(spec, oldRoot);
      storage.createEmptyFiles();
      await writePieces(storage, all, [0, 1]);
      storage.writeBlock(2, 0, all.subarray(65_536));
      const writing = storage.finishPiece(2);
      const moving = moveStorage(storage, newRoot, undefined, { fs: { link: xdev } });
      const late = writePieces(storage, all, [1]); // arrives during the move: waits, then goes to the new place
      assert.equal(await writing, true);
      await moving;
      await late;
      assert.ok(completeAt(newRoot, files));
      assert.equal(existsSync(join(oldRoot, 't')), false);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('moving to the same folder, by name or through a symlink, deletes nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { files, storage, oldRoot } = await setup(dir);
      await moveStorage(storage, oldRoot);
      assert.ok(completeAt(oldRoot, files));
      const alias = join(dir, 'alias');
      symlinkSync(oldRoot, alias, 'dir');
      await moveStorage(storage, alias);
      assert.ok(completeAt(oldRoot, files));
      assert.equal(storage.root, alias);
      assert.equal((await storage.verify()).count, storage.geometry.pieceCount);
      storage.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a new folder whose paths overlap the torrent files', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const files: TestFile[] = [
        { path: ['t', 'a'], data: pattern(1000, 1) },
        { path: ['t', 't', 'a'], data: pattern(1000, 2) },
      ];
      const root = join(dir, 'dl');
      const { spec, all } = specFor(files, 16_384);
      const storage = new FileStorage(spec, root);
      await writePieces(storage, all);
      // moving to dl/t would put file 0 at dl/t/t/a, where file 1 is now
      await assert.rejects(moveStorage(storage, join(root, 't'), undefined, { overwrite: true }), StorageError);
      assert.ok(completeAt(root, files));
      storage.close();
    } finally {
      cleanup();
    }
  });
});
