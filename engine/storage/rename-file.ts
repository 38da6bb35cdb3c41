import { lstat, mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sanitizeElement } from '../metainfo/sanitize.js';
import { describeIoError } from './fs-util.js';
import { StorageError } from './types.js';

// The checks and the disk work of renaming one file of a torrent (FileStorage.renameFile).

/** Each component of a new file path is sanitised already (sanitizeElement leaves it unchanged); at least one. */
export function checkNewComponents(newComponents: readonly string[]): void {
  if (newComponents.length === 0) throw new StorageError('a file name is required', 'EINVAL');
  for (const c of newComponents) {
    if (typeof c !== 'string' || sanitizeElement(c) !== c) {
      throw new StorageError(`invalid file name component ${JSON.stringify(c)}`, 'EINVAL');
    }
  }
}

/** Refuses (EEXIST) when another file of this torrent is at the same path, at one of its folders, or inside it (case-insensitively). */
export function checkNoClash(paths: readonly (readonly string[])[], isPadding: (i: number) => boolean, index: number, components: readonly string[]): void {
  const key = (p: readonly string[]): string => p.join('/').toLowerCase();
  const mine = key(components);
  for (let i = 0; i < paths.length; i++) {
    if (i === index || isPadding(i)) continue;
    const other = key(paths[i]);
    if (other === mine || other.startsWith(mine + '/') || mine.startsWith(other + '/')) {
      throw new StorageError(`${components.join('/')} clashes with file ${i} of this torrent (${paths[i].join('/')})`, 'EEXIST');
    }
  }
}

/**
 * Moves `src` to `dst` when `src` exists (creating the parent folders); refuses (EEXIST) when
 * `dst` exists and is not the same file. True when there was a file to move.
 */
export async function renameOnDisk(src: string, dst: string): Promise<boolean> {
  const srcStat = await lstat(src).catch(() => null);
  const dstStat = await lstat(dst).catch(() => null);
  // The same inode under another name: a case-only rename on a case-insensitive file system.
  const sameFile = srcStat !== null && dstStat !== null && srcStat.ino === dstStat.ino && srcStat.dev === dstStat.dev;
  if (dstStat !== null && !sameFile) throw new StorageError(`${dst} already exists`, 'EEXIST');
  if (srcStat === null) return false;
  try {
    await mkdir(dirname(dst), { recursive: true });
    await rename(src, dst);
  } catch (err) {
    throw describeIoError(err as NodeJS.ErrnoException, dst);
  }
  return true;
}
