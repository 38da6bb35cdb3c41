import { createHash } from 'node:crypto';
import { Bitfield } from '../common/bitfield.js';
import { PieceGeometry } from '../common/geometry.js';
import { StorageError, type Storage, type StorageSpec } from './types.js';

/**
 * A torrent's data held in memory: a second Storage backend, for tests (and proof that the torrent needs nothing
 * of the file backend). Like the file backend it keeps only verified pieces; `initial` starts it with data, as a
 * seed's files would.
 */
export class MemoryStorage implements Storage {
  readonly geometry: PieceGeometry;
  private readonly data: Buffer;
  /** Pieces stored by finishPiece (verify rehashes everything, as a recheck of files would). */
  private readonly stored: Bitfield;
  private readonly partial = new Map<number, Buffer>();
  private deleted = false;

  constructor(private readonly spec: Pick<StorageSpec, 'totalLength' | 'pieceLength' | 'pieces' | 'verifier'>, initial?: Uint8Array) {
    this.geometry = new PieceGeometry(spec.totalLength, spec.pieceLength);
    this.data = Buffer.alloc(spec.totalLength);
    if (initial) this.data.set(initial.subarray(0, spec.totalLength));
    this.stored = new Bitfield(this.geometry.pieceCount);
  }

  createEmptyFiles(): void {}

  writeBlock(piece: number, begin: number, data: Uint8Array): void {
    let buf = this.partial.get(piece);
    if (!buf) this.partial.set(piece, (buf = Buffer.alloc(this.geometry.pieceSize(piece))));
    buf.set(data, begin);
  }

  finishPiece(piece: number): Promise<boolean> {
    const buf = this.partial.get(piece);
    if (!buf) return Promise.resolve(false);
    this.partial.delete(piece);
    if (!this.hashMatches(piece, buf)) return Promise.resolve(false);
    if (this.deleted) return Promise.reject(new StorageError("the torrent's data was deleted", 'ENOENT'));
    this.data.set(buf, this.geometry.pieceOffset(piece));
    this.stored.set(piece);
    return Promise.resolve(true);
  }

  discardPiece(piece: number): void {
    this.partial.delete(piece);
  }

  readBlock(piece: number, begin: number, length: number, target: Buffer, targetOffset: number): Promise<void> {
    if (!this.stored.has(piece)) return Promise.reject(new StorageError(`data for piece ${piece} is missing: recheck the torrent`, 'ENOENT'));
    const start = this.geometry.pieceOffset(piece) + begin;
    this.data.copy(target, targetOffset, start, start + length);
    return Promise.resolve();
  }

  hashMatches(piece: number, data: Uint8Array): boolean {
    if (this.spec.verifier) return this.spec.verifier.matches(piece, data);
    const digest = createHash('sha1').update(data).digest();
    return digest.equals(this.spec.pieces.subarray(piece * 20, piece * 20 + 20));
  }

  async verify(onProgress?: (checked: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    const { pieceCount } = this.geometry;
    for (let p = 0; p < pieceCount && !signal?.aborted; p++) {
      const offset = this.geometry.pieceOffset(p);
      if (this.hashMatches(p, this.data.subarray(offset, offset + this.geometry.pieceSize(p)))) this.stored.set(p);
      else this.stored.clear(p);
      onProgress?.(p + 1, pieceCount);
    }
    return this.stored.copy();
  }

  async flush(): Promise<void> {}

  /** Nothing lives in a folder: a move only runs its commit. */
  async move(_newRoot: string, _onProgress?: unknown, options?: { readonly onCommit?: () => void | Promise<void> }): Promise<void> {
    await options?.onCommit?.();
  }

  async renameFile(): Promise<void> {}

  async deleteFiles(): Promise<void> {
    this.deleted = true;
    this.data.fill(0);
    for (let p = 0; p < this.geometry.pieceCount; p++) this.stored.clear(p);
    this.partial.clear();
  }

  close(): void {
    this.partial.clear();
  }
}
