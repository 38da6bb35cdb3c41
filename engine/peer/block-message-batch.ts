import { REQUEST_MESSAGE_LENGTH, writeCancel, writeReject } from '../wire/index.js';

/** Batches kept after a flood: larger ones are let go once sent. */
const KEEP_BYTES = REQUEST_MESSAGE_LENGTH * 1024;

/** Writes one message naming a block (writeReject, writeCancel) at `offset`; returns the offset after it. */
export type BlockMessageWriter = (buf: Uint8Array, offset: number, index: number, begin: number, length: number) => number;

/**
 * Messages naming one block each (BEP 6 rejects, end-game cancels) gathered while a socket read is handled, to go
 * out in one write after it: a flood of requests then costs one write per read instead of one per request (each
 * queued write also costs Node a request object).
 */
export class BlockMessageBatch {
  private buf: Buffer | null = null;
  private fill = 0;

  constructor(private readonly write: BlockMessageWriter) {}

  static rejects(): BlockMessageBatch {
    return new BlockMessageBatch(writeReject);
  }

  static cancels(): BlockMessageBatch {
    return new BlockMessageBatch(writeCancel);
  }

  get pending(): boolean {
    return this.fill > 0;
  }

  add(piece: number, begin: number, length: number): void {
    let buf = this.buf;
    if (buf === null || this.fill + REQUEST_MESSAGE_LENGTH > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(REQUEST_MESSAGE_LENGTH * 64, (buf?.length ?? 0) * 2));
      if (buf !== null) buf.copy(grown, 0, 0, this.fill);
      this.buf = buf = grown;
    }
    this.fill = this.write(buf, this.fill, piece, begin, length);
  }

  /** The gathered messages in a buffer of their own (the socket keeps it); the batch is empty again. */
  take(): Buffer {
    const buf = this.buf!;
    const out = Buffer.from(buf.subarray(0, this.fill));
    this.fill = 0;
    if (buf.length > KEEP_BYTES) this.buf = null;
    return out;
  }
}
