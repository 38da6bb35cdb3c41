import { open } from 'node:fs/promises';
import type { PieceGeometry } from '../common/geometry.js';
import type { FileLayout } from './layout.js';

/**
 * Files synced at once. An fdatasync holds one of libuv's four thread-pool threads until the disk has the file's
 * dirty pages, and the block writes and reads of every torrent need those threads too: one at a time leaves them
 * three, so a checkpoint's sync never stalls the transfer.
 */
const SYNC_CONCURRENCY = 1;

/** Paths of the files (padding left out) that hold bytes of `pieces`, each once. */
export function filesOfPieces(layout: FileLayout, geometry: PieceGeometry, pieces: Iterable<number>): string[] {
  const paths = new Set<string>();
  for (const p of pieces) {
    for (const span of layout.spans(p * geometry.pieceLength, geometry.pieceSize(p))) {
      const f = layout.files[span.fileIndex];
      if (!f.padding) paths.add(f.absPath);
    }
  }
  return [...paths];
}

/**
 * fdatasync each file: its written bytes (from any descriptor; the page cache is per file) reach the disk before
 * this resolves. A file that does not exist holds nothing to sync. Other errors reject: the caller must not claim
 * the data is safe.
 */
export async function syncFiles(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++];
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, paths.length) }, worker));
}
