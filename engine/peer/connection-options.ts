import type { Clock } from '../common/clock.js';
import type { LimiterChain } from '../net/bandwidth.js';
import type { SendBudget } from '../net/send-budget.js';
import type { Handshake, Message } from '../wire/index.js';
import type { HashMessage } from '../wire/hash-messages.js';
import type { PeerConnection } from './connection.js';

// Whom a peer connection reports to (the peer manager, or the metadata fetch) and what it is made with.

export interface PeerHandler {
  /** The remote handshake arrived; return false to refuse (wrong torrent, self-connection, banned). */
  onHandshake(peer: PeerConnection, handshake: Handshake): boolean;
  onMessage(peer: PeerConnection, message: Message): void;
  /** A block arrived; `data` is only valid during the call. */
  onBlock(peer: PeerConnection, piece: number, begin: number, data: Uint8Array): void;
  /** `remote`: the socket ended from the other side (the peer closed it, or the network failed), not by our close(). */
  onClose(peer: PeerConnection, reason: string, remote: boolean): void;
  onDrain(peer: PeerConnection): void;
  /** Every message in one socket read has been handled (only after a read that completed one): the time to top up requests once. */
  onReadDone(peer: PeerConnection): void;
  /** A BEP 52 hash request, hashes or hash reject (v2 and hybrid torrents; others ignore them). */
  onHashMessage?(peer: PeerConnection, message: HashMessage): void;
}

export interface PeerOptions {
  readonly id: number;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  /** null while the metadata is unknown (magnet): piece messages are then ignored. */
  readonly pieceCount: number | null;
  readonly incoming: boolean;
  readonly clock: Clock;
  /** Largest frame accepted; longer lengths drop the peer. */
  readonly maxMessageLength: number;
  /**
   * Limiters charged with the payload bytes this connection receives (e.g. torrent, then global).
   * While any is in debt the socket stops reading. Absent or all unlimited: no cost.
   */
  readonly downloadLimiters?: LimiterChain;
  /** Limiters a block must pass before it is sent; blocks wait in order on the connection until they do. */
  readonly uploadLimiters?: LimiterChain;
  /** Hybrid torrents: set the BEP 52 upgrade bit in our handshake (we speak v2 too). */
  readonly v2UpgradeBit?: boolean;
  /** The session's cap on bytes queued for slow readers, shared by its connections (absent: this connection's caps only). */
  readonly sendBudget?: SendBudget;
}
