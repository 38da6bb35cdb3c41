import type { Bitfield } from '../common/bitfield.js';
import type { StreamEncryption } from '../net/transport.js';
import { advertisesV2, type Handshake } from '../wire/index.js';
import type { PeerConnection } from './connection.js';

/*
 * Admitting a peer: whether its handshake is for us (and not a second connection to a peer we have),
 * what we tell it first, and how its encryption reads in the log.
 */

/** How a connection's encryption reads in the log. */
export const ENCRYPTION_LABELS: Readonly<Record<StreamEncryption, string>> = {
  plaintext: 'plaintext',
  'mse-plaintext': 'plaintext after an encrypted handshake',
  rc4: 'RC4-encrypted',
};

/** Who we are to a swarm: the hashes a peer may name and our own peer id. */
export interface SwarmIdentity {
  readonly infoHash: Uint8Array;
  /** v2/hybrid: the v2 info hash truncated to 20 bytes, which peers may name instead. */
  readonly infoHashV2?: Uint8Array;
  readonly peerId: Uint8Array;
}

/**
 * A peer's handshake: accepted (`v2`: it named the v2 hash; `replaces`: a connection to the same peer that must be
 * closed, see keepsNewConnection), or refused (`duplicateOf`: we are connected to that peer already).
 */
export type HandshakeVerdict =
  | { readonly ok: true; readonly v2: boolean; readonly replaces?: PeerConnection }
  | { readonly ok: false; readonly duplicateOf?: PeerConnection };

/**
 * Accepts a handshake naming our torrent on connection `conn` (incoming or dialled by us) from another peer; a
 * second connection to a peer we are connected to is settled by keepsNewConnection.
 */
export function judgeHandshake(hs: Handshake, us: SwarmIdentity, peers: Iterable<PeerConnection>, conn: { readonly incoming: boolean }): HandshakeVerdict {
  const v2 = us.infoHashV2 !== undefined && equalBytes(hs.infoHash, us.infoHashV2);
  if (!v2 && !equalBytes(hs.infoHash, us.infoHash)) return { ok: false };
  if (equalBytes(hs.peerId, us.peerId)) return { ok: false };
  // Two connections to one peer (we dialled it while it dialled us) only split the same transfer.
  for (const other of peers) {
    if (!other.remotePeerId || !equalBytes(other.remotePeerId, hs.peerId)) continue;
    if (keepsNewConnection(us.peerId, hs.peerId, conn.incoming, other.incoming)) return { ok: true, v2, replaces: other };
    return { ok: false, duplicateOf: other };
  }
  return { ok: true, v2 };
}

/**
 * The info hash our handshake answers an incoming one with: the hash the peer named, except that a peer naming a
 * hybrid torrent by its v1 hash with the v2 upgrade bit set gets the v2 hash back: the connection is upgraded
 * (BEP 52), as libtorrent answers. libtorrent, dialling us, accepts the v2 hash in any state, but a v1 answer only
 * while it still thinks of us as v1: once its record of our address was marked v2 (it had just dialled itself,
 * crossing our dial), it closed our v1 answer as "invalid info-hash" and waited a minute to dial again.
 */
export function answerInfoHash(hs: Handshake, us: SwarmIdentity): Uint8Array {
  if (us.infoHashV2 && advertisesV2(hs.reserved) && equalBytes(hs.infoHash, us.infoHash) && !equalBytes(us.infoHash, us.infoHashV2)) return us.infoHashV2;
  return hs.infoHash;
}

/**
 * Two connections to one peer: whether the new one is kept (and the existing one closed) rather than dropped.
 * Both sides must close the same one, or two peers dialling each other at once (a hole punch makes them) can each
 * drop a different one and keep none. The rule, libtorrent's too: the connection kept is the one opened by the
 * side with the greater peer id, so with our id greater we keep the one we dialled, else the one it dialled. The
 * sides see the two connections in either order, and reach the same one. When both are the same direction (a
 * peer reconnecting while its old connection lingers) the existing one stays, as before.
 */
export function keepsNewConnection(ourId: Uint8Array, theirId: Uint8Array, newIncoming: boolean, existingIncoming: boolean): boolean {
  if (newIncoming === existingIncoming) return false;
  const weOpenConnections = compareBytes(ourId, theirId) > 0;
  // the connection opened by the greater id: ours are the outgoing ones
  return weOpenConnections ? !newIncoming : newIncoming;
}

/** What we have, told a newly connected peer: haveAll/haveNone when it speaks the fast extension (BEP 6), else a bitfield unless empty. */
export function sendHaveState(peer: PeerConnection, have: Bitfield): void {
  if (peer.supportsFast) {
    if (have.complete) peer.sendMessage({ type: 'haveAll' });
    else if (have.empty) peer.sendMessage({ type: 'haveNone' });
    else peer.sendMessage({ type: 'bitfield', bits: have.bytes });
  } else if (!have.empty) {
    peer.sendMessage({ type: 'bitfield', bits: have.bytes });
  }
}

/** Unsigned lexicographic order of two byte strings (peer ids compare as big-endian numbers). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
