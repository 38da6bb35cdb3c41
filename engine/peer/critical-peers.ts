/**
 * Which peers may take time-critical (deadline) pieces: the fast ones with short queues. A block of a piece a player
 * waits for must not sit behind a slow peer's long queue; such peers keep downloading the rest, rarest first.
 * `fastest` is refreshed once per tick (not per refill), so the check per refill is two comparisons.
 */
import { BLOCK_SIZE } from '../common/geometry.js';

/** A peer at least this share of the fastest peer's rate is fast enough. */
const SHARE_OF_FASTEST = 0.25;
/** Seconds of a peer's rate its queue may hold and still take critical blocks (at least MIN_QUEUE_BLOCKS). */
const QUEUE_SECONDS = 1;
const MIN_QUEUE_BLOCKS = 8;

export class CriticalPeers {
  private fastest = 0;

  /** Once per tick, with the connected peers. */
  update(peers: Iterable<{ readonly downloadMeter: { rate(): number } }>): void {
    let max = 0;
    for (const p of peers) max = Math.max(max, p.downloadMeter.rate());
    this.fastest = max;
  }

  /** A peer delivering `rate` bytes/s with `queued` blocks in flight may take critical blocks now. */
  fit(rate: number, queued: number): boolean {
    // Nobody has delivered yet (the start, a seek into a cold swarm): everyone may try.
    if (this.fastest === 0) return true;
    if (rate < this.fastest * SHARE_OF_FASTEST) return false;
    return queued <= Math.max(MIN_QUEUE_BLOCKS, (rate * QUEUE_SECONDS) / BLOCK_SIZE);
  }
}
