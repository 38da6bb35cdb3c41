import { REQUEST_MESSAGE_LENGTH, writeReject } from '../wire/index.js';

/** Rejects kept after a flood: larger batches are let go once sent. */
const KEEP_BYTES = REQUEST_MESSAGE_LENGTH * 1024;

/**
 * Rejects (BEP 6) gathered while one socket read is handled, to go out in one write after it: a flood of requests
 * then costs one write per read instead of one per request (each queued write also costs Node a request object).
 */
export class RejectBatch {
  private buf: Buffer | null = null;
  private fill = 0;

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
    this.fill = writeReject(buf, this.fill, piece, begin, length);
  }

  /** The gathered rejects in a buffer of their own (the socket keeps it); the batch is empty again. */
  take(): Buffer {
    const buf = this.buf!;
    const out = Buffer.from(buf.subarray(0, this.fill));
    this.fill = 0;
    if (buf.length > KEEP_BYTES) this.buf = null;
    return out;
  }
}
