/**
 * Crash-safe small-file writes: the file at `path` is always either the old
 * complete content or the new complete content, never a mix or a truncation.
 *
 *   1. write `path.tmp-<random>` (created exclusively, so two writers never share one)
 *   2. fsync it (the data is on disk before the name points at it)
 *   3. rename it over `path` (atomic on POSIX and on NTFS via MoveFileEx)
 *   4. fsync the directory (the rename itself survives a power cut)
 *
 * A crash between 1 and 3 leaves a `*.tmp-*` file next to the target; readers
 * ignore it and `isTempName` lets a loader recognise and delete it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * fsync the directory after the rename (default true). A caller writing many
   * files into one directory may pass false and call `syncDirectory` once at the end:
   * until then a crash keeps either the old or the new file, both complete.
   */
  readonly syncDir?: boolean;
}

const TEMP_MARK = '.tmp-';
const TEMP_RE = /\.tmp-[0-9a-f]{12}$/;

/** True for the temporary names writeFileAtomic uses (left behind only by a crash). */
export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}

function tempPathFor(path: string): string {
  return `${path}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Errors a directory fsync may give where the platform or file system does not support it. */
function ignorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EACCES' || code === 'EINVAL' || code === 'ENOTSUP' || code === 'EBADF';
}

/** Makes a rename or unlink in `dir` durable. A no-op where directories cannot be fsynced (Windows). */
export async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch (err) {
    if (ignorableDirSyncError(err)) return;
    throw err;
  }
  try {
    await fh.sync();
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    await fh.close();
  }
}

export function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    if (ignorableDirSyncError(err)) return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempPathFor(path);
  const bytes = toBytes(data);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (opts.syncDir !== false) await syncDirectory(dirname(path));
}

/** The same, blocking: for the last save at shutdown (e.g. in a process 'exit' handler). */
export function writeFileAtomicSync(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const tmp = tempPathFor(path);
  const bytes = toBytes(data);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // it may never have been created
    }
    throw err;
  }
  if (opts.syncDir !== false) syncDirectorySync(dirname(path));
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's bytes, or null when it does not exist. Other errors (EACCES, EIO) reject. */
export async function readFileIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

export function readFileIfExistsSync(path: string): Uint8Array | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Removes a file; a missing file is not an error. */
export async function removeFileIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

