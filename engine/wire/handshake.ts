/** The BitTorrent handshake (BEP 3) and the reserved-bit extensions it advertises. */
import { WireError } from './errors.js';

export const HANDSHAKE_LENGTH = 68;
export const PROTOCOL = 'BitTorrent protocol';
/** Bytes up to and including the info hash: enough to pick the torrent before the peer id arrives. */
export const HANDSHAKE_HEAD_LENGTH = 48;

export interface HandshakeExtensions {
  /** BEP 10 extension protocol: reserved[5] & 0x10. */
  extended: boolean;
  /** BEP 6 fast extension: reserved[7] & 0x04. */
  fast: boolean;
  /** BEP 5 DHT: reserved[7] & 0x01. */
  dht: boolean;
}

export interface Handshake {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  extensions: HandshakeExtensions;
  /** All 8 reserved bytes as received (a copy), for logging and extensions not decoded here. */
  reserved: Uint8Array;
}

export interface HandshakeInput {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  extensions: HandshakeExtensions;
}

const PSTR = new TextEncoder().encode(PROTOCOL);
/** How every plaintext handshake starts: 19, 'BitTorrent protocol' (what tells it from an MSE one). */
export const HANDSHAKE_PREFIX: Uint8Array = Uint8Array.from([PSTR.length, ...PSTR]);

export function encodeHandshake(h: HandshakeInput): Uint8Array {
  if (h.infoHash.length !== 20) throw new WireError(`wire: info hash must be 20 bytes, got ${h.infoHash.length}`);
  if (h.peerId.length !== 20) throw new WireError(`wire: peer id must be 20 bytes, got ${h.peerId.length}`);
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out[0] = PSTR.length;
  out.set(PSTR, 1);
  if (h.extensions.extended) out[20 + 5] |= 0x10;
  if (h.extensions.fast) out[20 + 7] |= 0x04;
  if (h.extensions.dht) out[20 + 7] |= 0x01;
  out.set(h.infoHash, 28);
  out.set(h.peerId, 48);
  return out;
}

function checkHead(buf: Uint8Array, need: number): void {
  if (buf.length < need) throw new WireError(`wire: handshake needs ${need} bytes, got ${buf.length}`);
  if (buf[0] !== PSTR.length) throw new WireError(`wire: handshake pstrlen ${buf[0]}, expected 19`);
  for (let i = 0; i < PSTR.length; i++) {
    if (buf[1 + i] !== PSTR[i]) throw new WireError('wire: handshake protocol is not "BitTorrent protocol"');
  }
}

function extensionsOf(reserved: Uint8Array): HandshakeExtensions {
  return {
    extended: (reserved[5] & 0x10) !== 0,
    fast: (reserved[7] & 0x04) !== 0,
    dht: (reserved[7] & 0x01) !== 0,
  };
}

/**
 * Decodes the first HANDSHAKE_LENGTH bytes of `buf` (anything after them belongs to the
 * message stream and is ignored here). The returned byte fields are copies.
 */
export function decodeHandshake(buf: Uint8Array): Handshake {
  checkHead(buf, HANDSHAKE_LENGTH);
  const reserved = buf.slice(20, 28);
  return {
    reserved,
    extensions: extensionsOf(reserved),
    infoHash: buf.slice(28, 48),
    peerId: buf.slice(48, 68),
  };
}

/**
 * Decodes the first HANDSHAKE_HEAD_LENGTH bytes (protocol, reserved, info hash): an incoming
 * connection can pick its torrent and answer before the remote peer id arrives.
 */
export function decodeHandshakeHead(buf: Uint8Array): Omit<Handshake, 'peerId'> {
  checkHead(buf, HANDSHAKE_HEAD_LENGTH);
  const reserved = buf.slice(20, 28);
  return { reserved, extensions: extensionsOf(reserved), infoHash: buf.slice(28, 48) };
}
