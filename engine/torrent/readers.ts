/**
 * Readers of a torrent's files (one per open stream). A read waits until the pieces it covers are verified, then
 * reads them from storage. Each read moves its reader's window: deadlines on the pieces just ahead of the position,
 * as many as READ_AHEAD_SECONDS of the reader's measured bitrate hold (at least MIN_WINDOW_PIECES), due when the
 * reader will get there at that rate. A read at a new offset (a seek) replaces the window at once. A media file's
 * first and last pieces get deadlines as soon as its reader opens (containers keep their index there). The union of
 * every reader's window goes to the picker (earliest deadline of each piece); closing a reader removes its part.
 * A warm-up reader (opened before any player asks, e.g. by `tessera stream`) holds its window only while no other
 * reader has read: a player's seek must not share the peers' queues with the start of the file nobody reads.
 */
import type { Clock } from '../common/clock.js';
import type { PiecePicker } from '../picker/index.js';
import type { Storage } from '../storage/types.js';

/** Seconds of the measured bitrate to keep ahead of a reader. */
const READ_AHEAD_SECONDS = 8;
const MIN_WINDOW_PIECES = 4;
const MAX_WINDOW_PIECES = 64;
/** Assumed before a reader has a measured bitrate: 1 MB/s (a high-bitrate HD stream). */
const DEFAULT_BITRATE = 1_000_000;
/** The reads of a rate sample: older than this and the measure starts again. */
const RATE_WINDOW_MS = 10_000;
/** Media files: their last pieces are wanted this soon after the first ones. */
const TAIL_DELAY_MS = 1_000;

export class ReaderClosedError extends Error {
  override name = 'ReaderClosedError';
}

interface Waiter {
  readonly reader: FileReader;
  resolve(): void;
  reject(err: Error): void;
}

/** The torrent side a reader needs: verified pieces, storage, the picker, a way to refill the peers' queues. */
export interface ReaderHost {
  readonly storage: Storage;
  readonly picker: PiecePicker;
  readonly clock: Clock;
  hasPiece(piece: number): boolean;
  /** The deadlines changed: top up the peers' request queues now. */
  deadlinesChanged(): void;
}

export class TorrentReaders {
  private readonly readers = new Set<FileReader>();
  private readonly waiters = new Map<number, Waiter[]>();
  private closedReason: string | null = null;
  /** Scratch for the merged deadlines, reused. */
  private pieces = new Int32Array(0);
  private times = new Float64Array(0);

  constructor(private readonly host: ReaderHost) {}

  get size(): number {
    return this.readers.size;
  }

  /**
   * A reader of the bytes [offset, offset + length) of the torrent's data (one file); `media` fetches both ends first.
   * `warmUp`: its window yields to readers that have read (it becomes an ordinary reader once it reads itself).
   */
  open(offset: number, length: number, media: boolean, warmUp = false): FileReader {
    if (this.closedReason !== null) throw new ReaderClosedError(this.closedReason);
    const reader = new FileReader(this, this.host, offset, length, media, warmUp);
    this.readers.add(reader);
    this.update();
    return reader;
  }

  /** A piece was verified: reads waiting for it go on. */
  pieceVerified(piece: number): void {
    const list = this.waiters.get(piece);
    if (!list) return;
    this.waiters.delete(piece);
    for (const w of list) w.resolve();
  }

  /** The torrent stopped: every reader closes and pending reads fail with `reason`. */
  closeAll(reason: string): void {
    this.closedReason = reason;
    for (const r of [...this.readers]) r.close(reason);
  }

  /** @internal */
  waitFor(reader: FileReader, piece: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(piece);
      const w = { reader, resolve, reject };
      if (list) list.push(w);
      else this.waiters.set(piece, [w]);
    });
  }

  /** @internal */
  closed(reader: FileReader, reason: string): void {
    this.readers.delete(reader);
    for (const [piece, list] of this.waiters) {
      const left = list.filter((w) => w.reader !== reader);
      for (const w of list) if (w.reader === reader) w.reject(new ReaderClosedError(reason));
      if (left.length === 0) this.waiters.delete(piece);
      else this.waiters.set(piece, left);
    }
    this.update();
  }

  /** @internal Recomputes the union of the readers' windows and hands it to the picker. */
  update(): void {
    const picker = this.host.picker;
    let total = 0;
    let someoneReads = false;
    for (const r of this.readers) {
      total += r.windowSize;
      if (!r.warmingUp) someoneReads = true;
    }
    if (this.pieces.length < total) {
      this.pieces = new Int32Array(total * 2);
      this.times = new Float64Array(total * 2);
    }
    let n = 0;
    for (const r of this.readers) if (!r.warmingUp || !someoneReads) n = r.fillWindow(this.pieces, this.times, n);
    picker.setDeadlines(this.pieces, this.times, n);
    this.host.deadlinesChanged();
  }
}

/** One open stream of one file: reads wait for verified pieces; each read moves the deadline window. */
export class FileReader {
  private closedReason: string | null = null;
  /** Torrent offset of the next byte the reader is expected to read. */
  private position: number;
  private rateStartAt = -1;
  private rateStartPos = 0;
  private bitrate = DEFAULT_BITRATE;
  private readonly openedAt: number;

  /** @internal */
  constructor(
    private readonly owner: TorrentReaders,
    private readonly host: ReaderHost,
    /** Torrent offset of the file's first byte. */
    readonly offset: number,
    readonly length: number,
    private readonly media: boolean,
    private warmUp: boolean,
  ) {
    this.position = offset;
    this.openedAt = host.clock.now();
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** A warm-up reader that has not read yet. */
  get warmingUp(): boolean {
    return this.warmUp;
  }

  /** Bytes per second this reader has been reading at (DEFAULT_BITRATE until measured). */
  get rate(): number {
    return this.bitrate;
  }

  /**
   * Reads `into.length` bytes at `fileOffset` of the file, waiting for their pieces. Rejects with ReaderClosedError
   * once the reader is closed (or the torrent stops).
   */
  async read(fileOffset: number, into: Buffer): Promise<void> {
    if (this.closedReason !== null) throw new ReaderClosedError(this.closedReason);
    const len = into.length;
    if (!Number.isSafeInteger(fileOffset) || fileOffset < 0 || fileOffset + len > this.length) {
      throw new RangeError(`read of ${len} bytes at ${fileOffset} is outside the file (${this.length} bytes)`);
    }
    if (this.warmUp) {
      this.warmUp = false;
      this.position = -1; // moveTo below updates the deadlines: this window no longer yields to the others
    }
    this.moveTo(this.offset + fileOffset);
    const geo = this.host.storage.geometry;
    const start = this.offset + fileOffset;
    const end = start + len;
    let at = start;
    while (at < end) {
      const piece = Math.floor(at / geo.pieceLength);
      const pieceStart = piece * geo.pieceLength;
      const upto = Math.min(end, pieceStart + geo.pieceSize(piece));
      if (!this.host.hasPiece(piece)) await this.owner.waitFor(this, piece);
      if (this.closedReason !== null) throw new ReaderClosedError(this.closedReason);
      await this.host.storage.readBlock(piece, at - pieceStart, upto - at, into, at - start);
      at = upto;
    }
    this.advance(end);
  }

  close(reason = 'the stream was closed'): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.owner.closed(this, reason);
  }

  /** @internal Upper bound of the entries fillWindow adds. */
  get windowSize(): number {
    return this.closedReason !== null ? 0 : MAX_WINDOW_PIECES + 2;
  }

  /**
   * @internal Appends this reader's deadlines from index `n`: the window ahead of its position, due when it gets there
   * at its bitrate; for a media file, its first and last pieces too while they are missing. Returns the new count.
   */
  fillWindow(pieces: Int32Array, times: Float64Array, n: number): number {
    if (this.closedReason !== null || this.length === 0) return n;
    const geo = this.host.storage.geometry;
    const now = this.host.clock.now();
    const bytesPerMs = this.bitrate / 1000;
    const span = Math.max(MIN_WINDOW_PIECES * geo.pieceLength, READ_AHEAD_SECONDS * this.bitrate);
    const last = Math.floor((this.offset + this.length - 1) / geo.pieceLength);
    const first = Math.floor(this.position / geo.pieceLength);
    const limit = Math.min(last, first + MAX_WINDOW_PIECES - 1, Math.floor((this.position + span - 1) / geo.pieceLength));
    for (let p = first; p <= limit; p++) {
      if (this.host.hasPiece(p)) continue;
      pieces[n] = p;
      times[n++] = now + Math.max(0, p * geo.pieceLength - this.position) / bytesPerMs;
    }
    if (this.media) {
      const head = Math.floor(this.offset / geo.pieceLength);
      if (!this.host.hasPiece(head)) {
        pieces[n] = head;
        times[n++] = this.openedAt;
      }
      if (last !== head && !this.host.hasPiece(last)) {
        pieces[n] = last;
        times[n++] = this.openedAt + TAIL_DELAY_MS;
      }
    }
    return n;
  }

  /** A read starts at `pos`: a seek when it is not where the last read ended (the window moves at once). */
  private moveTo(pos: number): void {
    if (pos === this.position) return;
    this.position = pos;
    this.rateStartAt = -1;
    this.owner.update();
  }

  /** A read ended at `pos`: measure the bitrate; move the window when the reader entered a new piece. */
  private advance(pos: number): void {
    const geo = this.host.storage.geometry;
    const now = this.host.clock.now();
    const before = Math.floor(this.position / geo.pieceLength);
    if (this.rateStartAt < 0 || now - this.rateStartAt > RATE_WINDOW_MS) {
      this.rateStartAt = now;
      this.rateStartPos = this.position;
    } else if (now - this.rateStartAt >= 1000) {
      this.bitrate = Math.max(64 * 1024, ((pos - this.rateStartPos) * 1000) / (now - this.rateStartAt));
    }
    this.position = pos;
    if (Math.floor(pos / geo.pieceLength) !== before) this.owner.update();
  }
}
