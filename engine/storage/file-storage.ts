import { filesOfPieces, syncFiles } from './sync-files.js';
import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, closeSync, openSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { FileHandleCache } from './file-cache.js';
import { describeIoError, errorCode, fileSize, removeEmptyDirs, realInside } from './fs-util.js';
import { FileLayout, resolveInside, type FileSpan, type StoredFile } from './layout.js';
import { moveStorage, type MoveOptions } from './move.js';
import { StorageError, type Storage, type StorageSpec } from './types.js';
import { PieceMemory } from './piece-memory.js';
import { READ_BACK_CHUNK, ThroughPiece, type PieceIo } from './through-piece.js';
import { readSpan, writeSpan, writeSpanNow, type DirectWrites } from './span-io.js';
import { checkNewComponents, checkNoClash, renameOnDisk } from './rename-file.js';

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

/**
 * A torrent's data on disk, the file backend of Storage. Blocks of a piece collect in one buffer from the session's
 * piece memory; when the piece is complete it is hashed once and, if it verifies, written to its files. When the
 * piece memory is spent, a piece's blocks go to disk as they come and it is verified from disk (ThroughPiece).
 * Nothing trusts bytes on disk without their hash: records name verified pieces only, and rechecks re-hash.
 */
export class FileStorage implements Storage {
  readonly geometry: PieceGeometry;
  private _layout: FileLayout;
  private _root: string;
  /** Path components of each file relative to the root (renameFile changes them). */
  private readonly paths: string[][];
  private readonly handles = new FileHandleCache();
  private readonly partial = new Map<number, PartialPiece>();
  /** Page-aligned piece buffers within the session's budget; their alignment lets verified pieces go to disk with direct writes. */
  private readonly memory: PieceMemory;
  /** Pieces being received with no room in the piece memory: their blocks go straight to disk. */
  private readonly through = new Map<number, ThroughPiece>();
  /** Written-through pieces are read back to be verified one at a time, into one scratch buffer. */
  private readBack: Promise<void> = Promise.resolve();
  private readBackScratch: Buffer | null = null;
  private readonly io: PieceIo = {
    writeNow: (offset, data) => this.writeRangeNow(offset, data),
    write: (offset, data) => this.writeRange(offset, data, false),
    read: (offset, length, target, targetOffset) => this.readRange(offset, length, target, targetOffset),
  };
  private readonly direct: DirectWrites = { enabled: true };
  /**
   * The last write queued per file. Writes to one file go one at a time: parallel
   * buffered writes to one inode only spin on its lock in the kernel.
   */
  private readonly writeTails = new Map<number, Promise<void>>();
  /** Set while an exclusive operation (rename, move, delete) runs: new reads and writes wait for it. */
  private gate: Promise<void> | null = null;
  /** Reads and writes in flight (entered, not yet settled). */
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  /** After deleteFiles: writes are refused, so a late piece cannot recreate a deleted file. */
  private deleted = false;
  /** Pieces accepted by finishPiece whose writes have not settled (flush waits for them). */
  private readonly writing = new Set<Promise<void>>();

  /** `memory`: the session's budget for piece buffers, shared by its torrents (default: one of the default size). */
  constructor(private readonly spec: StorageSpec, root: string, memory?: PieceMemory) {
    this.geometry = new PieceGeometry(spec.totalLength, spec.pieceLength);
    this.memory = memory ?? new PieceMemory();
    this.paths = spec.files.map((f) => [...f.path]);
    this._root = root;
    this._layout = this.layoutAt(root);
  }

  /** The download folder. Changes only through moveStorage / relocate. */
  get root(): string {
    return this._root;
  }

  get layout(): FileLayout {
    return this._layout;
  }

  get files(): readonly StoredFile[] {
    return this._layout.files;
  }

  /** The file's path components relative to the download folder (as renamed). */
  filePath(index: number): readonly string[] {
    this.checkFileIndex(index);
    return this.paths[index];
  }

  private layoutAt(root: string): FileLayout {
    const files: StoredFile[] = this.spec.files.map((f, i) => ({
      absPath: resolveInside(root, this.paths[i]),
      offset: f.offset,
      length: f.length,
      padding: f.padding,
    }));
    return new FileLayout(files);
  }

  private checkFileIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.paths.length) {
      throw new StorageError(`file ${index} does not exist`, 'EINVAL');
    }
  }

  // ---------------------------------------------------------------- exclusive operations

  /**
   * Runs `fn` while no other I/O touches this storage: waits for the reads and writes in
   * flight, closes every cached file handle (so no descriptor keeps pointing at an old path),
   * and holds back reads and writes that arrive meanwhile; they run afterwards against the
   * layout `fn` leaves behind. Exclusive operations run one at a time.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      if (this.active > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      this.handles.closeAll();
      return await fn();
    } finally {
      this.handles.closeAll();
      this.gate = null;
      open();
    }
  }

  /**
   * Points the storage at another download folder without touching the disk: later reads
   * and writes use the new paths. moveStorage calls it once the files are in place; on its own
   * it is for data that is already there. Call it inside `exclusive` when I/O may be running.
   */
  relocate(newRoot: string): void {
    const layout = this.layoutAt(newRoot); // throws before changing anything
    this.handles.closeAll();
    this._root = newRoot;
    this._layout = layout;
  }

  /**
   * Renames one file to `newComponents` (relative to the download folder; for a multi-file
   * torrent the first component is usually the torrent's folder). Each component must already
   * be sanitised (sanitizeElement leaves it unchanged) and the result must lie inside the
   * download folder. Refuses (StorageError 'EEXIST') when the target exists on disk or another
   * file of the torrent has that path (case-insensitively) or needs it as a folder. Moves the
   * file on disk when it exists (creating parent folders, then removing the old folders if they
   * are left empty); otherwise only the layout changes. I/O waits meanwhile; handles are closed
   * first, so later reads and writes go to the new path.
   */
  async renameFile(index: number, newComponents: readonly string[]): Promise<void> {
    this.checkFileIndex(index);
    if (this.spec.files[index].padding) throw new StorageError(`file ${index} is a padding file`, 'EINVAL');
    checkNewComponents(newComponents);
    const components = [...newComponents];
    resolveInside(this._root, components); // PathEscapeError before anything else
    checkNoClash(this.paths, (i) => this.spec.files[i].padding, index, components);
    await this.exclusive(async () => {
      const oldComponents = this.paths[index];
      const src = this.files[index].absPath;
      const dst = resolveInside(this._root, components);
      if (dst === src) return;
      const moved = await renameOnDisk(src, dst);
      this.paths[index] = components;
      this._layout = this.layoutAt(this._root);
      if (moved) await removeEmptyDirs(this._root, [oldComponents]);
    });
  }

  /**
   * Deletes the torrent's files, then the torrent's folders that are left empty. Never touches
   * anything outside the download folder (symlinked folders leading out are skipped), never a
   * folder that still holds other files, never the download folder itself. Partial pieces are
   * dropped, and later writes are refused: call it once the torrent is stopped.
   */
  async deleteFiles(): Promise<void> {
    await this.exclusive(async () => {
      this.deleted = true;
      for (const part of this.partial.values()) this.memory.forget(part.buf);
      this.partial.clear();
      this.through.clear();
      for (let i = 0; i < this.paths.length; i++) {
        const f = this.files[i];
        if (f.padding) continue;
        if (!(await realInside(this._root, dirname(f.absPath)))) continue;
        for (const path of [f.absPath, `${f.absPath}.tessera-part`]) {
          const st = await lstat(path).catch(() => null);
          if (st === null || st.isDirectory()) continue;
          try {
            await unlink(path);
          } catch (err) {
            if (errorCode(err) !== 'ENOENT') throw describeIoError(err as NodeJS.ErrnoException, path);
          }
        }
      }
      await removeEmptyDirs(this._root, this.paths);
    });
  }

  /**
   * Creates the zero-length files, which no piece ever writes. `wanted(index)` false leaves a
   * file out (e.g. one whose priority is skip).
   */
  createEmptyFiles(wanted?: (index: number) => boolean): void {
    const files = this._layout.files;
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      if (f.length !== 0 || f.padding || (wanted && !wanted(i))) continue;
      mkdirSync(dirname(f.absPath), { recursive: true });
      closeSync(openSync(f.absPath, 'a'));
    }
  }

  /** Copies a received block into its piece's buffer. The caller's bytes may be reused afterwards. */
  writeBlock(piece: number, begin: number, data: Uint8Array): void {
    let part = this.partial.get(piece);
    if (!part) {
      const through = this.through.get(piece);
      if (through) return through.block(begin, data);
      const buf = this.memory.take(this.spec.pieceLength);
      if (buf === null) {
        const started = new ThroughPiece(this.geometry.pieceOffset(piece), this.geometry.pieceSize(piece), this.io);
        this.through.set(piece, started);
        return started.block(begin, data);
      }
      part = { buf, hash: createHash('sha1'), hashedUpTo: 0, received: new Uint8Array(this.geometry.blocksInPiece(piece)) };
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
    this.through.delete(piece);
    const part = this.partial.get(piece);
    if (!part) return;
    this.partial.delete(piece);
    this.memory.give(part.buf);
  }

  get partialPieces(): number {
    return this.partial.size + this.through.size;
  }

  /**
   * Hashes a complete piece; if it matches, writes it to disk. Resolves true when
   * verified and written, false on hash mismatch (the partial data is dropped).
   * Rejects with a StorageError on an I/O failure.
   */
  finishPiece(piece: number): Promise<boolean> {
    const through = this.through.get(piece);
    if (through) return this.track(this.finishThrough(piece, through));
    const part = this.partial.get(piece);
    if (!part) return Promise.resolve(false);
    const size = this.geometry.pieceSize(piece);
    const data = part.buf.subarray(0, size);
    if (part.hashedUpTo < size) part.hash.update(part.buf.subarray(part.hashedUpTo, size));
    const verified = this.spec.verifier ? this.spec.verifier.matches(piece, data) : this.digestMatches(piece, part.hash.digest());
    if (!verified) {
      this.discardPiece(piece);
      return Promise.resolve(false);
    }
    const written = this.writeRange(this.geometry.pieceOffset(piece), data, true).then(
      () => {
        this.discardPiece(piece);
        return true;
      },
      (err: unknown) => {
        this.discardPiece(piece);
        throw err;
      },
    );
    return this.track(written);
  }

  /**
   * Writes a written-through block at once from the caller's bytes: nothing copied or queued, so memory stays bounded.
   * One block is a page-cache copy of microseconds; a disk the kernel throttles holds up reading too, which slows the
   * peers (TCP back-pressure) as it should. False while an exclusive operation or a deletion holds the files.
   */
  private writeRangeNow(offset: number, data: Uint8Array): boolean {
    if (this.gate || this.deleted) return false;
    for (const span of this._layout.spans(offset, data.length)) {
      const file = this._layout.files[span.fileIndex];
      if (!file.padding) writeSpanNow(this.handles, file.absPath, span, data);
    }
    return true;
  }

  /** Verifies a piece written through from what reached the disk: one at a time, through one reused scratch buffer. */
  private finishThrough(piece: number, through: ThroughPiece): Promise<boolean> {
    const check = this.readBack.then(async () => {
      try {
        this.readBackScratch ??= Buffer.allocUnsafe(Math.min(READ_BACK_CHUNK, this.spec.pieceLength));
        const digest = await through.digest(this.readBackScratch);
        return digest !== null && this.digestMatches(piece, digest);
      } finally {
        this.through.delete(piece);
      }
    });
    this.readBack = check.then(
      () => undefined,
      () => undefined,
    );
    return check;
  }

  /** Lets flush wait for a piece's writes. */
  private track(written: Promise<boolean>): Promise<boolean> {
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    this.writing.add(settled);
    void settled.then(() => this.writing.delete(settled));
    return written;
  }

  /** Resolves once the writes of every piece finishPiece accepted so far have settled. */
  async flush(): Promise<void> {
    await Promise.all([...this.writing, ...[...this.through.values()].map((t) => t.settled())]);
    // Reads in flight (blocks being uploaded) end too: close() after flush must not pull a descriptor from under one.
    if (this.active > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Makes the stored bytes of `pieces` durable (fdatasync of their files), before a record may claim them. */
  syncPieces(pieces: readonly number[]): Promise<void> {
    return syncFiles(filesOfPieces(this._layout, this.geometry, pieces));
  }

  /** Moves the files to another download folder; see moveStorage for the crash safety. */
  move(newRoot: string, onProgress?: (movedBytes: number, totalBytes: number) => void, options?: MoveOptions): Promise<void> {
    return moveStorage(this, newRoot, onProgress, options);
  }

  hashMatches(piece: number, data: Uint8Array): boolean {
    if (this.spec.verifier) return this.spec.verifier.matches(piece, data);
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
    while (this.gate) await this.gate;
    const { pieceCount } = this.geometry;
    const have = new Bitfield(pieceCount);
    const buf = Buffer.allocUnsafe(this.spec.pieceLength);
    const sizes = this._layout.files.map((f) => (f.padding ? Infinity : fileSize(f.absPath)));
    for (let p = 0; p < pieceCount; p++) {
      if (signal?.aborted) break;
      const size = this.geometry.pieceSize(p);
      const offset = this.geometry.pieceOffset(p);
      if (!this._layout.spans(offset, size).every((s) => sizes[s.fileIndex] >= s.fileOffset + s.length)) continue;
      const ok = await this.readRange(offset, size, buf, 0);
      if (ok && this.hashMatches(p, buf.subarray(0, size))) have.set(p);
      if (onProgress && (p % 64 === 63 || p === pieceCount - 1)) onProgress(p + 1, pieceCount);
    }
    return have;
  }

  close(): void {
    this.handles.closeAll();
    for (const part of this.partial.values()) this.memory.forget(part.buf);
    this.partial.clear();
    this.through.clear();
  }

  /** `aligned`: `data` is a piece buffer from the piece memory (page-aligned, so it may be written direct). */
  private writeRange(offset: number, data: Uint8Array, aligned: boolean): Promise<void> {
    if (this.gate) return this.gate.then(() => this.writeRange(offset, data, aligned));
    if (this.deleted) return Promise.reject(new StorageError("the torrent's files were deleted", 'ENOENT'));
    this.active++;
    const spans = this._layout.spans(offset, data.length);
    return Promise.all(spans.map((s) => this.writeSpan(s, data, aligned))).then(
      () => this.leave(),
      (err: unknown) => {
        this.leave();
        throw err;
      },
    );
  }

  private leave(): void {
    if (--this.active > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private writeSpan(span: FileSpan, data: Uint8Array, aligned: boolean): Promise<void> {
    const file = this._layout.files[span.fileIndex];
    if (file.padding) return Promise.resolve();
    const previous = this.writeTails.get(span.fileIndex) ?? Promise.resolve();
    const next = previous.then(
      () => this.pwriteSpan(span, data, aligned),
      () => this.pwriteSpan(span, data, aligned),
    );
    this.writeTails.set(span.fileIndex, next);
    const clear = (): void => {
      if (this.writeTails.get(span.fileIndex) === next) this.writeTails.delete(span.fileIndex);
    };
    next.then(clear, clear);
    return next;
  }

  private pwriteSpan(span: FileSpan, data: Uint8Array, aligned: boolean): Promise<void> {
    return writeSpan(this.handles, this._layout.files[span.fileIndex].absPath, span, data, aligned, this.direct);
  }

  /** Resolves false when any file in the range is missing or too short. */
  private readRange(offset: number, length: number, target: Buffer, targetOffset: number): Promise<boolean> {
    if (this.gate) return this.gate.then(() => this.readRange(offset, length, target, targetOffset));
    this.active++;
    const spans = this._layout.spans(offset, length);
    return Promise.all(spans.map((s) => this.readSpan(s, target, targetOffset))).then(
      (r) => {
        this.leave();
        return r.every(Boolean);
      },
      (err: unknown) => {
        this.leave();
        throw err;
      },
    );
  }

  private readSpan(span: FileSpan, target: Buffer, targetOffset: number): Promise<boolean> {
    const file = this._layout.files[span.fileIndex];
    if (file.padding) {
      target.fill(0, targetOffset + span.rangeOffset, targetOffset + span.rangeOffset + span.length);
      return Promise.resolve(true);
    }
    return readSpan(this.handles, file.absPath, span, target, targetOffset);
  }
}
