/** The picker's public value types, and the small checks on them that every picker module shares. */
import type { Bitfield } from '../common/bitfield.js';

export interface BlockRequest {
  piece: number;
  begin: number;
  length: number;
}

export type PiecePriority = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const DEFAULT_PRIORITY: PiecePriority = 4;

export interface PeerView {
  /** The peer's pieces; null when the peer is a have-all seed. */
  bits: Bitfield | null;
  isSeed: boolean;
  /** BEP 6 allowed-fast pieces: the only ones that may be picked while `choked`. */
  allowedFast?: ReadonlySet<number>;
  choked: boolean;
  /** Stable small integer per peer connection. */
  id: number;
  /** false keeps this peer off time-critical (deadline) pieces: it is slow or its queue is long. Default: allowed. */
  critical?: boolean;
}

export interface PiecePickerOptions {
  /** Uniform in [0, 1). Defaults to Math.random. */
  random?: () => number;
  /** Pieces we already have (verified). */
  have?: Bitfield;
  /**
   * End game: how many extra (duplicate) requests one block may have outstanding on top
   * of the first one. Default 2, so at most 3 peers request the same block.
   */
  maxDuplicates?: number;
  /** Start in sequential mode (see setSequential). */
  sequential?: boolean;
  /** Clock milliseconds, to tell a passed deadline (setDeadlines); without it no deadline is ever late. */
  now?: () => number;
}

export interface BlockReceivedResult {
  /** True when the block was not wanted (already received, piece already had, bad offset): drop the data. */
  readonly duplicate: boolean;
  /** True once, on the block that completes the piece: every block received, ready to hash. */
  readonly pieceComplete: boolean;
}

export function canServe(peer: PeerView, p: number): boolean {
  return peer.isSeed || peer.bits === null || peer.bits.has(p);
}

export function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > 7) throw new RangeError(`priority ${priority} not in 0..7`);
}
