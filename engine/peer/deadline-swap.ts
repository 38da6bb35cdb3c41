/**
 * A seek must not wait behind the queue: when a reader's deadline pieces need blocks and the one peer fit for them
 * has its pipeline full of ordinary (rarest-first) requests, the newest of those are cancelled — the peer has not
 * started on them, and a BitTorrent peer drops a cancelled request it has not sent — and the deadline blocks take
 * their places, so the pipeline keeps its depth. Only runs while a stream has deadlines.
 */
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';
import type { BlockRequest, PeerView, PiecePicker } from '../picker/index.js';
import type { PeerConnection } from './connection.js';
import { blockOfKey, pieceOfKey } from './request-pipeline.js';

/** At most one 256 KiB piece's blocks swapped per refill: enough to start a seek, little churn. */
const SWAP_MAX_BLOCKS = 16;

export function swapForDeadlines(peer: Pick<PeerConnection, 'id' | 'requests' | 'cancelRequest' | 'sendRequests'>, picker: PiecePicker, geometry: PieceGeometry, view: PeerView, batch: BlockRequest[]): void {
  if (view.critical === false || view.choked) return;
  // Newest ordinary requests, newest first (a Map keeps insertion order).
  const keys = [...peer.requests.outstanding.keys()];
  const ordinary: number[] = [];
  for (let i = keys.length - 1; i >= 0 && ordinary.length < SWAP_MAX_BLOCKS; i--) {
    if (picker.deadlineOf(pieceOfKey(keys[i])) === Infinity) ordinary.push(keys[i]);
  }
  if (ordinary.length === 0) return;
  const n = picker.pick(view, ordinary.length, batch, true);
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const piece = pieceOfKey(ordinary[i]);
    const block = blockOfKey(ordinary[i]);
    peer.cancelRequest(piece, block * BLOCK_SIZE, geometry.blockSize(piece, block));
    picker.requestCancelled(piece, block * BLOCK_SIZE, peer.id);
  }
  peer.sendRequests(batch, n);
}
