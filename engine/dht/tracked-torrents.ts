// Torrents kept on the DHT: each runs a lookup (and announce) now and then again every announce interval, sooner
// after lookups that found nobody. The node supplies the lookup; this module owns only the schedule.
import type { LookupResult, TrackHandle, TrackOptions } from './node-types.js';
import type { RpcTimers } from './rpc.js';

/** First retry after a lookup that found nobody (a magnet added before its seeders announced). */
const EMPTY_RETRY_MS = 15_000;

interface Tracked {
  infoHash: Uint8Array;
  opts: TrackOptions;
  timer: unknown;
  running: boolean;
  stopped: boolean;
  /** Lookups in a row that found no peer: retried sooner (15 s, 30 s, …) than the announce interval. */
  emptyRounds: number;
}

/** One round for a tracked torrent: a get_peers lookup, plus announce_peer when `opts.port` is set. */
export type TrackRound = (infoHash: Uint8Array, opts: TrackOptions) => Promise<LookupResult>;

export class TrackedTorrents {
  private readonly tracked = new Set<Tracked>();
  private closed = false;

  constructor(
    private readonly timers: RpcTimers,
    private readonly announceIntervalMs: number,
    private readonly round: TrackRound,
  ) {}

  /** Torrents being tracked. */
  get size(): number {
    return this.tracked.size;
  }

  /** Starts a round now and schedules the next ones; stop the handle when the torrent stops. */
  track(infoHash: Uint8Array, opts: TrackOptions): TrackHandle {
    const t: Tracked = { infoHash: new Uint8Array(infoHash), opts, timer: null, running: false, stopped: false, emptyRounds: 0 };
    this.tracked.add(t);
    const cycle = (): void => {
      if (t.stopped || this.closed || t.running) return;
      if (t.timer !== null) this.timers.clearTimeout(t.timer);
      t.timer = null;
      t.running = true;
      void this.round(t.infoHash, t.opts)
        .then((r) => {
          t.emptyRounds = r.peers.length > 0 ? 0 : t.emptyRounds + 1;
        }, () => {
          t.emptyRounds++;
        })
        .finally(() => {
          t.running = false;
          const delay = t.emptyRounds > 0 ? Math.min(this.announceIntervalMs, EMPTY_RETRY_MS * 2 ** (t.emptyRounds - 1)) : this.announceIntervalMs;
          if (!t.stopped && !this.closed) t.timer = this.timers.setTimeout(cycle, delay);
        });
    };
    cycle();
    return {
      refresh: cycle,
      stop: () => {
        t.stopped = true;
        if (t.timer !== null) this.timers.clearTimeout(t.timer);
        t.timer = null;
        this.tracked.delete(t);
      },
    };
  }

  /** Stops every tracked torrent for good (the node is closing). */
  close(): void {
    this.closed = true;
    for (const t of this.tracked) {
      t.stopped = true;
      if (t.timer !== null) this.timers.clearTimeout(t.timer);
    }
    this.tracked.clear();
  }
}
