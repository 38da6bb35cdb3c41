import { createHash } from 'node:crypto';

/** The positional I/O a piece written through needs from its storage. */
export interface PieceIo {
  /** Writes at once from `data`; false when it cannot now (the files are busy). Throws a StorageError. */
  writeNow(offset: number, data: Uint8Array): boolean;
  /** Writes later; `data` must stay unchanged until it settles. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Resolves false when the range is missing on disk. */
  read(offset: number, length: number, target: Buffer, targetOffset: number): Promise<boolean>;
}

/** How much of a piece written through is read back at a time to hash it (the size of the scratch to pass). */
export const READ_BACK_CHUNK = 1024 * 1024;

/**
 * A piece with no room in the piece memory: its blocks go to disk as they arrive and it is verified once complete
 * (libtorrent does the same). Blocks arriving in order are hashed on the way, while in cache; whatever follows the
 * first gap is read back from disk at the end. Its bytes are on disk before they are verified, so a piece that
 * fails leaves bytes there that nothing trusts (records and rechecks go by hash).
 */
export class ThroughPiece {
  private readonly hash = createHash('sha1');
  /** Bytes [0, hashedUpTo) are hashed. */
  private hashedUpTo = 0;
  private readonly writes = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(
    private readonly offset: number,
    private readonly size: number,
    private readonly io: PieceIo,
  ) {}

  /** Writes a block (at once, or a copy later while the files are busy: `data` is only valid during the call). */
  block(begin: number, data: Uint8Array): void {
    if (begin === this.hashedUpTo) {
      this.hash.update(data);
      this.hashedUpTo += data.length;
    }
    if (this.failure !== null) return;
    try {
      if (this.io.writeNow(this.offset + begin, data)) return;
    } catch (err) {
      this.failure = err;
      return;
    }
    const copy = Buffer.allocUnsafe(data.length);
    copy.set(data);
    const write = this.io.write(this.offset + begin, copy).catch((err: unknown) => {
      this.failure ??= err;
    });
    this.writes.add(write);
    void write.then(() => this.writes.delete(write));
  }

  /** Resolves once every block queued so far is written (or failed). */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  /**
   * The piece's SHA-1 once its writes are done, or null when part of it is missing on disk; rejects on a write error.
   * `scratch` (any size) holds what is read back; the caller must not use it for anything else meanwhile.
   */
  async digest(scratch: Buffer): Promise<Buffer | null> {
    await this.settled();
    if (this.failure !== null) throw this.failure;
    for (let at = this.hashedUpTo; at < this.size; ) {
      const n = Math.min(scratch.length, this.size - at);
      if (!(await this.io.read(this.offset + at, n, scratch, 0))) return null;
      this.hash.update(scratch.subarray(0, n));
      at += n;
    }
    return this.hash.digest();
  }
}
