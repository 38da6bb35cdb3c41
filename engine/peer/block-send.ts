import { writePieceHeader } from '../wire/index.js';
import type { Transport } from '../net/transport.js';

/** A block read for a peer and not yet sent (an upload limit holds it back). `data` may be a view of a shared read buffer. */
export interface OutgoingBlock {
  readonly piece: number;
  readonly begin: number;
  readonly data: Buffer;
  /** Called once `data` is no longer needed: the transport has handed it to the kernel (or copied it), or it will not be sent. */
  readonly release: () => void;
}

/** For a block whose bytes are its own (nothing to give back). */
export const NO_RELEASE = (): void => {};

/** Bytes of a piece message before its payload: length prefix, id, index, begin. */
export const PIECE_MESSAGE_OVERHEAD = 13;

/**
 * Writes one piece message. A transport that takes a header and payload apart (TCP: one writev) gets the block's
 * bytes where they lie, so serving a block neither allocates nor copies its 16 KiB; any other (an encrypting or uTP
 * stream, which changes or slices what it sends) gets one buffer of its own. Returns what the transport's write did.
 */
export function writeBlock(transport: Transport, block: OutgoingBlock): boolean {
  const length = block.data.length;
  if (transport.writeBlock) {
    // From Node's shared 8 KiB pool: a 13-byte header costs no ArrayBuffer of its own.
    const head = Buffer.allocUnsafe(PIECE_MESSAGE_OVERHEAD);
    writePieceHeader(head, 0, block.piece, block.begin, length);
    return transport.writeBlock(head, block.data, block.release);
  }
  const message = Buffer.allocUnsafe(PIECE_MESSAGE_OVERHEAD + length);
  writePieceHeader(message, 0, block.piece, block.begin, length);
  block.data.copy(message, PIECE_MESSAGE_OVERHEAD);
  block.release();
  return transport.writeOwned ? transport.writeOwned(message) : transport.write(message);
}
