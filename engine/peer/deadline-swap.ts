/**
 * A seek must not wait behind the queue. A peer serves requests in the order they came (libtorrent, Transmission and
 * WebTorrent all do), so a deadline block requested behind a full pipeline of ordinary (rarest-first) requests comes
 * only after all of them: at 4 MB/s and our 2 s pipeline, seconds after the seek. Swapping only the newest ordinary
 * requests does not help — the deadline blocks still queue behind the older ones.
 *
 * So when the earliest deadline block not yet requested from this peer would be late behind its queue (its deadline
 * comes before the queue has drained at the peer's rate), every ordinary request the peer has not started on is
 * cancelled — a BitTorrent peer drops a cancelled request it has not sent — and the caller's refill then asks for
 * the deadline blocks first, the ordinary ones after them. The oldest requests (KEEP_SECONDS of the peer's rate) are
 * left alone: the peer has already read them into its send buffer, and cancelling them would only have them asked
 * for twice. A deadline that the queue meets in time (a stream reading steadily, the window moving one piece ahead)
 * cancels nothing: the ordinary requests keep their places and the deadline blocks join the next top-up.
 * Runs on every refill while a stream has deadlines, so: when even the earliest deadline is after the queue drains
 * the answer comes in O(1) without a pick, and the scan walks the pipeline's Map in place (no copy of its keys).
 *
 * The queue's depth matters as much as its order: a peer commits to part of what we queued before a seek and no cancel
 * reaches that part (libtorrent reads requested blocks into its send buffer ahead of its rate limiter, at least 1 MiB
 * of our requests, up to 3 MiB). A trace of `npm run bench stream` (a libtorrent seeder capped at 4 MB/s, which sends
 * a burst of its quota every 500 ms) showed the first burst after the seek carrying 1 MiB of the old window first and
 * only 4 of the 5 pieces the seek's 1 MiB spans: the fifth came a burst (500 ms) later. So while a stream reads, a peer
 * fit for deadline blocks keeps in flight only the blocks due within URGENT_MS — all of them, whatever their number, so
 * the queue still grows with what the reader needs — plus a shallow queue (SHALLOW_MIN_BLOCKS, or SHALLOW_SECONDS of
 * its rate) for the prefetch further ahead and rarest-first, topped up as each block arrives (`streamingTarget`), not
 * the usual 2 s of its rate. The cost: with a long round trip, the part of the download beyond the reader's next half
 * second goes at most SHALLOW_MIN_BLOCKS per round trip per peer while a stream is open (ordinary downloads are not
 * affected; peers unfit for deadline blocks keep their usual queue, a seek does not wait on them).
 */
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';
import type { BlockRequest, PeerView, PiecePicker } from '../picker/index.js';
import type { PeerConnection } from './connection.js';
import { blockOfKey, pieceOfKey } from './request-pipeline.js';

/** The head of the peer's queue it has most likely read already (in seconds of its rate): not cancelled. */
const KEEP_SECONDS = 0.1;
/** Deadlines this close (ms) are urgent: all their blocks not yet received stay requested. */
const URGENT_MS = 500;
/** Blocks kept in flight beyond the urgent ones while a stream reads: at least this many (256 KiB)... */
const SHALLOW_MIN_BLOCKS = 16;
/** ...or this many seconds of the peer's rate, when more. */
const SHALLOW_SECONDS = 0.05;

/**
 * Cancels the peer's ordinary requests when a deadline block would be late behind them; returns how many it cancelled.
 * `probe` is scratch (emptied). `rate`: the peer's download rate in bytes/s; `now`: the deadlines' clock.
 */
export function clearQueueForDeadlines(
  peer: Pick<PeerConnection, 'id' | 'requests' | 'cancelRequest'>,
  picker: PiecePicker,
  geometry: PieceGeometry,
  view: PeerView,
  probe: BlockRequest[],
  rate: number,
  now: number,
): number {
  const requests = peer.requests;
  if (view.critical === false || view.choked || requests.size === 0) return 0;
  const drainedAt = rate > 0 ? now + (requests.size * BLOCK_SIZE * 1000) / rate : Infinity;
  // Nothing is due before the queue drains (a stream reading steadily, well ahead): done in O(1), no probe.
  if (picker.deadlines.earliest >= drainedAt) return 0;
  // The earliest deadline block this peer could be asked for; only a probe: given back at once, the refill picks it.
  probe.length = 0;
  if (picker.pick(view, 1, probe, true) === 0) return 0;
  const { piece: duePiece, begin: dueBegin } = probe[0];
  picker.requestCancelled(duePiece, dueBegin, peer.id);
  probe.length = 0;
  if (picker.deadlineOf(duePiece) >= drainedAt) return 0;
  let keep = Math.ceil((rate * KEEP_SECONDS) / BLOCK_SIZE);
  let cancelled = 0;
  // Oldest first (a Map keeps insertion order); deleting the entry being visited is safe during iteration.
  for (const key of requests.outstanding.keys()) {
    if (keep > 0) {
      keep--;
      continue;
    }
    const piece = pieceOfKey(key);
    if (picker.deadlineOf(piece) !== Infinity) continue;
    const begin = blockOfKey(key) * BLOCK_SIZE;
    peer.cancelRequest(piece, begin, geometry.blockSize(piece, begin / BLOCK_SIZE));
    picker.requestCancelled(piece, begin, peer.id);
    cancelled++;
  }
  return cancelled;
}

/**
 * The in-flight target for a peer fit for deadline blocks delivering `rate` bytes/s, at clock time `now`: the blocks
 * not yet received of the pieces due within URGENT_MS, plus the shallow queue. Counting only what is still to come
 * matters: as urgent blocks arrive the target shrinks with them, so the queue is not topped up again behind them.
 */
export function streamingTarget(picker: Pick<PiecePicker, 'deadlines' | 'unreceived'>, rate: number, now: number): number {
  const { order, at, count } = picker.deadlines;
  const urgentBefore = now + URGENT_MS;
  let urgent = 0;
  for (let i = 0; i < count; i++) {
    const p = order[i];
    if (at[p] > urgentBefore) break; // earliest first
    urgent += picker.unreceived(p);
  }
  return urgent + Math.max(SHALLOW_MIN_BLOCKS, Math.ceil((rate * SHALLOW_SECONDS) / BLOCK_SIZE));
}
