/**
 * End game: once every missing block of the wanted pieces is requested or received, blocks
 * already requested from others are requested again (fewest requesters first, never twice
 * to the same peer, at most `cap` requesters per block) so one slow peer cannot hold up the end.
 */
import type { PieceGeometry } from '../common/geometry.js';
import { takeDuplicates, type Partial } from './partial.js';
import { LEVELS } from './piece-order.js';
import { canServe, type BlockRequest, type PeerView } from './types.js';

/**
 * Appends duplicate requests for `peer` to `out` until it holds `limit` entries. `partialsAt[pr]`
 * counts the pieces in progress at priority pr, `prio` is every piece's priority.
 */
export function pickEndGame(
  partials: ReadonlyMap<number, Partial>,
  partialsAt: Int32Array,
  prio: Uint8Array,
  cap: number,
  geo: PieceGeometry,
  peer: PeerView,
  limit: number,
  out: BlockRequest[],
): void {
  const id = peer.id;
  const allowed = peer.choked ? peer.allowedFast : undefined;
  for (let r = 1; r < cap; r++) {
    for (let pr = LEVELS; pr >= 1; pr--) {
      if (partialsAt[pr] === 0) continue;
      for (const part of partials.values()) {
        const p = part.piece;
        if (prio[p] !== pr || part.nRequested === 0 || !canServe(peer, p)) continue;
        if (allowed && !allowed.has(p)) continue;
        takeDuplicates(part, r, id, cap, geo, limit, out);
        if (out.length >= limit) return;
      }
    }
  }
}
