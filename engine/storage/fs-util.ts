import { statSync } from 'node:fs';
import { realpath, rmdir } from 'node:fs/promises';
import { dirname, relative, isAbsolute, sep } from 'node:path';
import { resolveInside } from './layout.js';
import { StorageError } from './types.js';

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * True when `path` exists and, with every symlink resolved, lies inside (or is) the real
 * download folder. resolveInside proves a path inside lexically; this also catches a folder
 * inside that is a symlink leading out. False when either does not exist.
 */
export async function realInside(root: string, path: string): Promise<boolean> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path);
  } catch {
    return false;
  }
  if (real === realRoot) return true;
  const rel = relative(realRoot, real);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Removes the folders of the given files (every proper prefix of each path, deepest first)
 * when they are empty. Never the download folder itself, never a folder that still holds
 * anything (rmdir refuses), never one reached through a symlink leading out.
 */
export async function removeEmptyDirs(root: string, paths: readonly (readonly string[])[]): Promise<void> {
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let n = p.length - 1; n >= 1; n--) dirs.add(resolveInside(root, p.slice(0, n)));
  }
  const deepestFirst = [...dirs].sort((a, b) => b.split(sep).length - a.split(sep).length || (a < b ? 1 : -1));
  for (const dir of deepestFirst) {
    if (!(await realInside(root, dirname(dir)))) continue;
    try {
      await rmdir(dir);
    } catch {
      // ENOTEMPTY, ENOENT, ENOTDIR (a symlink or file), EBUSY, EPERM: leave it
    }
  }
}

/** The file's size, or -1 when it does not exist. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** An I/O error as a StorageError that says what to do about it. */
export function describeIoError(err: NodeJS.ErrnoException, path: string): StorageError {
  switch (err.code) {
    case 'ENOSPC':
      return new StorageError(`disk full while writing ${path}: free some space, then resume`, err.code);
    case 'EACCES':
    case 'EPERM':
      return new StorageError(`no permission to write ${path}: choose a download folder you can write to`, err.code);
    case 'EROFS':
      return new StorageError(`read-only file system at ${path}`, err.code);
    default:
      return new StorageError(`${err.code ?? 'I/O error'} on ${path}: ${err.message}`, err.code);
  }
}
