/**
 * Moving a torrent's data to another download folder.
 *
 * Crash safety. The move runs in three phases, and the torrent's save path (what a restart
 * uses) changes only between the second and the third:
 *
 *   1. Place. Every file is put at its new path while the old one stays:
 *      - same file system: a hard link (`link`), which is instant and takes no space;
 *      - another file system (EXDEV): copied to `<target>.tessera-part`, fsynced, then renamed
 *        to `<target>` (rename is atomic, so `<target>` never exists half-written), then the
 *        target's folder is fsynced so the rename itself is durable.
 *      Both go through the same atomic rename into place, so a file at a target path is always
 *      complete. The old files are not touched.
 *   2. Commit. The storage is pointed at the new folder and `onCommit` runs: the caller
 *      persists the new save path there (resume data written atomically).
 *   3. Clean up. Only now are the old files unlinked, then the torrent's old folders if empty.
 *
 * An interruption in phase 1 or 2 (before the new save path is persisted) leaves the old
 * location exactly as it was, so a restart finds the torrent complete where it was; the new
 * folder holds at most extra complete files and a stray `.tessera-part`. An interruption in
 * phase 3 leaves the new location complete and recorded, plus leftovers at the old one. At
 * no point is a file's only complete copy removed or half-written.
 *
 * One exception: a file system that refuses hard links (FAT, exFAT, some network shares)
 * without being a cross-device move. There the file is renamed (atomic: always complete in
 * exactly one of the two places), so a crash mid-move keeps every file complete somewhere,
 * but the old location alone is no longer complete.
 *
 * An error (not a crash) before the commit, or from `onCommit`, undoes the move: the files
 * placed so far are removed from the target (their old copies are intact), renamed ones are
 * renamed back, and the storage stays at the old folder.
 *
 * A retry after a crash finds its own hard links (same inode) and takes them as placed;
 * a complete copy left by a crashed cross-device move is indistinguishable from a stranger's
 * file, so that retry needs `overwrite`.
 *
 * Never unlinks a path that is the same directory entry as its target (the new folder is the
 * old one under another name: a symlink, or other letter case on a case-insensitive disk).
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode, removeEmptyDirs } from './fs-util.js';
import { resolveInside } from './layout.js';
import type { FileStorage } from './file-storage.js';
import { StorageError } from './types.js';

/** What a move needs of the storage: its files, and a way to repoint it while no I/O runs. */
type MovableStorage = Pick<FileStorage, 'root' | 'files' | 'filePath' | 'relocate' | 'exclusive'>;

/** The file operations the move uses that tests replace (to simulate EXDEV or a crash). */
export interface MoveFileOps {
  link(existing: string, newPath: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface MoveOptions {
  /**
   * Replace files that already exist at the target. Default false: the move fails with
   * StorageError 'EEXIST' before anything is moved.
   */
  overwrite?: boolean;
  /**
   * Runs once every file is in place at the new folder and the storage points there, before
   * any old file is deleted: persist the new save path here. If it throws, the old files are
   * kept, the storage goes back to the old folder, and the error is rethrown.
   */
  onCommit?: () => void | Promise<void>;
  /** Copy buffer size for moves across file systems. Default 4 MiB. */
  chunkSize?: number;
  fs?: Partial<MoveFileOps>;
}

/** How a file was put in place. */
type Placed = 'linked' | 'copied' | 'renamed' | 'already';

interface Plan {
  index: number;
  src: string;
  dst: string;
  size: number;
  placed?: Placed;
}

const DEFAULT_OPS: MoveFileOps = {
  link: (a, b) => fsp.link(a, b),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
};

/** Hard links unsupported on this file system (but maybe the same device): fall back to rename. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EACCES', 'EINVAL']);

/**
 * Moves every file of the torrent to `newRoot` (same relative paths) and points the storage
 * there. `onProgress(movedBytes, totalBytes)` counts the bytes of the files that exist.
 * Reads and writes of the storage wait meanwhile (see FileStorage.exclusive); stop the torrent
 * first all the same, since a long copy stalls its peers. Files that do not exist yet are not
 * moved: they will be created at the new folder. Moving to the same folder does nothing.
 */
export async function moveStorage(
  storage: MovableStorage,
  newRoot: string,
  onProgress?: (movedBytes: number, totalBytes: number) => void,
  opts: MoveOptions = {},
): Promise<void> {
  const ops: MoveFileOps = { ...DEFAULT_OPS, ...opts.fs };
  const chunkSize = opts.chunkSize ?? 4 << 20;
  await storage.exclusive(async () => {
    const oldRoot = storage.root;
    const plans = await plan(storage, newRoot, opts.overwrite === true);
    if (plans === null) return;
    const total = plans.reduce((n, p) => n + p.size, 0);
    let moved = 0;
    const report = (n: number): void => {
      moved += n;
      onProgress?.(moved, total);
    };
    onProgress?.(0, total);

    const rollback = async (): Promise<void> => {
      await undo(plans, ops);
      await removeEmptyDirs(newRoot, plans.map((p) => storage.filePath(p.index)));
    };

    // 1. place
    try {
      for (const p of plans) {
        if (p.placed === 'already') {
          report(p.size);
          continue;
        }
        await fsp.mkdir(dirname(p.dst), { recursive: true });
        p.placed = await place(p, ops, chunkSize, report);
      }
    } catch (err) {
      await rollback();
      throw wrap(err, 'moving the files');
    }

    // 2. commit
    storage.relocate(newRoot);
    try {
      await opts.onCommit?.();
    } catch (err) {
      storage.relocate(oldRoot);
      await rollback();
      throw err;
    }

    // 3. clean up: the new location is complete and recorded; the old files are now extra.
    for (const p of plans) {
      if (p.placed === 'renamed') continue;
      try {
        await ops.unlink(p.src);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw wrap(err, `removing ${p.src} after the move`);
      }
    }
    const paths = plans.map((p) => storage.filePath(p.index));
    await removeEmptyDirs(oldRoot, paths);
  });
}

/**
 * The files to move, or null when there is nothing to do: the same folder, by name or (symlink,
 * letter case) by identity, in which case the storage is just pointed at the new name.
 * Throws before anything is moved on a conflict.
 */
async function plan(storage: MovableStorage, newRoot: string, overwrite: boolean): Promise<Plan[] | null> {
  const files = storage.files;
  const targets = files.map((f, i) => (f.padding ? '' : resolveInside(newRoot, storage.filePath(i))));
  if (files.every((f, i) => f.padding || targets[i] === f.absPath)) return null;
  if (await sameEntry(storage.root, newRoot)) {
    storage.relocate(newRoot);
    return null;
  }
  const sources = new Set(files.filter((f) => !f.padding).map((f) => f.absPath));
  const plans: Plan[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (f.padding) continue;
    const src = f.absPath;
    const dst = targets[i];
    if (sources.has(dst)) {
      throw new StorageError(`the new folder overlaps the torrent's files (${dst}): choose another folder`, 'EINVAL');
    }
    const s = await fsp.lstat(src).catch(() => null);
    if (s === null) continue; // never written: nothing to move
    if (!s.isFile()) throw new StorageError(`${src} is not a regular file: not moved`, 'EINVAL');
    const d = await fsp.lstat(dst).catch(() => null);
    let placed: Placed | undefined;
    if (d !== null) {
      if (d.ino === s.ino && d.dev === s.dev) {
        // One link: the very same directory entry reached by another name; nothing to move.
        if (s.nlink < 2) continue;
        placed = 'already'; // hard-linked by an interrupted earlier move
      } else if (!overwrite || d.isDirectory()) {
        throw new StorageError(`${dst} already exists`, 'EEXIST');
      }
    }
    plans.push({ index: i, src, dst, size: s.size, placed });
  }
  return plans;
}

async function place(p: Plan, ops: MoveFileOps, chunkSize: number, report: (n: number) => void): Promise<Placed> {
  const part = `${p.dst}.tessera-part`;
  await removeStale(part, ops);
  try {
    await ops.link(p.src, part);
    await ops.rename(part, p.dst);
    report(p.size);
    return 'linked';
  } catch (err) {
    await removeStale(part, ops);
    const code = errorCode(err);
    if (code !== 'EXDEV' && !NO_LINKS.has(code ?? '')) throw err;
    if (code !== 'EXDEV') {
      // No hard links here; try a plain rename (atomic on one file system).
      try {
        await ops.rename(p.src, p.dst);
        report(p.size);
        return 'renamed';
      } catch (err2) {
        if (errorCode(err2) !== 'EXDEV') throw err2;
      }
    }
  }
  await copyDurably(p.src, part, chunkSize, report);
  await ops.rename(part, p.dst);
  await fsyncDir(dirname(p.dst));
  return 'copied';
}

async function removeStale(path: string, ops: MoveFileOps): Promise<void> {
  try {
    await ops.unlink(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

/** Copies src to dst (created or truncated) and fsyncs dst. */
async function copyDurably(src: string, dst: string, chunkSize: number, report: (n: number) => void): Promise<void> {
  const from = await fsp.open(src, constants.O_RDONLY);
  try {
    const to = await fsp.open(dst, 'w');
    try {
      const buf = Buffer.allocUnsafe(chunkSize);
      let pos = 0;
      for (;;) {
        const { bytesRead } = await from.read(buf, 0, chunkSize, pos);
        if (bytesRead === 0) break;
        let off = 0;
        while (off < bytesRead) {
          const { bytesWritten } = await to.write(buf, off, bytesRead - off, pos + off);
          off += bytesWritten;
        }
        pos += bytesRead;
        report(bytesRead);
      }
      await to.sync();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** Makes a rename durable. Not possible on Windows (folders cannot be opened): skipped there. */
async function fsyncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR / EPERM on Windows, EINVAL on some file systems: best effort
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Two existing paths that are one folder or file (same device and inode). */
async function sameEntry(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fsp.stat(a).catch(() => null), fsp.stat(b).catch(() => null)]);
  return sa !== null && sb !== null && sa.ino === sb.ino && sa.dev === sb.dev;
}

/**
 * Undoes phase 1, best effort: renamed files go back; placed copies and links are removed
 * from the target (the old file is intact: nothing was deleted before the commit).
 */
async function undo(plans: readonly Plan[], ops: MoveFileOps): Promise<void> {
  for (const p of plans) {
    try {
      if (p.placed === 'renamed') await ops.rename(p.dst, p.src);
      else if (p.placed !== undefined) await ops.unlink(p.dst);
      p.placed = undefined;
    } catch {
      // a rename that cannot go back leaves the file complete at the target; an extra copy is harmless
    }
  }
}

function wrap(err: unknown, what: string): Error {
  if (err instanceof StorageError) return err;
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  return new StorageError(`${what}: ${msg}`, code);
}
