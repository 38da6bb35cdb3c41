// Test helpers for storage tests (not shipped): a StorageSpec from file contents, and writing it all.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOCK_SIZE } from '../common/geometry.js';
import type { Storage, StorageSpec } from './types.js';

export interface TestFile {
  path: string[];
  data: Buffer;
  padding?: boolean;
}

export function specFor(files: TestFile[], pieceLength: number): { spec: StorageSpec; all: Buffer } {
  const all = Buffer.concat(files.map((f) => f.data));
  const pieceCount = Math.ceil(all.length / pieceLength);
  const pieces = Buffer.alloc(pieceCount * 20);
  for (let p = 0; p < pieceCount; p++) {
    createHash('sha1').update(all.subarray(p * pieceLength, (p + 1) * pieceLength)).digest().copy(pieces, p * 20);
  }
  let offset = 0;
  const specFiles = files.map((f) => {
    const r = { path: f.path, length: f.data.length, offset, padding: f.padding === true };
    offset += f.data.length;
    return r;
  });
  return { spec: { totalLength: all.length, pieceLength, pieces, files: specFiles }, all };
}

/** Writes every piece (or the listed ones) through the storage, as blocks arriving from peers. */
export async function writePieces(storage: Storage, all: Buffer, pieces?: number[]): Promise<void> {
  const g = storage.geometry;
  for (const p of pieces ?? Array.from({ length: g.pieceCount }, (_, i) => i)) {
    for (let b = 0; b < g.blocksInPiece(p); b++) {
      const off = g.pieceOffset(p) + b * BLOCK_SIZE;
      storage.writeBlock(p, b * BLOCK_SIZE, all.subarray(off, off + g.blockSize(p, b)));
    }
    if (!(await storage.finishPiece(p))) throw new Error(`piece ${p} did not verify`);
  }
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'tessera-storage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
