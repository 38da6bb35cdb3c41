/**
 * Block-request state of one piece in progress, and the operations on it.
 *
 * Per-block state exists only for pieces in progress (typed arrays), and is freed by the
 * picker when the piece is verified, fails, or has no block requested or received left.
 * A block is missing when neither received nor requested. Plain functions over the record
 * (not methods) so the picker's loops stay as they were: no allocation beyond the record itself.
 */
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';
import type { BlockRequest } from './types.js';

export interface Partial {
  readonly piece: number;
  readonly blocks: number;
  /** 1 when received. */
  readonly received: Uint8Array;
  /** Number of peers with an outstanding request for the block (kept after it is received, for requestersOf). */
  readonly reqCount: Uint8Array;
  /** reqIds[b * cap + k], k < reqCount[b]: ids of those peers. */
  readonly reqIds: Int32Array;
  nReceived: number;
  /** Blocks requested and not yet received. */
  nRequested: number;
  /** No block below this index is missing. */
  hint: number;
}

/** A piece of `blocks` blocks with nothing requested or received; `cap` requesters per block at most. */
export function newPartial(piece: number, blocks: number, cap: number): Partial {
  return {
    piece,
    blocks,
    received: new Uint8Array(blocks),
    reqCount: new Uint8Array(blocks),
    reqIds: new Int32Array(blocks * cap),
    nReceived: 0,
    nRequested: 0,
    hint: 0,
  };
}

/** Blocks neither received nor requested. */
export function missingOf(part: Partial): number {
  return part.blocks - part.nReceived - part.nRequested;
}

/**
 * Requests missing blocks, lowest first, for peer `id` until `out` holds `limit` entries.
 * Returns how many blocks it took (they are no longer missing).
 */
export function takeMissing(part: Partial, id: number, cap: number, geo: PieceGeometry, limit: number, out: BlockRequest[]): number {
  const { received, reqCount, reqIds, blocks, piece } = part;
  let taken = 0;
  let b = part.hint;
  for (; b < blocks && out.length < limit; b++) {
    if (received[b] || reqCount[b] !== 0) continue;
    reqIds[b * cap] = id;
    reqCount[b] = 1;
    taken++;
    out.push({ piece, begin: b * BLOCK_SIZE, length: geo.blockSize(piece, b) });
  }
  part.nRequested += taken;
  // Everything below b was skipped or taken: nothing missing there.
  part.hint = b;
  return taken;
}

/**
 * End game: requests again, for peer `id`, the blocks that exactly `r` peers (none of them `id`)
 * have outstanding and that are not received yet, until `out` holds `limit` entries.
 */
export function takeDuplicates(part: Partial, r: number, id: number, cap: number, geo: PieceGeometry, limit: number, out: BlockRequest[]): void {
  const { received, reqCount, reqIds, piece } = part;
  for (let b = 0; b < part.blocks; b++) {
    if (received[b] || reqCount[b] !== r) continue;
    if (hasRequester(reqIds, b * cap, r, id)) continue;
    reqIds[b * cap + r] = id;
    reqCount[b] = r + 1;
    out.push({ piece, begin: b * BLOCK_SIZE, length: geo.blockSize(piece, b) });
    if (out.length >= limit) return;
  }
}

/**
 * Drops the request of peer `peerId` for block `b` (every request when undefined). Returns true
 * when the block became missing: no request left and not received.
 */
export function dropRequest(part: Partial, b: number, cap: number, peerId: number | undefined): boolean {
  const count = part.reqCount[b];
  if (count === 0) return false;
  let left = 0;
  if (peerId !== undefined) {
    const ids = part.reqIds;
    const base = b * cap;
    let k = 0;
    while (k < count && ids[base + k] !== peerId) k++;
    if (k === count) return false; // not requested by this peer
    ids[base + k] = ids[base + count - 1];
    left = count - 1;
  }
  part.reqCount[b] = left;
  if (left > 0 || part.received[b]) return false;
  part.nRequested--;
  if (b < part.hint) part.hint = b;
  return true;
}

function hasRequester(ids: Int32Array, base: number, count: number, id: number): boolean {
  for (let k = 0; k < count; k++) if (ids[base + k] === id) return true;
  return false;
}

/** For tests: `fail`s when the record's counts, hint or requester lists are inconsistent. */
export function checkPartial(part: Partial, cap: number, fail: (msg: string) => never): void {
  let rec = 0;
  let req = 0;
  for (let b = 0; b < part.blocks; b++) {
    const c = part.reqCount[b];
    if (c > cap) fail('too many requesters');
    for (let i = 0; i < c; i++) {
      for (let j = i + 1; j < c; j++) {
        if (part.reqIds[b * cap + i] === part.reqIds[b * cap + j]) fail('same requester twice');
      }
    }
    if (part.received[b]) rec++;
    else if (c > 0) req++;
    else if (b < part.hint) fail(`missing block ${b} below hint ${part.hint}`);
  }
  if (rec !== part.nReceived || req !== part.nRequested) fail(`partial ${part.piece} counts`);
  if (rec === 0 && req === 0) fail(`partial ${part.piece} with nothing requested or received`);
}
