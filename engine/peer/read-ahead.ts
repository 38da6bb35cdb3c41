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
}

/**
 * Reads the blocks peers ask of us a whole piece (up to READ_AHEAD_CHUNK) at a time. A peer that starts on a piece
 * (asks for a chunk's first byte) nearly always asks for the rest of it in order, so one disk read replaces one per
 * 16 KiB block: 64 fewer trips through libuv's thread pool per MiB, which on a loaded machine each cost a thread
 * wake-up and a context switch. Blocks that start inside a chunk not held are read on their own, so a peer picking
 * blocks at random costs no more than before. Memory: at most MAX_CHUNKS chunks per torrent, dropped when fully
 * served or idle for IDLE_MS.
 */
export class ReadAhead {
  private readonly chunks = new Map<number, Chunk>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly storage: Pick<Storage, 'geometry' | 'readBlock'>) {}

  /**
   * The `length` bytes of `piece` from `begin`: a view of the chunk that holds them (no copy: the caller must not
   * change it; the chunk stays alive while a view of it waits in a socket), or a buffer of their own when no chunk does.
   */
  readBlock(piece: number, begin: number, length: number): Promise<Buffer> {
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
    return held.loaded.then(() => {
      held.served += length;
      if (held.served >= held.data.length && this.chunks.get(key) === held) this.chunks.delete(key);
      return held.data.subarray(begin - held.start, begin - held.start + length);
    });
  }

  private readAlone(piece: number, begin: number, length: number): Promise<Buffer> {
    const data = Buffer.allocUnsafe(length);
    return this.storage.readBlock(piece, begin, length, data, 0).then(() => data);
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

  /** Drops every chunk (the torrent stopped serving). */
  clear(): void {
    this.chunks.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private load(key: number, piece: number, start: number, length: number): Chunk {
    const data = Buffer.allocUnsafe(length);
    const loaded = this.storage.readBlock(piece, start, length, data, 0);
    const chunk: Chunk = { start, data, loaded, served: 0, lastUsed: 0 };
    // A failed read is not kept: the next request tries the disk again (and the caller sees this error).
    loaded.catch(() => {
      if (this.chunks.get(key) === chunk) this.chunks.delete(key);
    });
    this.chunks.set(key, chunk);
    if (this.chunks.size > MAX_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    this.armTimer();
    return chunk;
  }

  private armTimer(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const cutoff = performance.now() - IDLE_MS;
      for (const [key, chunk] of this.chunks) if (chunk.lastUsed < cutoff) this.chunks.delete(key);
      if (this.chunks.size > 0) this.armTimer();
    }, IDLE_MS);
    this.timer.unref();
  }
}
