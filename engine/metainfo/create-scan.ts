/** What torrent creation reads before hashing: the file list (sorted as libtorrent sorts it). */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../common/errors.js';

export interface SourceFile {
  abs: string;
  /** Path below the torrent folder (the file name for a single-file torrent). */
  rel: string[];
  length: number;
}

export interface Source {
  name: string;
  files: SourceFile[];
  /** A single file (not a folder): v1 `length` / a one-entry v2 file tree. */
  single: boolean;
  total: number;
}

/**
 * Path order: component by component, by raw bytes. This is also the order of a v2 file tree
 * (bencoded dict keys), so `sub/x` comes before `sub-file`.
 */
export function compareRel(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return Buffer.compare(Buffer.from(a[i]), Buffer.from(b[i]));
  }
  return a.length - b.length;
}

async function collect(dir: string, rel: string[], out: SourceFile[]): Promise<void> {
  for (const name of await readdir(dir)) {
    const abs = path.join(dir, name);
    const st = await lstat(abs);
    if (st.isSymbolicLink()) continue; // never followed
    if (st.isDirectory()) await collect(abs, [...rel, name], out);
    else if (st.isFile()) out.push({ abs, rel: [...rel, name], length: st.size });
  }
}

/** The files of a file or folder: sorted by path, hidden files included, symlinks skipped. */
export async function scanSource(target: string): Promise<Source> {
  const st = await lstat(target);
  const name = path.basename(path.resolve(target));
  let files: SourceFile[];
  let single: boolean;
  if (st.isFile()) {
    files = [{ abs: target, rel: [name], length: st.size }];
    single = true;
  } else if (st.isDirectory()) {
    files = [];
    await collect(target, [], files);
    files.sort((a, b) => compareRel(a.rel, b.rel));
    single = false;
  } else {
    throw new InputError(`create: ${target} is neither a file nor a folder`);
  }
  const total = files.reduce((s, e) => s + e.length, 0);
  if (total === 0) throw new InputError(`create: ${target} contains no data (total size 0)`);
  return { name, files, single, total };
}
