import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, read, write, closeSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { FileHandleCache } from './file-cache.js';
import { FileLayout, resolveInside, type FileSpan, type StoredFile } from './layout.js';

export interface StorageFileSpec {
  /** Sanitised path components relative to the download folder. */
  readonly path: readonly string[];
  readonly length: number;
  readonly offset: number;
  readonly padding: boolean;
}

export interface StorageSpec {
  readonly totalLength: number;
  readonly pieceLength: number;
  /** 20-byte SHA-1 per piece, concatenated. */
  readonly pieces: Uint8Array;
  readonly files: readonly StorageFileSpec[];
}

/**
 * A piece being received. Blocks are hashed as soon as they extend the
 * contiguous prefix, while they are still in cache, so completing a piece
 * costs little more than the copy.
 */
interface PartialPiece {
  readonly buf: Buffer;
  hash: Hash;
  /** Bytes [0, hashedUpTo) are hashed. */
  hashedUpTo: number;
  /** One flag per block: received. */
  readonly received: Uint8Array;
}

export class StorageError extends Error {
  override name = 'StorageError';
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function describeIoError(err: NodeJS.ErrnoException, path: string): StorageError {
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

/**
 * A torrent's data on disk. Blocks of a piece collect in one buffer; when the
 * piece is complete it is hashed once and, if it verifies, written to its files.
 * Only verified data reaches the disk, so whatever is on disk can be trusted
 * after a crash once it re-hashes.
 */
export class Storage {
  readonly geometry: PieceGeometry;
  readonly layout: FileLayout;
  private readonly handles = new FileHandleCache();
  private readonly partial = new Map<number, PartialPiece>();
  private readonly spare: Buffer[] = [];
  /**
   * The last write queued per file. Writes to one file go one at a time: parallel
   * buffered writes to one inode only spin on its lock in the kernel.
   */
  private readonly writeTails = new Map<number, Promise<void>>();

  constructor(private readonly spec: StorageSpec, readonly root: string) {
    this.geometry = new PieceGeometry(spec.totalLength, spec.pieceLength);
    const files: StoredFile[] = spec.files.map((f) => ({
      absPath: resolveInside(root, f.path),
      offset: f.offset,
      length: f.length,
      padding: f.padding,
    }));
    this.layout = new FileLayout(files);
  }

  get files(): readonly StoredFile[] {
    return this.layout.files;
  }

  /** Creates the zero-length files, which no piece ever writes. */
  createEmptyFiles(): void {
    for (const f of this.layout.files) {
      if (f.length !== 0 || f.padding) continue;
      mkdirSync(dirname(f.absPath), { recursive: true });
      closeSync(openSync(f.absPath, 'a'));
    }
  }

  /** Copies a received block into its piece's buffer. The caller's bytes may be reused afterwards. */
  writeBlock(piece: number, begin: number, data: Uint8Array): void {
    let part = this.partial.get(piece);
    if (!part) {
      part = { buf: this.takeBuffer(), hash: createHash('sha1'), hashedUpTo: 0, received: new Uint8Array(this.geometry.blocksInPiece(piece)) };
      this.partial.set(piece, part);
    }
    part.buf.set(data, begin);
    part.received[begin / BLOCK_SIZE] = 1;
    if (begin !== part.hashedUpTo) return;
    const size = this.geometry.pieceSize(piece);
    let end = part.hashedUpTo;
    let block = end / BLOCK_SIZE;
    while (block < part.received.length && part.received[block]) {
      end = Math.min(end + BLOCK_SIZE, size);
      block++;
    }
    part.hash.update(part.buf.subarray(part.hashedUpTo, end));
    part.hashedUpTo = end;
  }

  /** Drops a piece's partial data (hash failure, or the piece was abandoned). */
  discardPiece(piece: number): void {
    const part = this.partial.get(piece);
    if (!part) return;
    this.partial.delete(piece);
    this.returnBuffer(part.buf);
  }

  get partialPieces(): number {
    return this.partial.size;
  }

  /**
   * Hashes a complete piece; if it matches, writes it to disk. Resolves true when
   * verified and written, false on hash mismatch (the partial data is dropped).
   * Rejects with a StorageError on an I/O failure.
   */
  finishPiece(piece: number): Promise<boolean> {
    const part = this.partial.get(piece);
    if (!part) return Promise.resolve(false);
    const size = this.geometry.pieceSize(piece);
    const data = part.buf.subarray(0, size);
    if (part.hashedUpTo < size) part.hash.update(part.buf.subarray(part.hashedUpTo, size));
    if (!this.digestMatches(piece, part.hash.digest())) {
      this.discardPiece(piece);
      return Promise.resolve(false);
    }
    return this.writeRange(this.geometry.pieceOffset(piece), data).then(
      () => {
        this.discardPiece(piece);
        return true;
      },
      (err: unknown) => {
        this.discardPiece(piece);
        throw err;
      },
    );
  }

  hashMatches(piece: number, data: Uint8Array): boolean {
    return this.digestMatches(piece, createHash('sha1').update(data).digest());
  }

  private digestMatches(piece: number, digest: Uint8Array): boolean {
    const expected = this.spec.pieces;
    const base = piece * 20;
    for (let i = 0; i < 20; i++) if (digest[i] !== expected[base + i]) return false;
    return true;
  }

  /** Reads `length` bytes of `piece` from `begin` into `target` at `targetOffset`. */
  readBlock(piece: number, begin: number, length: number, target: Buffer, targetOffset: number): Promise<void> {
    return this.readRange(this.geometry.pieceOffset(piece) + begin, length, target, targetOffset).then((ok) => {
      if (!ok) throw new StorageError(`data for piece ${piece} is missing on disk: recheck the torrent`, 'ENOENT');
    });
  }

  /**
   * Hashes whatever data is already on disk and returns the verified pieces.
   * Pieces whose files are missing are skipped without reading.
   */
  async verify(onProgress?: (checked: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    const { pieceCount } = this.geometry;
    const have = new Bitfield(pieceCount);
    const buf = Buffer.allocUnsafe(this.spec.pieceLength);
    const sizes = this.layout.files.map((f) => (f.padding ? Infinity : fileSize(f.absPath)));
    for (let p = 0; p < pieceCount; p++) {
      if (signal?.aborted) break;
      const size = this.geometry.pieceSize(p);
      const offset = this.geometry.pieceOffset(p);
      if (!this.layout.spans(offset, size).every((s) => sizes[s.fileIndex] >= s.fileOffset + s.length)) continue;
      const ok = await this.readRange(offset, size, buf, 0);
      if (ok && this.hashMatches(p, buf.subarray(0, size))) have.set(p);
      if (onProgress && (p % 64 === 63 || p === pieceCount - 1)) onProgress(p + 1, pieceCount);
    }
    return have;
  }

  close(): void {
    this.handles.closeAll();
    this.partial.clear();
    this.spare.length = 0;
  }

  private takeBuffer(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.spec.pieceLength);
  }

  private returnBuffer(buf: Buffer): void {
    if (this.spare.length < 8) this.spare.push(buf);
  }

  private writeRange(offset: number, data: Uint8Array): Promise<void> {
    const spans = this.layout.spans(offset, data.length);
    return Promise.all(spans.map((s) => this.writeSpan(s, data))).then(() => undefined);
  }

  private writeSpan(span: FileSpan, data: Uint8Array): Promise<void> {
    const file = this.layout.files[span.fileIndex];
    if (file.padding) return Promise.resolve();
    const previous = this.writeTails.get(span.fileIndex) ?? Promise.resolve();
    const next = previous.then(
      () => this.pwriteSpan(span, data),
      () => this.pwriteSpan(span, data),
    );
    this.writeTails.set(span.fileIndex, next);
    const clear = (): void => {
      if (this.writeTails.get(span.fileIndex) === next) this.writeTails.delete(span.fileIndex);
    };
    next.then(clear, clear);
    return next;
  }

  private pwriteSpan(span: FileSpan, data: Uint8Array): Promise<void> {
    const file = this.layout.files[span.fileIndex];
    return new Promise((resolvePromise, reject) => {
      let fd: number;
      try {
        fd = this.handles.acquire(file.absPath, true);
      } catch (err) {
        reject(describeIoError(err as NodeJS.ErrnoException, file.absPath));
        return;
      }
      let written = 0;
      const step = (): void => {
        write(fd, data, span.rangeOffset + written, span.length - written, span.fileOffset + written, (err, n) => {
          if (err) {
            this.handles.release(file.absPath);
            reject(describeIoError(err, file.absPath));
            return;
          }
          written += n;
          if (written < span.length) step();
          else {
            this.handles.release(file.absPath);
            resolvePromise();
          }
        });
      };
      step();
    });
  }

  /** Resolves false when any file in the range is missing or too short. */
  private readRange(offset: number, length: number, target: Buffer, targetOffset: number): Promise<boolean> {
    const spans = this.layout.spans(offset, length);
    return Promise.all(spans.map((s) => this.readSpan(s, target, targetOffset))).then((r) => r.every(Boolean));
  }

  private readSpan(span: FileSpan, target: Buffer, targetOffset: number): Promise<boolean> {
    const file = this.layout.files[span.fileIndex];
    if (file.padding) {
      target.fill(0, targetOffset + span.rangeOffset, targetOffset + span.rangeOffset + span.length);
      return Promise.resolve(true);
    }
    return new Promise((resolvePromise, reject) => {
      const fd = this.handles.acquire(file.absPath, false);
      if (fd < 0) return resolvePromise(false);
      let done = 0;
      const step = (): void => {
        read(fd, target, targetOffset + span.rangeOffset + done, span.length - done, span.fileOffset + done, (err, n) => {
          if (err) {
            this.handles.release(file.absPath);
            reject(describeIoError(err, file.absPath));
            return;
          }
          done += n;
          if (n === 0 || done >= span.length) {
            this.handles.release(file.absPath);
            resolvePromise(done >= span.length);
          } else step();
        });
      };
      step();
    });
  }
}
