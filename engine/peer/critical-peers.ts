/**
 * Which peers may take time-critical (deadline) pieces: the fast ones whose queues drain soonest. A block of a
 * piece a player waits for must not sit behind a slow peer's long queue; such peers keep downloading the rest,
 * rarest first. But some peer must always be fit: with one seeder, or when every fast peer's queue is long
 * (rarest-first keeps them full), the fast peer whose queue drains first takes the critical blocks — excluding
 * everyone left the deadline pieces unrequested and the stream stalled (bench stream: 15 s of 20 stalled).
 * `fastest` and `shortestWait` are refreshed once per tick (not per refill), so the check per refill is a few
 * comparisons.
 */
import { BLOCK_SIZE } from '../common/geometry.js';

/** A peer at least this share of the fastest peer's rate is fast enough. */
const SHARE_OF_FASTEST = 0.25;
/** Seconds of a peer's rate its queue may hold and still take critical blocks (at least MIN_QUEUE_BLOCKS)... */
const QUEUE_SECONDS = 1;
/** ...or up to this many times the shortest wait among the fast peers, when every fast queue is longer. */
const WAIT_SLACK = 1.5;
const MIN_QUEUE_BLOCKS = 8;

interface PeerLoad {
  readonly downloadMeter: { rate(): number };
  readonly requests: { readonly size: number };
}

export class CriticalPeers {
  private fastest = 0;
  /** Seconds until the fast peer with the shortest queue has delivered it. */
  private shortestWait = 0;

  /** Once per tick, with the connected peers. */
  update(peers: Iterable<PeerLoad>): void {
    let max = 0;
    for (const p of peers) max = Math.max(max, p.downloadMeter.rate());
    this.fastest = max;
    let shortest = Infinity;
    if (max > 0) {
      for (const p of peers) {
        const rate = p.downloadMeter.rate();
        if (rate >= max * SHARE_OF_FASTEST) shortest = Math.min(shortest, waitSeconds(rate, p.requests.size));
      }
    }
    this.shortestWait = shortest === Infinity ? 0 : shortest;
  }

  /** A peer delivering `rate` bytes/s with `queued` blocks in flight may take critical blocks now. */
  fit(rate: number, queued: number): boolean {
    // Nobody has delivered yet (the start, a seek into a cold swarm): everyone may try.
    if (this.fastest === 0) return true;
    if (rate < this.fastest * SHARE_OF_FASTEST) return false;
    if (queued <= Math.max(MIN_QUEUE_BLOCKS, (rate * QUEUE_SECONDS) / BLOCK_SIZE)) return true;
    return waitSeconds(rate, queued) <= this.shortestWait * WAIT_SLACK;
  }
}

function waitSeconds(rate: number, queued: number): number {
  return (queued * BLOCK_SIZE) / rate;
}
