import type { Bitfield } from '../common/bitfield.js';
import type { StreamEncryption } from '../net/transport.js';
import type { Handshake } from '../wire/index.js';
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

/** A peer's handshake: accepted (`v2`: it named the v2 hash), or refused (`duplicateOf`: we are connected to that peer already). */
export type HandshakeVerdict = { readonly ok: true; readonly v2: boolean } | { readonly ok: false; readonly duplicateOf?: PeerConnection };

/** Accepts a handshake naming our torrent from another peer we are not yet connected to. */
export function judgeHandshake(hs: Handshake, us: SwarmIdentity, peers: Iterable<PeerConnection>): HandshakeVerdict {
  const v2 = us.infoHashV2 !== undefined && equalBytes(hs.infoHash, us.infoHashV2);
  if (!v2 && !equalBytes(hs.infoHash, us.infoHash)) return { ok: false };
  if (equalBytes(hs.peerId, us.peerId)) return { ok: false };
  // Two connections to one peer (we dialled it while it dialled us) only split the same transfer.
  for (const other of peers) {
    if (other.remotePeerId && equalBytes(other.remotePeerId, hs.peerId)) return { ok: false, duplicateOf: other };
  }
  return { ok: true, v2 };
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

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
