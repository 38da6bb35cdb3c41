import type { FilePriority } from '../api/types.js';
import type { Metainfo } from '../metainfo/index.js';
import { FileStorage } from '../storage/file-storage.js';
import { fileProgress, piecePrioritiesFor, wantedBytes } from '../torrent/file-priorities.js';
import { ApiError } from './api-error.js';
import type { Entry } from './entry.js';

// What an entry knows of its files: filled in from the metainfo, kept in step with priorities and progress.

/** The metainfo is known (parsed from the saved .torrent, or fetched): names, sizes and renames apply. */
export function fillFromMeta(entry: Entry, meta: Metainfo): void {
  for (const r of entry.fileRenames) if (r.file < meta.files.length) meta.files[r.file].path = [...r.path];
  entry.meta = meta;
  entry.name = meta.name;
  entry.totalBytes = meta.totalLength;
  if (entry.filePriorities.length !== meta.files.length) entry.filePriorities = meta.files.map(() => 'normal' as FilePriority);
  entry.wantedBytes = wantedBytes(meta.files, entry.filePriorities);
}

/**
 * A magnet's `so=` (BEP 53): only the listed files are downloaded, unless the user chose priorities of their own
 * (`userChose`) or the list names none of the torrent's files (then everything is, as without `so=`).
 */
export function selectOnlyFiles(entry: Entry, selectOnly: readonly number[] | undefined, userChose: boolean): void {
  const meta = entry.meta;
  if (!meta || !selectOnly || userChose) return;
  const listed = new Set(selectOnly.filter((i) => i < meta.files.length));
  if (listed.size === 0) return;
  entry.filePriorities = meta.files.map((_f, i) => (listed.has(i) ? 'normal' : 'skip'));
  entry.wantedBytes = wantedBytes(meta.files, entry.filePriorities);
}

/** Bytes verified in the wanted files (padding and skipped files do not count). */
export function updateDone(entry: Entry): void {
  const meta = entry.meta;
  if (!meta || !entry.have) {
    entry.doneBytes = 0;
    return;
  }
  const perFile = fileProgress(meta.files, meta.pieceLength, entry.have);
  let done = 0;
  meta.files.forEach((f, i) => {
    if (!f.padding && entry.filePriorities[i] !== 'skip') done += perFile[i];
  });
  entry.doneBytes = done;
}

/** The file priorities changed (or the torrent starts): wanted bytes, and the running torrent's piece priorities. */
export function applyPriorities(entry: Entry): void {
  const meta = entry.meta;
  if (!meta) return;
  entry.wantedBytes = wantedBytes(meta.files, entry.filePriorities);
  entry.torrent?.setPiecePriorities(
    piecePrioritiesFor(meta.files, meta.pieceLength, meta.pieceCount, entry.filePriorities, { firstLastPiecesFirst: entry.firstLastPiecesFirst }),
  );
  updateDone(entry);
}

/** A wanted file that had verified data when the record was saved and is now gone, or null. */
export function missingFile(entry: Entry, current: readonly { size: number }[]): string | null {
  const meta = entry.meta;
  if (!meta || !entry.fileStats || entry.doneBytes === 0) return null;
  for (let i = 0; i < meta.files.length; i++) {
    const f = meta.files[i];
    if (f.padding || f.length === 0 || entry.filePriorities[i] === 'skip') continue;
    const recorded = entry.fileStats[i];
    if (recorded && recorded.size > 0 && current[i].size < 0) return f.path.join('/');
  }
  return null;
}

/** The storage of a torrent that is not running (recheck, rename, move, delete); the caller closes it. */
export async function offlineStorage(entry: Entry): Promise<FileStorage> {
  if (!entry.meta) throw new ApiError('Conflict', 'the metadata is not known yet');
  return new FileStorage(entry.meta, entry.savePath);
}
