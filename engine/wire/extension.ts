/**
 * Extension protocol payloads: the BEP 10 extended handshake, ut_metadata (BEP 9) and
 * ut_pex (BEP 11). These are the payloads carried inside an `extended` message; the
 * message framing itself is in messages.ts.
 *
 * Decoders reject wrong bencode types with WireError and ignore unknown keys.
 */
import { bytesToKey, encode, type BDict, type Encodable } from '../bencode/index.js';
import { bencodedLength, decodeDict, optBytes, optDict, optInt } from './bdict.js';
import { decodeCompactPeers, encodeCompactPeers, type CompactPeer } from './compact.js';
import { WireError } from './errors.js';

/** Extended message id 0 is the handshake itself. */
export const EXTENDED_HANDSHAKE_ID = 0;

// ---------------------------------------------------------------------------------------------
// BEP 10 extended handshake

export interface ExtendedHandshakeInput {
  /** Extension name -> the id we want to receive it on (1..255; 0 disables it). */
  m: Record<string, number> | ReadonlyMap<string, number>;
  /** Our TCP listen port. */
  p?: number;
  /** Client name and version, e.g. "Tessera 0.1.0". */
  v?: string;
  /** Number of outstanding requests we queue without dropping. */
  reqq?: number;
  /** BEP 9: size of the info dict, when we have it. */
  metadataSize?: number;
  /** The address we see the peer connecting from (4 or 16 bytes). */
  yourIp?: Uint8Array;
  /** We prefer encrypted connections (`e` = 1): peers may pass that on through PEX. */
  prefersEncryption?: boolean;
  /** BEP 21 `upload_only`: we download nothing more (a seed, or every wanted file done); false sends 0. */
  uploadOnly?: boolean;
}

export interface ExtendedHandshake {
  /**
   * Extension name -> id the peer wants to receive it on. Id 0 means the peer disables that
   * extension (a later handshake updates only the entries it mentions).
   */
  m: Map<string, number>;
  /** Peer's listen port, when present and in 1..65535. */
  p?: number;
  /** Client name/version as UTF-8 text (invalid sequences replaced), at most 256 characters. */
  v?: string;
  /** Present when a positive integer. */
  reqq?: number;
  /** Present when a non-negative safe integer; the caller decides whether it is acceptable. */
  metadataSize?: number;
  /** Our address as seen by the peer, present when 4 or 16 bytes (a view into the payload). */
  yourIp?: Uint8Array;
  /** The peer's `e`: present when 0 or 1. */
  prefersEncryption?: boolean;
  /** BEP 21 `upload_only`: present when the peer sent it (non-zero: it downloads nothing more). */
  uploadOnly?: boolean;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_CLIENT_NAME = 256;

function checkExtensionId(name: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 255) throw new WireError(`wire: extension ${name} id ${id} is not 0..255`);
}

/** The bencoded payload of an extended handshake (send with extended id 0). */
export function encodeExtendedHandshake(h: ExtendedHandshakeInput): Uint8Array {
  const m = new Map<string, Encodable>();
  const entries = h.m instanceof Map ? [...h.m.entries()] : Object.entries(h.m);
  for (const [name, id] of entries) {
    checkExtensionId(name, id);
    m.set(bytesToKey(utf8.encode(name)), id);
  }
  const d = new Map<string, Encodable>([['m', m]]);
  if (h.p !== undefined) {
    if (!Number.isInteger(h.p) || h.p < 1 || h.p > 0xffff) throw new WireError(`wire: extended handshake port ${h.p} out of range`);
    d.set('p', h.p);
  }
  if (h.v !== undefined) d.set('v', utf8.encode(h.v));
  if (h.reqq !== undefined) {
    if (!Number.isSafeInteger(h.reqq) || h.reqq < 1) throw new WireError(`wire: extended handshake reqq ${h.reqq} invalid`);
    d.set('reqq', h.reqq);
  }
  if (h.metadataSize !== undefined) {
    if (!Number.isSafeInteger(h.metadataSize) || h.metadataSize < 0) {
      throw new WireError(`wire: extended handshake metadata size ${h.metadataSize} invalid`);
    }
    d.set('metadata_size', h.metadataSize);
  }
  if (h.yourIp !== undefined) {
    if (h.yourIp.length !== 4 && h.yourIp.length !== 16) throw new WireError('wire: yourip must be 4 or 16 bytes');
    d.set('yourip', h.yourIp);
  }
  if (h.prefersEncryption) d.set('e', 1);
  if (h.uploadOnly !== undefined) d.set('upload_only', h.uploadOnly ? 1 : 0);
  return encode(d);
}

/**
 * Decodes an extended handshake payload. Wrong types (and m ids outside 0..255) throw
 * WireError; informational fields of the right type but out of range are left out.
 */
export function decodeExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  const what = 'extended handshake';
  const d = decodeDict(payload, what);
  const m = new Map<string, number>();
  const md = optDict(d, 'm', what);
  if (md) {
    for (const [name, id] of md) {
      if (typeof id !== 'number') throw new WireError(`wire: ${what}: m entry is not an integer`);
      if (id < 0 || id > 255) throw new WireError(`wire: ${what}: m id ${id} is not 0..255`);
      m.set(name, id);
    }
  }
  const out: ExtendedHandshake = { m };
  const p = optInt(d, 'p', what);
  if (p !== undefined && p >= 1 && p <= 0xffff) out.p = p;
  const v = optBytes(d, 'v', what);
  if (v !== undefined) out.v = utf8Decoder.decode(v).slice(0, MAX_CLIENT_NAME);
  const reqq = optInt(d, 'reqq', what);
  if (reqq !== undefined && reqq >= 1) out.reqq = reqq;
  const size = optInt(d, 'metadata_size', what);
  if (size !== undefined && size >= 0) out.metadataSize = size;
  const yourIp = optBytes(d, 'yourip', what);
  if (yourIp !== undefined && (yourIp.length === 4 || yourIp.length === 16)) out.yourIp = yourIp;
  const e = optInt(d, 'e', what);
  if (e === 0 || e === 1) out.prefersEncryption = e === 1;
  const uploadOnly = optInt(d, 'upload_only', what);
  if (uploadOnly !== undefined) out.uploadOnly = uploadOnly !== 0;
  return out;
}

// ---------------------------------------------------------------------------------------------
// BEP 9 ut_metadata

/** Metadata is exchanged in pieces of 16 KiB; only the last may be shorter. */
export const METADATA_PIECE_SIZE = 16 * 1024;
/** Default cap on total_size we accept (an info dict larger than this is refused). */
export const MAX_METADATA_SIZE = 8 * 1024 * 1024;

export type MetadataMessage =
  | { msgType: 'request'; piece: number }
  | { msgType: 'reject'; piece: number }
  /** `data` is a view into the payload: copy it if it must outlive the frame. */
  | { msgType: 'data'; piece: number; totalSize: number; data: Uint8Array }
  /** BEP 9: unrecognised msg_type values must be ignored. */
  | { msgType: 'unknown'; code: number };

export interface MetadataMessageInput {
  msgType: 'request' | 'data' | 'reject';
  piece: number;
  totalSize?: number;
  data?: Uint8Array;
}

const MSG_TYPE = { request: 0, data: 1, reject: 2 } as const;

/** Number of metadata pieces for an info dict of `totalSize` bytes. */
export function metadataPieceCount(totalSize: number): number {
  return Math.ceil(totalSize / METADATA_PIECE_SIZE);
}

/** Expected length of metadata piece `piece` of an info dict of `totalSize` bytes. */
export function metadataPieceLength(totalSize: number, piece: number): number {
  return Math.min(METADATA_PIECE_SIZE, totalSize - piece * METADATA_PIECE_SIZE);
}

/** The ut_metadata payload: bencoded dict, followed by the piece bytes for 'data'. */
export function encodeMetadataMessage(msg: MetadataMessageInput): Uint8Array {
  if (!Number.isInteger(msg.piece) || msg.piece < 0 || msg.piece > 0xffffffff) {
    throw new WireError(`wire: metadata piece ${msg.piece} invalid`);
  }
  const d = new Map<string, Encodable>([
    ['msg_type', MSG_TYPE[msg.msgType]],
    ['piece', msg.piece],
  ]);
  if (msg.msgType !== 'data') return encode(d);
  const { totalSize, data } = msg;
  if (totalSize === undefined || data === undefined) throw new WireError('wire: metadata data message needs totalSize and data');
  if (!Number.isSafeInteger(totalSize) || totalSize < 1) throw new WireError(`wire: metadata total size ${totalSize} invalid`);
  if (msg.piece >= metadataPieceCount(totalSize) || data.length !== metadataPieceLength(totalSize, msg.piece)) {
    throw new WireError(`wire: metadata piece ${msg.piece} of ${data.length} bytes does not fit total size ${totalSize}`);
  }
  d.set('total_size', totalSize);
  const head = encode(d);
  const out = new Uint8Array(head.length + data.length);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/**
 * Decodes a ut_metadata payload. Throws WireError on bad types, a piece index out of range,
 * total_size outside 1..maxTotalSize, a data piece whose length is not exactly what
 * total_size implies, or bytes after the dict of a request/reject.
 */
export function decodeMetadataMessage(payload: Uint8Array, maxTotalSize: number = MAX_METADATA_SIZE): MetadataMessage {
  const what = 'ut_metadata';
  const dictEnd = bencodedLength(payload, what);
  const d = decodeDict(payload.subarray(0, dictEnd), what);
  const code = optInt(d, 'msg_type', what);
  if (code === undefined) throw new WireError(`wire: ${what}: missing msg_type`);
  if (code !== 0 && code !== 1 && code !== 2) return { msgType: 'unknown', code };
  const piece = optInt(d, 'piece', what);
  if (piece === undefined) throw new WireError(`wire: ${what}: missing piece`);
  const maxPieces = metadataPieceCount(maxTotalSize);
  if (piece < 0 || piece >= maxPieces) throw new WireError(`wire: ${what}: piece ${piece} out of range`);
  if (code !== 1) {
    if (dictEnd !== payload.length) throw new WireError(`wire: ${what}: ${payload.length - dictEnd} bytes after dict`);
    return { msgType: code === 0 ? 'request' : 'reject', piece };
  }
  const totalSize = optInt(d, 'total_size', what);
  if (totalSize === undefined) throw new WireError(`wire: ${what}: data message without total_size`);
  if (totalSize < 1 || totalSize > maxTotalSize) {
    throw new WireError(`wire: ${what}: total_size ${totalSize} outside 1..${maxTotalSize}`);
  }
  if (piece >= metadataPieceCount(totalSize)) throw new WireError(`wire: ${what}: piece ${piece} beyond total_size ${totalSize}`);
  const data = payload.subarray(dictEnd);
  const expected = metadataPieceLength(totalSize, piece);
  if (data.length !== expected) throw new WireError(`wire: ${what}: piece ${piece} has ${data.length} bytes, expected ${expected}`);
  return { msgType: 'data', piece, totalSize, data };
}

// ---------------------------------------------------------------------------------------------
// BEP 11 ut_pex

/** Flag bits of an added peer (BEP 11). */
export const PexFlags = {
  preferEncryption: 0x01,
  seed: 0x02,
  utp: 0x04,
  holepunch: 0x08,
  reachable: 0x10,
} as const;

export interface PexPeer extends CompactPeer {
  flags: number;
}

export interface PexMessage {
  added: PexPeer[];
  dropped: CompactPeer[];
  added6: PexPeer[];
  dropped6: CompactPeer[];
}

/** Default cap on entries decoded per list; BEP 11 senders stay well under it (about 50). */
export const MAX_PEX_PEERS = 200;

function pexList(d: BDict, key: string, family: 4 | 6, max: number): CompactPeer[] {
  const buf = optBytes(d, key, 'ut_pex');
  if (buf === undefined) return [];
  const size = family === 4 ? 6 : 18;
  if (buf.length % size !== 0) throw new WireError(`wire: ut_pex: "${key}" length ${buf.length} is not a multiple of ${size}`);
  return decodeCompactPeers(buf.subarray(0, Math.min(buf.length, max * size)), family);
}

function withFlags(peers: CompactPeer[], flags: Uint8Array | undefined): PexPeer[] {
  return peers.map((p, i) => ({ host: p.host, port: p.port, flags: flags !== undefined && i < flags.length ? flags[i] : 0 }));
}

/**
 * Decodes a ut_pex payload. Missing lists are empty; missing or short flag strings give flags 0.
 * Wrong types and lengths that are not whole entries throw WireError. Each list is truncated
 * to `maxPeers` entries.
 */
export function decodePex(payload: Uint8Array, maxPeers: number = MAX_PEX_PEERS): PexMessage {
  const d = decodeDict(payload, 'ut_pex');
  const addedFlags = optBytes(d, 'added.f', 'ut_pex');
  const added6Flags = optBytes(d, 'added6.f', 'ut_pex');
  return {
    added: withFlags(pexList(d, 'added', 4, maxPeers), addedFlags),
    dropped: pexList(d, 'dropped', 4, maxPeers),
    added6: withFlags(pexList(d, 'added6', 6, maxPeers), added6Flags),
    dropped6: pexList(d, 'dropped6', 6, maxPeers),
  };
}

function flagBytes(peers: readonly PexPeer[]): Uint8Array {
  const out = new Uint8Array(peers.length);
  peers.forEach((p, i) => {
    if (!Number.isInteger(p.flags) || p.flags < 0 || p.flags > 255) throw new WireError(`wire: pex flags ${p.flags} invalid`);
    out[i] = p.flags;
  });
  return out;
}

/**
 * Encodes a ut_pex payload. Absent lists are sent empty; IPv4 peers go in added/dropped and
 * IPv6 peers in added6/dropped6 (a peer in the wrong list throws WireError).
 */
export function encodePex(msg: Partial<PexMessage>): Uint8Array {
  const added = msg.added ?? [];
  const added6 = msg.added6 ?? [];
  const d = new Map<string, Encodable>([
    ['added', encodeCompactPeers(added, 4)],
    ['added.f', flagBytes(added)],
    ['added6', encodeCompactPeers(added6, 6)],
    ['added6.f', flagBytes(added6)],
    ['dropped', encodeCompactPeers(msg.dropped ?? [], 4)],
    ['dropped6', encodeCompactPeers(msg.dropped6 ?? [], 6)],
  ]);
  return encode(d);
}
