/**
 * Splits the byte stream after the handshake into frames (message bodies without their
 * 4-byte length prefix).
 */
import { BLOCK_SIZE } from '../common/geometry.js';
import { EMPTY, readU32 } from './bytes.js';
import { WireError } from './errors.js';

/**
 * Default cap on a frame's body length: 1 MiB of payload plus a piece header's worth. Covers a
 * piece message with a 16 KiB block many times over and a bitfield for 8 Mi pieces; raise it
 * for larger bitfields.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = Math.max(1024 * 1024 + 13, BLOCK_SIZE + 13);

/** The assembly buffer never shrinks below this. */
const MIN_BUFFER = 32 * 1024;
/** After a frame larger than this was assembled, the buffer goes back to MIN_BUFFER. */
const SHRINK_ABOVE = 4 * MIN_BUFFER;

/**
 * Stream framer. Feed it socket chunks with push(); it calls onFrame once per complete frame.
 *
 * Frames lying wholly inside one chunk are passed as zero-copy subarrays of that chunk; only
 * frames split across chunks are assembled, in an internal buffer that is reused. Either way
 * **the frame view is valid only during the callback**: copy whatever must outlive it.
 *
 * A length prefix above the cap throws WireError (drop the connection); after that the framer
 * stays failed and every push throws. A WireError thrown by onFrame propagates unchanged; the
 * framer has already consumed that frame, so the remaining bytes of the chunk are dropped.
 * push() must not be called re-entrantly from onFrame.
 */
export class Framer {
  readonly maxMessageLength: number;
  private buf: Uint8Array;
  private readonly header = new Uint8Array(4);
  /** Bytes of the length prefix read so far for a frame in progress (0 = between frames). */
  private headerFill = 0;
  private bodyLength = 0;
  private bodyFill = 0;
  private failure: WireError | null = null;

  constructor(maxMessageLength: number = DEFAULT_MAX_MESSAGE_LENGTH) {
    if (!Number.isInteger(maxMessageLength) || maxMessageLength < 1 || maxMessageLength > 0xffffffff) {
      throw new RangeError(`framer: bad maxMessageLength ${maxMessageLength}`);
    }
    this.maxMessageLength = maxMessageLength;
    this.buf = new Uint8Array(Math.min(MIN_BUFFER, maxMessageLength));
  }

  /** Bytes of an incomplete frame held between pushes (prefix included). */
  get buffered(): number {
    return this.headerFill + this.bodyFill;
  }

  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    if (this.failure) throw this.failure;
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.headerFill === 0) {
        // Fast path: between frames, take whole frames straight out of the chunk.
        if (n - pos < 4) {
          this.header.set(chunk.subarray(pos, n));
          this.headerFill = n - pos;
          return;
        }
        const length = readU32(chunk, pos);
        this.check(length);
        const start = pos + 4;
        if (n - start >= length) {
          pos = start + length;
          onFrame(chunk.subarray(start, pos));
          continue;
        }
        this.startBody(length);
        this.headerFill = 4;
        pos = start;
      } else if (this.headerFill < 4) {
        const take = Math.min(4 - this.headerFill, n - pos);
        this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < 4) return;
        const length = readU32(this.header, 0);
        this.check(length);
        if (length === 0) {
          this.headerFill = 0;
          onFrame(EMPTY);
          continue;
        }
        this.startBody(length);
      }
      // Assembling a split frame's body.
      const take = Math.min(this.bodyLength - this.bodyFill, n - pos);
      this.buf.set(chunk.subarray(pos, pos + take), this.bodyFill);
      this.bodyFill += take;
      pos += take;
      if (this.bodyFill === this.bodyLength) {
        const frame = this.buf.subarray(0, this.bodyLength);
        this.headerFill = 0;
        this.bodyFill = 0;
        if (this.bodyLength > SHRINK_ABOVE && this.buf.length > SHRINK_ABOVE) {
          // Large frames (big bitfields, metadata) are rare: don't pin their memory.
          this.buf = new Uint8Array(Math.min(MIN_BUFFER, this.maxMessageLength));
        }
        onFrame(frame);
      }
    }
  }

  /** Forgets any partial frame and a previous failure. */
  reset(): void {
    this.headerFill = 0;
    this.bodyFill = 0;
    this.bodyLength = 0;
    this.failure = null;
  }

  private check(length: number): void {
    if (length > this.maxMessageLength) {
      this.failure = new WireError(`wire: message length ${length} exceeds limit ${this.maxMessageLength}`);
      throw this.failure;
    }
  }

  private startBody(length: number): void {
    this.bodyLength = length;
    this.bodyFill = 0;
    if (this.buf.length < length) {
      this.buf = new Uint8Array(Math.min(Math.max(length, this.buf.length * 2), this.maxMessageLength));
    }
  }
}
