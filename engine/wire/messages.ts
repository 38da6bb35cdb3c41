/**
 * Peer wire messages (BEP 3, BEP 5 port, BEP 6 fast extension, BEP 10 extended): bytes <-> values.
 *
 * A frame is the message body after the 4-byte length prefix. Decoding is strict about the
 * length of every known message and returns views (subarrays) into the frame for payload
 * fields, so nothing is copied; a caller that keeps a payload past the frame's lifetime
 * (see Framer) must copy it.
 */
import { isU32, readU32, writeU32 } from './bytes.js';
import { WireError } from './errors.js';

export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 13,
  haveAll: 14,
  haveNone: 15,
  reject: 16,
  allowedFast: 17,
  extended: 20,
} as const;

export type Message =
  | { type: 'keepalive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'notInterested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bits: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  | { type: 'port'; port: number }
  | { type: 'suggest'; index: number }
  | { type: 'haveAll' }
  | { type: 'haveNone' }
  | { type: 'reject'; index: number; begin: number; length: number }
  | { type: 'allowedFast'; index: number }
  | { type: 'extended'; id: number; payload: Uint8Array }
  /** A message id this codec does not know; callers ignore it. */
  | { type: 'unknown'; id: number };

export type MessageType = Message['type'];

// Shared immutable results for the payload-less messages: decoding them allocates nothing.
const KEEPALIVE: Message = Object.freeze({ type: 'keepalive' });
const CHOKE: Message = Object.freeze({ type: 'choke' });
const UNCHOKE: Message = Object.freeze({ type: 'unchoke' });
const INTERESTED: Message = Object.freeze({ type: 'interested' });
const NOT_INTERESTED: Message = Object.freeze({ type: 'notInterested' });
const HAVE_ALL: Message = Object.freeze({ type: 'haveAll' });
const HAVE_NONE: Message = Object.freeze({ type: 'haveNone' });

const NAMES: Record<number, string> = {
  0: 'choke', 1: 'unchoke', 2: 'interested', 3: 'not_interested', 4: 'have', 5: 'bitfield',
  6: 'request', 7: 'piece', 8: 'cancel', 9: 'port', 13: 'suggest', 14: 'have_all',
  15: 'have_none', 16: 'reject', 17: 'allowed_fast', 20: 'extended',
};

function exact(frame: Uint8Array, length: number): void {
  if (frame.length !== length) {
    throw new WireError(`wire: ${NAMES[frame[0]]} message must be ${length} bytes, got ${frame.length}`);
  }
}

function atLeast(frame: Uint8Array, length: number): void {
  if (frame.length < length) {
    throw new WireError(`wire: ${NAMES[frame[0]]} message must be at least ${length} bytes, got ${frame.length}`);
  }
}

/**
 * Decodes one frame (the body after the length prefix; empty = keepalive).
 * Throws WireError when a known message has the wrong length. Unknown ids decode to
 * `{type: 'unknown', id}`.
 */
export function decodeMessage(frame: Uint8Array): Message {
  if (frame.length === 0) return KEEPALIVE;
  const id = frame[0];
  switch (id) {
    case MessageId.choke: exact(frame, 1); return CHOKE;
    case MessageId.unchoke: exact(frame, 1); return UNCHOKE;
    case MessageId.interested: exact(frame, 1); return INTERESTED;
    case MessageId.notInterested: exact(frame, 1); return NOT_INTERESTED;
    case MessageId.haveAll: exact(frame, 1); return HAVE_ALL;
    case MessageId.haveNone: exact(frame, 1); return HAVE_NONE;
    case MessageId.have: exact(frame, 5); return { type: 'have', index: readU32(frame, 1) };
    case MessageId.suggest: exact(frame, 5); return { type: 'suggest', index: readU32(frame, 1) };
    case MessageId.allowedFast: exact(frame, 5); return { type: 'allowedFast', index: readU32(frame, 1) };
    case MessageId.bitfield: return { type: 'bitfield', bits: frame.subarray(1) };
    case MessageId.request:
    case MessageId.cancel:
    case MessageId.reject: {
      exact(frame, 13);
      const type = id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : 'reject';
      return { type, index: readU32(frame, 1), begin: readU32(frame, 5), length: readU32(frame, 9) };
    }
    case MessageId.piece:
      atLeast(frame, 9);
      return { type: 'piece', index: readU32(frame, 1), begin: readU32(frame, 5), block: frame.subarray(9) };
    case MessageId.port:
      exact(frame, 3);
      return { type: 'port', port: (frame[1] << 8) | frame[2] };
    case MessageId.extended:
      atLeast(frame, 2);
      return { type: 'extended', id: frame[1], payload: frame.subarray(2) };
    default:
      return { type: 'unknown', id };
  }
}

function u32(name: string, value: number): number {
  if (!isU32(value)) throw new WireError(`wire: ${name} ${value} is not a 32-bit unsigned integer`);
  return value;
}

function byte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new WireError(`wire: ${name} ${value} is not a byte`);
  return value;
}

function withPayload(id: number, payloadLength: number): Uint8Array {
  const out = new Uint8Array(5 + payloadLength);
  writeU32(out, 0, 1 + payloadLength);
  out[4] = id;
  return out;
}

function bare(id: number): Uint8Array {
  return withPayload(id, 0);
}

function indexOnly(id: number, index: number): Uint8Array {
  const out = withPayload(id, 4);
  writeU32(out, 5, u32('index', index));
  return out;
}

function triple(id: number, index: number, begin: number, length: number): Uint8Array {
  const out = withPayload(id, 12);
  writeU32(out, 5, u32('index', index));
  writeU32(out, 9, u32('begin', begin));
  writeU32(out, 13, u32('length', length));
  return out;
}

/**
 * Encodes a message with its 4-byte length prefix. Throws WireError for fields out of range
 * (and for 'unknown', which has no payload to send). For piece messages on the hot path prefer
 * encodePieceHeader and write the block separately.
 */
export function encodeMessage(msg: Message): Uint8Array {
  switch (msg.type) {
    case 'keepalive': return new Uint8Array(4);
    case 'choke': return bare(MessageId.choke);
    case 'unchoke': return bare(MessageId.unchoke);
    case 'interested': return bare(MessageId.interested);
    case 'notInterested': return bare(MessageId.notInterested);
    case 'haveAll': return bare(MessageId.haveAll);
    case 'haveNone': return bare(MessageId.haveNone);
    case 'have': return indexOnly(MessageId.have, msg.index);
    case 'suggest': return indexOnly(MessageId.suggest, msg.index);
    case 'allowedFast': return indexOnly(MessageId.allowedFast, msg.index);
    case 'request': return triple(MessageId.request, msg.index, msg.begin, msg.length);
    case 'cancel': return triple(MessageId.cancel, msg.index, msg.begin, msg.length);
    case 'reject': return triple(MessageId.reject, msg.index, msg.begin, msg.length);
    case 'bitfield': {
      const out = withPayload(MessageId.bitfield, msg.bits.length);
      out.set(msg.bits, 5);
      return out;
    }
    case 'piece': {
      const out = withPayload(MessageId.piece, 8 + msg.block.length);
      writeU32(out, 5, u32('index', msg.index));
      writeU32(out, 9, u32('begin', msg.begin));
      out.set(msg.block, 13);
      return out;
    }
    case 'port': {
      if (!Number.isInteger(msg.port) || msg.port < 0 || msg.port > 0xffff) {
        throw new WireError(`wire: port ${msg.port} out of range`);
      }
      const out = withPayload(MessageId.port, 2);
      out[5] = msg.port >>> 8;
      out[6] = msg.port & 0xff;
      return out;
    }
    case 'extended': {
      const out = withPayload(MessageId.extended, 1 + msg.payload.length);
      out[5] = byte('extended id', msg.id);
      out.set(msg.payload, 6);
      return out;
    }
    case 'unknown':
      throw new WireError(`wire: cannot encode unknown message id ${msg.id}`);
  }
}

/** Length of an encoded request/cancel/reject message including its prefix. */
export const REQUEST_MESSAGE_LENGTH = 17;
/** Length of an encoded have message including its prefix. */
export const HAVE_MESSAGE_LENGTH = 9;
/** Length of a piece message's header: prefix + id + index + begin. */
export const PIECE_HEADER_LENGTH = 13;

/**
 * Writes a request message (17 bytes) into `buf` at `offset` without allocating; returns the
 * offset after it. Throws WireError when a field is not a uint32 or the buffer is too short.
 */
export function writeRequest(buf: Uint8Array, offset: number, index: number, begin: number, length: number): number {
  return writeTriple(buf, offset, MessageId.request, index, begin, length);
}

/** As writeRequest, for cancel. */
export function writeCancel(buf: Uint8Array, offset: number, index: number, begin: number, length: number): number {
  return writeTriple(buf, offset, MessageId.cancel, index, begin, length);
}

/** As writeRequest, for reject (BEP 6). */
export function writeReject(buf: Uint8Array, offset: number, index: number, begin: number, length: number): number {
  return writeTriple(buf, offset, MessageId.reject, index, begin, length);
}

function writeTriple(buf: Uint8Array, offset: number, id: number, index: number, begin: number, length: number): number {
  if (offset < 0 || offset + REQUEST_MESSAGE_LENGTH > buf.length) throw new WireError('wire: buffer too small for request');
  if (!isU32(index) || !isU32(begin) || !isU32(length)) throw new WireError('wire: request field is not a 32-bit unsigned integer');
  writeU32(buf, offset, 13);
  buf[offset + 4] = id;
  writeU32(buf, offset + 5, index);
  writeU32(buf, offset + 9, begin);
  return writeU32(buf, offset + 13, length);
}

/** Writes a have message (9 bytes) into `buf` at `offset`; returns the offset after it. */
export function writeHave(buf: Uint8Array, offset: number, index: number): number {
  if (offset < 0 || offset + HAVE_MESSAGE_LENGTH > buf.length) throw new WireError('wire: buffer too small for have');
  if (!isU32(index)) throw new WireError(`wire: index ${index} is not a 32-bit unsigned integer`);
  writeU32(buf, offset, 5);
  buf[offset + 4] = MessageId.have;
  return writeU32(buf, offset + 5, index);
}

/**
 * The 13-byte header of a piece message carrying a block of `length` bytes: length prefix,
 * id 7, index, begin. Send it followed by the block itself, without concatenating.
 */
export function encodePieceHeader(index: number, begin: number, length: number): Uint8Array {
  const out = new Uint8Array(PIECE_HEADER_LENGTH);
  writePieceHeader(out, 0, index, begin, length);
  return out;
}

/** As encodePieceHeader, into a caller buffer; returns the offset after it. */
export function writePieceHeader(buf: Uint8Array, offset: number, index: number, begin: number, length: number): number {
  if (offset < 0 || offset + PIECE_HEADER_LENGTH > buf.length) throw new WireError('wire: buffer too small for piece header');
  if (!isU32(index) || !isU32(begin) || !isU32(length) || length > 0xffffffff - 9) {
    throw new WireError('wire: piece header field is not a 32-bit unsigned integer');
  }
  writeU32(buf, offset, 9 + length);
  buf[offset + 4] = MessageId.piece;
  writeU32(buf, offset + 5, index);
  return writeU32(buf, offset + 9, begin);
}
