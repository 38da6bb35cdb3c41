// The uTP packet codec (BEP 29): a 20-byte header, an optional chain of extensions (the selective ACK is the only
// one we read; unknown ones are skipped as the BEP asks), then the payload. Pure: bytes in, fields or a typed error
// out. Decoding fills a caller-owned record and points into the datagram (no copies); encoding writes into a
// caller-provided buffer.

/** Packet types (the high nibble of the first byte). */
export const ST_DATA = 0;
export const ST_FIN = 1;
export const ST_STATE = 2;
export const ST_RESET = 3;
export const ST_SYN = 4;
export type PacketType = typeof ST_DATA | typeof ST_FIN | typeof ST_STATE | typeof ST_RESET | typeof ST_SYN;

export const UTP_VERSION = 1;
export const HEADER_SIZE = 20;
/** Extension id of the selective ACK; 0 ends the chain. */
export const EXT_SELECTIVE_ACK = 1;
/**
 * Extension id of our padding (path-MTU probes, see mtu.ts). BEP 29 asks receivers to skip extensions they do not
 * know, and libtorrent, libutp and this codec do; 2 (libutp's "extension bits", length 8) and 3 (libtorrent's close
 * reason) are taken.
 */
export const EXT_PADDING = 0x70;
/** Longest selective-ACK bitmask we write (covers 256 packets past ack_nr + 1); we read any multiple of 4. */
export const MAX_SACK_BYTES = 32;

export type UtpDecodeError = 'too-short' | 'bad-version' | 'bad-type' | 'truncated-extension' | 'bad-sack-length';

/** One decoded packet. `sackOffset`/`sackLength` and `payloadOffset` index into the datagram it came from. */
export interface UtpPacket {
  type: PacketType;
  connectionId: number;
  timestampMicros: number;
  timestampDiffMicros: number;
  windowSize: number;
  seqNr: number;
  ackNr: number;
  /** Offset of the selective-ACK bitmask in the datagram; 0 when the packet has none. */
  sackOffset: number;
  sackLength: number;
  payloadOffset: number;
  payloadLength: number;
}

export function emptyPacket(): UtpPacket {
  return {
    type: ST_DATA,
    connectionId: 0,
    timestampMicros: 0,
    timestampDiffMicros: 0,
    windowSize: 0,
    seqNr: 0,
    ackNr: 0,
    sackOffset: 0,
    sackLength: 0,
    payloadOffset: HEADER_SIZE,
    payloadLength: 0,
  };
}

/**
 * True when a datagram looks like uTP (version 1, a known type, at least a header): how a UDP socket shared with
 * the DHT tells the two apart (KRPC messages are bencoded dictionaries and start with 'd' = 0x64, type 6 version 4).
 */
export function looksLikeUtp(data: Uint8Array): boolean {
  if (data.length < HEADER_SIZE) return false;
  const b = data[0]!;
  return (b & 0x0f) === UTP_VERSION && b >> 4 <= ST_SYN;
}

/** Decodes `data` into `out` (reused by the caller); returns null on success or why the bytes are not a packet. */
export function decodePacketInto(data: Uint8Array, out: UtpPacket): UtpDecodeError | null {
  if (data.length < HEADER_SIZE) return 'too-short';
  const b0 = data[0]!;
  if ((b0 & 0x0f) !== UTP_VERSION) return 'bad-version';
  const type = b0 >> 4;
  if (type > ST_SYN) return 'bad-type';
  out.type = type as PacketType;
  out.connectionId = (data[2]! << 8) | data[3]!;
  out.timestampMicros = readU32(data, 4);
  out.timestampDiffMicros = readU32(data, 8);
  out.windowSize = readU32(data, 12);
  out.seqNr = (data[16]! << 8) | data[17]!;
  out.ackNr = (data[18]! << 8) | data[19]!;
  out.sackOffset = 0;
  out.sackLength = 0;
  let ext = data[1]!;
  let at = HEADER_SIZE;
  while (ext !== 0) {
    if (at + 2 > data.length) return 'truncated-extension';
    const next = data[at]!;
    const len = data[at + 1]!;
    if (at + 2 + len > data.length) return 'truncated-extension';
    if (ext === EXT_SELECTIVE_ACK) {
      // BEP 29 asks for a multiple of 4 bytes, but libtorrent sends ceil(span / 8) bytes (1, 2, 3, ...): rejecting
      // those dropped every packet it sent while it held one of ours out of order, ACKs included, and the
      // connection died "timed out: no acknowledgement". Any non-empty bitmask is taken; we still write multiples of 4.
      if (len === 0) return 'bad-sack-length';
      out.sackOffset = at + 2;
      out.sackLength = len;
    }
    at += 2 + len;
    ext = next;
  }
  out.payloadOffset = at;
  out.payloadLength = data.length - at;
  return null;
}

/** Allocating convenience for tests and diagnostics: the packet, or the decode error. */
export function decodePacket(data: Uint8Array): UtpPacket | UtpDecodeError {
  const p = emptyPacket();
  return decodePacketInto(data, p) ?? p;
}

export interface UtpHeaderFields {
  readonly type: PacketType;
  readonly connectionId: number;
  readonly timestampMicros: number;
  readonly timestampDiffMicros: number;
  readonly windowSize: number;
  readonly seqNr: number;
  readonly ackNr: number;
}

/** Bytes the header plus a selective ACK of `sackLength` bytes (0: none) and `padding` bytes of padding take. */
export function headerLength(sackLength: number, padding = 0): number {
  return (sackLength === 0 ? HEADER_SIZE : HEADER_SIZE + 2 + sackLength) + padding;
}

/**
 * Writes the header (and the selective-ACK extension when `sackLength` > 0, taking the bitmask from
 * `sack[0..sackLength)`, and `padding` bytes of padding extensions, 0 or at least 2) at `buf[0..]`; returns the offset
 * where the payload goes. `buf` must hold headerLength(sackLength, padding) bytes; the payload is the caller's to copy.
 */
export function encodeHeader(buf: Uint8Array, h: UtpHeaderFields, sack: Uint8Array | null, sackLength: number, padding = 0): number {
  if (sackLength % 4 !== 0 || sackLength > 255) throw new RangeError(`selective ACK length ${sackLength} is not a multiple of 4 below 256`);
  if (padding === 1 || padding < 0) throw new RangeError(`padding of ${padding} bytes: an extension takes at least 2`);
  buf[0] = (h.type << 4) | UTP_VERSION;
  buf[1] = sackLength > 0 ? EXT_SELECTIVE_ACK : padding > 0 ? EXT_PADDING : 0;
  buf[2] = (h.connectionId >> 8) & 0xff;
  buf[3] = h.connectionId & 0xff;
  writeU32(buf, 4, h.timestampMicros);
  writeU32(buf, 8, h.timestampDiffMicros);
  writeU32(buf, 12, h.windowSize);
  buf[16] = (h.seqNr >> 8) & 0xff;
  buf[17] = h.seqNr & 0xff;
  buf[18] = (h.ackNr >> 8) & 0xff;
  buf[19] = h.ackNr & 0xff;
  let at = HEADER_SIZE;
  if (sackLength > 0) {
    buf[at] = padding > 0 ? EXT_PADDING : 0; // next extension
    buf[at + 1] = sackLength;
    for (let i = 0; i < sackLength; i++) buf[at + 2 + i] = sack![i]!;
    at += 2 + sackLength;
  }
  return padding > 0 ? writePadding(buf, at, padding) : at;
}

/** A chain of padding extensions of exactly `bytes` bytes (>= 2) at `buf[at..]`; returns where it ends. */
function writePadding(buf: Uint8Array, at: number, bytes: number): number {
  let left = bytes;
  while (left > 0) {
    let len = Math.min(255, left - 2);
    if (left - 2 - len === 1) len--; // never leave a single byte: the last extension needs two
    left -= 2 + len;
    buf[at] = left > 0 ? EXT_PADDING : 0;
    buf[at + 1] = len;
    buf.fill(0, at + 2, at + 2 + len);
    at += 2 + len;
  }
  return at;
}

/**
 * Selective-ACK bit `i` stands for seq ack_nr + 2 + i; within each byte the least significant bit comes first
 * (BEP 29: "the first byte... bit 0 is ack_nr + 2").
 */
export function sackBit(bitmask: Uint8Array, offset: number, i: number): boolean {
  return (bitmask[offset + (i >> 3)]! & (1 << (i & 7))) !== 0;
}

function readU32(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
}

function writeU32(d: Uint8Array, at: number, v: number): void {
  d[at] = (v >>> 24) & 0xff;
  d[at + 1] = (v >>> 16) & 0xff;
  d[at + 2] = (v >>> 8) & 0xff;
  d[at + 3] = v & 0xff;
}

/** Sequence numbers are 16 bits and wrap: a is before b when b - a, mod 2^16, is in 1..32767. */
export function seqLess(a: number, b: number): boolean {
  const d = (b - a) & 0xffff;
  return d !== 0 && d < 0x8000;
}

/** (a - b) mod 2^16 as a signed distance in -32768..32767. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}
