import { BLOCK_SIZE } from '../common/geometry.js';

/** Fewest requests kept in flight to a peer that can take them, whatever its measured rate. */
export const MIN_PIPELINE = 32;
const MAX_PIPELINE = 1000;
/**
 * Seconds of a peer's download rate to keep in flight. Short queues starve peers
 * that answer in bursts (Transmission serves every 500 ms): the rate then never
 * grows past what the queue allows.
 */
const PIPELINE_SECONDS = 2;
/**
 * Slow start of the request pipeline. The rate above lags (a 5 s meter) and a peer that serves its queue in bursts
 * only ever delivers what we queued: Transmission answers requests on a 500 ms pulse, so 32 blocks in flight cap it
 * at 1 MiB/s however fast the link is. So each block that arrives within this time of its request adds one to the
 * peer's floor (the queue doubles per round trip); once blocks wait longer the peer, not the queue, is the limit, the
 * floor stops growing and the rate-based target takes over. Blocks that waited longer than PIPELINE_SECONDS shrink
 * it by one each, so a peer that slows down does not keep a deep queue.
 */
const SLOW_START_LATENCY_MS = 1000;
/**
 * Most requests in flight to a peer in end game, where every block left is already asked of someone and each new
 * request is a duplicate (and, once the block arrives elsewhere, a cancel: one more write, maybe the bytes twice).
 * Filling every peer's rate-sized queue with duplicates had 30 seeders asked for ~60 % more blocks than the torrent
 * holds, with a write per cancel; a peer gets duplicates only once its own queue is nearly drained, so a slow peer
 * still cannot hold up the end.
 */
export const END_GAME_PIPELINE = 32;
/** No block for this long while requests are in flight: the peer is snubbing us. */
const SNUB_MS = 30_000;
/** No block for this long: its requests are given back to be asked of other peers. */
const REQUEST_TIMEOUT_MS = 45_000;

/** Encodes a request key so outstanding blocks can sit in a Map<number, ...>. */
export function blockKey(piece: number, begin: number): number {
  return piece * 65536 + begin / BLOCK_SIZE;
}

/** The piece and the block index within it of a blockKey. */
export function pieceOfKey(key: number): number {
  return Math.floor(key / 65536);
}
export function blockOfKey(key: number): number {
  return key % 65536;
}

/** Where requests we stop waiting for are given back (the piece picker). */
export interface RequestLedger {
  requestCancelled(piece: number, begin: number, peerId: number): void;
}

/**
 * The requests we keep in flight to one peer: which blocks are outstanding, how deep the queue should be (by the
 * peer's rate, its slow-start floor and its `reqq`), and whether the peer is snubbing us. Its owner, the peer
 * connection, records requests sent and blocks received; the peer manager asks it how many to request and when to
 * give requests back.
 */
export class RequestPipeline {
  /** Blocks requested and not yet received, with the time each was sent. */
  readonly outstanding = new Map<number, number>();
  /**
   * Requests kept in flight at least, whatever the measured rate: grown by one for each block that arrives promptly
   * (so it doubles every round trip while the peer keeps up), reset on choke and snub.
   */
  floor = 0;
  /** Largest request queue the peer accepts (BEP 10 `reqq`). */
  peerQueueLength = 250;
  /** No block came for SNUB_MS while requests were in flight; cleared by the next block. */
  snubbed = false;
  /** Clock time of the last block received (or of the connection, before any). */
  lastBlockAt: number;

  constructor(now: number) {
    this.lastBlockAt = now;
  }

  get size(): number {
    return this.outstanding.size;
  }

  /**
   * Most requests we keep in flight: the peer's `reqq`, less one because Transmission rejects the request that would
   * fill its queue to `reqq` (it accepts reqq - 1), and never more than MAX_PIPELINE.
   */
  get limit(): number {
    return Math.min(MAX_PIPELINE, Math.max(1, this.peerQueueLength - 1));
  }

  /**
   * How many blocks to request now from a peer delivering `rate` bytes/s; 0 when a top-up is not worth a write.
   * `streamTarget`: while a stream reads, the in-flight target deadline-swap.ts computed (the urgent blocks and a
   * shallow queue) replaces the rate-based one. `endGame`: only duplicates are left to ask for, so a peer gets some
   * only once its own queue is nearly drained (END_GAME_PIPELINE); not while a stream reads.
   */
  wanted(rate: number, streamTarget?: number, endGame = false): number {
    const inFlight = this.outstanding.size;
    if (endGame && streamTarget === undefined) return inFlight <= END_GAME_PIPELINE >> 1 ? Math.min(END_GAME_PIPELINE, this.limit) - inFlight : 0;
    const byRate = Math.ceil((rate * PIPELINE_SECONDS) / BLOCK_SIZE);
    const target = Math.min(streamTarget ?? Math.max(MIN_PIPELINE, byRate, this.floor), this.limit);
    const want = target - inFlight;
    // Each top-up is a syscall and a packet: with a deep pipeline, wait until a quarter has drained. Not for a stream:
    // its queue is shallow, and blocks that just became urgent must go out now (top-ups follow socket reads anyway).
    if (want <= 0 || (streamTarget === undefined && want < target >> 2 && inFlight > MIN_PIPELINE)) return 0;
    return want;
  }

  sent(piece: number, begin: number, now: number): void {
    this.outstanding.set(blockKey(piece, begin), now);
  }

  /** A block arrived: the peer is not snubbing, its request is answered, and its latency moves the floor. */
  received(piece: number, begin: number, now: number): void {
    this.lastBlockAt = now;
    this.snubbed = false;
    const key = blockKey(piece, begin);
    const requestedAt = this.outstanding.get(key);
    if (requestedAt === undefined) return;
    this.outstanding.delete(key);
    const latency = now - requestedAt;
    if (latency <= SLOW_START_LATENCY_MS) this.floor = Math.min(Math.max(this.floor, MIN_PIPELINE) + 1, this.limit);
    // A peer that got slower: shrink the floor until blocks come back within the pipeline's time.
    else if (latency > PIPELINE_SECONDS * 1000 && this.floor > 0) this.floor--;
  }

  /** Forgets one request (rejected by the peer, or cancelled by us); false when it was not outstanding. */
  forget(piece: number, begin: number): boolean {
    return this.outstanding.delete(blockKey(piece, begin));
  }

  /** The peer choked us: the slow start begins again. */
  choked(): void {
    this.floor = 0;
  }

  /** Marks the peer snubbing once no block came for SNUB_MS; true when it just became so. */
  markSnubbed(now: number): boolean {
    if (this.snubbed || this.outstanding.size === 0 || now - this.lastBlockAt <= SNUB_MS) return false;
    this.snubbed = true;
    this.floor = 0;
    return true;
  }

  /** Requests are in flight and no block came for REQUEST_TIMEOUT_MS. */
  timedOut(now: number): boolean {
    return this.outstanding.size > 0 && now - this.lastBlockAt > REQUEST_TIMEOUT_MS;
  }

  /** Gives every outstanding request back to `ledger` and forgets them. */
  dropAll(ledger: RequestLedger, peerId: number): void {
    for (const key of this.outstanding.keys()) {
      const piece = Math.floor(key / 65536);
      ledger.requestCancelled(piece, (key - piece * 65536) * BLOCK_SIZE, peerId);
    }
    this.outstanding.clear();
  }

  /** Marks in `into` the pieces with a request in flight. */
  markPieces(into: { set(piece: number): void }): void {
    for (const key of this.outstanding.keys()) into.set(Math.floor(key / 65536));
  }
}
