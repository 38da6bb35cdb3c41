import {
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  metadataPieceCount,
  metadataPieceLength,
  METADATA_PIECE_SIZE,
  parseIp,
} from '../wire/index.js';

/** The ids we ask peers to use for the extensions we speak (BEP 10 `m`). */
export const OUR_EXTENSIONS = { ut_metadata: 1, ut_pex: 2, lt_donthave: 3, ut_holepunch: 4 } as const;
export const CLIENT_VERSION = 'Tessera 0.1.0';
/** Requests we queue from one peer before rejecting (advertised as `reqq`). */
export const OUR_REQUEST_QUEUE = 2000;

/** What our BEP 10 handshake says besides the port and the metadata size. */
export interface HandshakeFlags {
  /** Offer ut_pex: never for private torrents (BEP 27), nor from the metadata fetch, which does not handle it. */
  readonly pex?: boolean;
  /** Our encryption setting is prefer or require: lets peers tell others through PEX. */
  readonly prefersEncryption?: boolean;
  /** BEP 21: we download nothing more. */
  readonly uploadOnly?: boolean;
  /** The peer's address as we see it, sent back as `yourip`. */
  readonly peerAddress?: string;
  /** Offer ut_holepunch (BEP 55): we relay introductions and take part in hole punches. */
  readonly holepunch?: boolean;
}

/** Our BEP 10 handshake. */
export function ourExtendedHandshake(listenPort: number, metadataSize: number | undefined, flags: HandshakeFlags = {}): Uint8Array {
  const { pex = false, prefersEncryption = false, uploadOnly = false, peerAddress, holepunch = false } = flags;
  return encodeExtendedHandshake({
    yourIp: peerAddress === undefined ? undefined : yourIpBytes(peerAddress),
    prefersEncryption,
    // BEP 21: said only when true, so a leecher's handshake stays as it was.
    uploadOnly: uploadOnly ? true : undefined,
    m: { ut_metadata: OUR_EXTENSIONS.ut_metadata, ...(pex ? { ut_pex: OUR_EXTENSIONS.ut_pex } : {}), ...(metadataSize !== undefined ? { lt_donthave: OUR_EXTENSIONS.lt_donthave } : {}), ...(holepunch ? { ut_holepunch: OUR_EXTENSIONS.ut_holepunch } : {}) },
    p: listenPort > 0 ? listenPort : undefined,
    v: CLIENT_VERSION,
    reqq: OUR_REQUEST_QUEUE,
    metadataSize,
  });
}

/** A handshake update (BEP 10 allows them at any time) saying whether we download anything more (BEP 21). */
export function uploadOnlyHandshake(uploadOnly: boolean): Uint8Array {
  return encodeExtendedHandshake({ m: {}, uploadOnly });
}

/**
 * BEP 10 `yourip`: the peer's address as we see it, so a peer behind NAT learns its external address (4 bytes for
 * IPv4, also when it reached us over a dual-stack socket as ::ffff:a.b.c.d; 16 for IPv6).
 */
export function yourIpBytes(address: string): Uint8Array | undefined {
  return parseIp(address.startsWith('::ffff:') && !address.slice(7).includes(':') ? address.slice(7) : address);
}

/** A handshake update that withdraws ut_pex (BEP 10: id 0 disables an extension). */
export function withdrawPexHandshake(): Uint8Array {
  return encodeExtendedHandshake({ m: { ut_pex: 0 } });
}

/** The extended handshake update that offers ut_holepunch again, or withdraws it (id 0, BEP 10). */
export function holepunchHandshake(enabled: boolean): Uint8Array {
  return encodeExtendedHandshake({ m: { ut_holepunch: enabled ? OUR_EXTENSIONS.ut_holepunch : 0 } });
}

/**
 * Our answer to a ut_metadata message, so magnet-link peers can fetch the info dict from us: the requested piece
 * of `info`, a reject for a piece past its end, or null for a message that needs no answer (data, reject).
 */
export function metadataAnswer(info: Uint8Array, payload: Uint8Array): Uint8Array | null {
  const msg = decodeMetadataMessage(payload);
  if (msg.msgType !== 'request') return null;
  if (msg.piece >= metadataPieceCount(info.length)) return encodeMetadataMessage({ msgType: 'reject', piece: msg.piece });
  const start = msg.piece * METADATA_PIECE_SIZE;
  const data = info.subarray(start, start + metadataPieceLength(info.length, msg.piece));
  return encodeMetadataMessage({ msgType: 'data', piece: msg.piece, totalSize: info.length, data });
}
