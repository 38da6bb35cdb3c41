import type { Storage } from '../storage/types.js';

/** The most read ahead at once: a piece, or this much of a larger piece. */
export const READ_AHEAD_CHUNK = 1024 * 1024;
/** Chunks held per torrent; the least recently used goes first. */
const MAX_CHUNKS = 8;
/** A chunk nobody asked for in this long is dropped (checked by one timer while any chunk is held). */
const IDLE_MS = 5000;

interface Chunk {
  /** Byte offset of the chunk in its piece. */
  readonly start: number;
  readonly data: Buffer;
  /** Resolves once `data` holds the chunk; rejects with the storage's error. */
  readonly loaded: Promise<void>;
  /** Bytes of it handed out so far: once the whole chunk has gone out it is dropped. */
  served: number;
  lastUsed: number;
  /** Views handed out and not yet released (sent to the kernel, or dropped unsent). */
  views: number;
  /** The read finished (or failed): nothing writes into `data` any more. */
  settled: boolean;
  /** No longer held: `data` goes back to the pool once settled with no view out. */
  dropped: boolean;
  /** Called once per view when its bytes are no longer needed (one function per chunk, not per block). */
  readonly release: () => void;
}

/** A block's bytes and what to call once they have gone to the kernel (or will not be sent). */
export interface BlockView {
  readonly data: Buffer;
  readonly release: () => void;
}

const NOTHING_TO_RELEASE = (): void => {};

/**
 * Reads the blocks peers ask of us a whole piece (up to READ_AHEAD_CHUNK) at a time. A peer that starts on a piece
 * (asks for a chunk's first byte) nearly always asks for the rest of it in order, so one disk read replaces one per
 * 16 KiB block: 64 fewer trips through libuv's thread pool per MiB, which on a loaded machine each cost a thread
 * wake-up and a context switch. Blocks that start inside a chunk not held are read on their own, so a peer picking
 * blocks at random costs no more than before. Memory: at most MAX_CHUNKS chunks per torrent, dropped when fully
 * served or idle for IDLE_MS. Full-size chunk buffers are reused (at most MAX_CHUNKS spare): a fresh 1 MiB buffer per
 * chunk made V8 run a full mark-compact every ~8 MiB sent (external memory pressure), a fifth of a seeder's CPU. A
 * buffer is reused only once its read has finished and every view of it has been released, which the sender does
 * when the socket has taken the bytes (or when the block will not be sent): until then the kernel may still copy
 * from it.
 */
export class ReadAhead {
  private readonly chunks = new Map<number, Chunk>();
  /** READ_AHEAD_CHUNK-sized buffers no view refers to any more. */
  private readonly spare: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly storage: Pick<Storage, 'geometry' | 'readBlock'>) {}

  /**
   * The `length` bytes of `piece` from `begin`: a view of the chunk that holds them (no copy: the caller must not
   * change it, and calls `release` once the bytes have gone to the kernel or will not be sent), or a buffer of their
   * own when no chunk holds them.
   */
  readBlock(piece: number, begin: number, length: number): Promise<BlockView> {
    const pieceSize = this.storage.geometry.pieceSize(piece);
    const start = begin - (begin % READ_AHEAD_CHUNK);
    const end = Math.min(start + READ_AHEAD_CHUNK, pieceSize);
    if (begin + length > end) return this.readAlone(piece, begin, length);
    // Piece and chunk in one number: a piece has at most 2^12 chunks (4 GiB), far more than any real piece.
    const key = piece * 4096 + start / READ_AHEAD_CHUNK;
    let chunk = this.chunks.get(key);
    if (chunk === undefined) {
      if (begin !== start || length === end - start) return this.readAlone(piece, begin, length);
      chunk = this.load(key, piece, start, end - start);
    } else {
      // Most recently used last.
      this.chunks.delete(key);
      this.chunks.set(key, chunk);
    }
    chunk.lastUsed = performance.now();
    const held = chunk;
    held.views++;
    return held.loaded.then(
      () => {
        held.served += length;
        if (held.served >= held.data.length && this.chunks.get(key) === held) this.drop(key, held);
        return { data: held.data.subarray(begin - held.start, begin - held.start + length), release: held.release };
      },
      (err: unknown) => {
        held.release();
        throw err;
      },
    );
  }

  private readAlone(piece: number, begin: number, length: number): Promise<BlockView> {
    const data = Buffer.allocUnsafe(length);
    return this.storage.readBlock(piece, begin, length, data, 0).then(() => ({ data, release: NOTHING_TO_RELEASE }));
  }

  /**
   * Starts reading the chunk a queued request starts, if it starts one that is not held: called with the requests
   * waiting behind those being read, so the next piece is in memory before the peer's turn comes (a read of 1 MiB
   * takes milliseconds on a busy machine, longer than the blocks already read take to send). True if it started one.
   */
  prefetch(piece: number, begin: number, length: number): boolean {
    if (begin % READ_AHEAD_CHUNK !== 0) return false;
    const end = Math.min(begin + READ_AHEAD_CHUNK, this.storage.geometry.pieceSize(piece));
    const key = piece * 4096 + begin / READ_AHEAD_CHUNK;
    if (length >= end - begin || this.chunks.has(key)) return false;
    this.load(key, piece, begin, end - begin).lastUsed = performance.now();
    return true;
  }

  /** Chunks held (tests). */
  get size(): number {
    return this.chunks.size;
  }

  /** Spare buffers ready for reuse (tests). */
  get spareCount(): number {
    return this.spare.length;
  }

  /** Drops every chunk (the torrent stopped serving). */
  clear(): void {
    for (const [key, chunk] of this.chunks) this.drop(key, chunk);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private load(key: number, piece: number, start: number, length: number): Chunk {
    const data = length === READ_AHEAD_CHUNK ? (this.spare.pop() ?? Buffer.allocUnsafe(length)) : Buffer.allocUnsafe(length);
    const loaded = this.storage.readBlock(piece, start, length, data, 0);
    const chunk: Chunk = {
      start,
      data,
      loaded,
      served: 0,
      lastUsed: 0,
      views: 0,
      settled: false,
      dropped: false,
      release: () => {
        chunk.views--;
        this.recycle(chunk);
      },
    };
    loaded.then(
      () => {
        chunk.settled = true;
        this.recycle(chunk);
      },
      // A failed read is not kept: the next request tries the disk again (and the caller sees this error).
      () => {
        chunk.settled = true;
        if (this.chunks.get(key) === chunk) this.drop(key, chunk);
      },
    );
    this.chunks.set(key, chunk);
    if (this.chunks.size > MAX_CHUNKS) {
      const [oldestKey, oldest] = this.chunks.entries().next().value!;
      this.drop(oldestKey, oldest);
    }
    this.armTimer();
    return chunk;
  }

  private drop(key: number, chunk: Chunk): void {
    this.chunks.delete(key);
    chunk.dropped = true;
    this.recycle(chunk);
  }

  /** Back to the pool once nothing reads into the buffer or from it (see the class comment). */
  private recycle(chunk: Chunk): void {
    if (!chunk.dropped || !chunk.settled || chunk.views !== 0 || chunk.data.length !== READ_AHEAD_CHUNK) return;
    if (this.spare.length < MAX_CHUNKS && !this.spare.includes(chunk.data)) this.spare.push(chunk.data);
  }

  private armTimer(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const cutoff = performance.now() - IDLE_MS;
      for (const [key, chunk] of this.chunks) if (chunk.lastUsed < cutoff) this.drop(key, chunk);
      if (this.chunks.size > 0) this.armTimer();
    }, IDLE_MS);
    this.timer.unref();
  }
}
