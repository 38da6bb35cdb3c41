/**
 * The BitTorrent v2 side of the handshake (BEP 52): v2 torrents are named on the wire by their
 * SHA-256 info-hash truncated to 20 bytes, and a peer offering a hybrid torrent by its v1 hash
 * sets the "upgrade" reserved bit (the 4th most significant bit of the last reserved byte) to say
 * it also speaks v2; the other side may then answer with the truncated v2 hash.
 */
import { encodeHandshake, type HandshakeInput } from './handshake.js';
import { WireError } from './errors.js';

/** Offset of the reserved byte holding the v2 bit in an encoded handshake (20 + 7). */
const V2_BYTE = 7;
const V2_BIT = 0x10;

/** The 20-byte wire id of a v2 info-hash (its first 20 bytes). */
export function truncatedInfoHash(infoHashV2: Uint8Array): Uint8Array {
  if (infoHashV2.length !== 32) throw new WireError(`wire: a v2 info hash is 32 bytes, got ${infoHashV2.length}`);
  return infoHashV2.slice(0, 20);
}

/** True when the 8 reserved bytes of a handshake carry the v2 upgrade bit. */
export function advertisesV2(reserved: Uint8Array): boolean {
  return reserved.length === 8 && (reserved[V2_BYTE] & V2_BIT) !== 0;
}

/** What a handshake needs to know about a torrent's identities. */
export interface TorrentIds {
  version: 1 | 2 | 'hybrid';
  /** v1 SHA-1 (v1, hybrid) or the truncated v2 hash (v2-only), as in Metainfo.infoHash. */
  infoHash: Uint8Array;
  infoHashV2?: Uint8Array;
}

/**
 * Our handshake for a torrent: v1 and hybrid torrents send the v1 hash (hybrids with the upgrade
 * bit set); v2-only torrents send the truncated v2 hash.
 */
export function encodeHandshakeFor(ids: TorrentIds, h: Omit<HandshakeInput, 'infoHash'>): Uint8Array {
  const v2Only = ids.version === 2;
  if (v2Only && !ids.infoHashV2) throw new WireError('wire: a v2 torrent needs its v2 info hash');
  const out = encodeHandshake({ ...h, infoHash: v2Only ? truncatedInfoHash(ids.infoHashV2!) : ids.infoHash });
  if (ids.version === 'hybrid') out[20 + V2_BYTE] |= V2_BIT;
  return out;
}

/**
 * Which of a torrent's identities a received 20-byte info hash names: 'v1' (its SHA-1), 'v2' (its
 * truncated SHA-256), or undefined.
 */
export function matchHandshakeHash(received: Uint8Array, ids: TorrentIds): 'v1' | 'v2' | undefined {
  if (received.length !== 20) return undefined;
  const same = (a: Uint8Array, n: number) => {
    for (let i = 0; i < n; i++) if (a[i] !== received[i]) return false;
    return true;
  };
  if (ids.infoHashV2 && same(ids.infoHashV2, 20)) return 'v2';
  if (ids.version !== 2 && same(ids.infoHash, 20)) return 'v1';
  return undefined;
}
