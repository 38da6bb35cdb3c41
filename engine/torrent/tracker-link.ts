import type { Metainfo } from '../metainfo/index.js';
import { swarmHashes } from '../metainfo/swarm-hashes.js';
import type { PeerAddress } from '../peer/address-book.js';
import { TrackerAnnouncer, type TrackerStatusEvent } from '../tracker/index.js';

/** What a torrent's announcer needs of the torrent. */
export interface TrackerLinkOptions {
  readonly meta: Metainfo;
  readonly peerId: Uint8Array;
  readonly listenPort: () => number;
  /** Announce to the trackers at all (default true). */
  readonly useTrackers?: boolean;
  stats(): { uploaded: number; downloaded: number; left: number };
  onPeers(peers: readonly PeerAddress[], source: string): void;
  onEvent(event: TrackerStatusEvent): void;
}

/**
 * One torrent's link to its trackers: the tiers it announces to (the metainfo's unless set), an
 * announcer started with the torrent, replaced when the tiers change, and stopped with it.
 */
export class TrackerLink {
  /** The tiers announced to (null: the metainfo's). */
  private tiers: readonly (readonly string[])[] | null = null;
  /** start() ran (the torrent got as far as announcing), and stop() ran. */
  private running = false;
  private stopped = false;
  private announcer: TrackerAnnouncer | null = null;
  /**
   * A hybrid torrent's announcer for its v2 swarm (truncated v2 hash, BEP 52): same trackers, its peers
   * join ours; its status rows and events stay hidden (the v1 announcer's already describe each tracker).
   */
  private v2Announcer: TrackerAnnouncer | null = null;

  constructor(private readonly opts: TrackerLinkOptions) {}

  start(): void {
    this.running = true;
    const tiers = this.tiers ?? this.opts.meta.announce;
    if (this.opts.useTrackers !== false && tiers.length > 0) {
      this.announcer = new TrackerAnnouncer({
        tiers: tiers.map((t) => [...t]),
        infoHash: this.opts.meta.infoHash,
        peerId: this.opts.peerId,
        port: this.opts.listenPort,
        stats: this.opts.stats,
        onPeers: this.opts.onPeers,
        onEvent: this.opts.onEvent,
        // The metainfo's tiers are shuffled (BEP 12); a list set through setTiers is the user's order.
        shuffle: this.tiers === null,
      });
      this.announcer.start();
      this.startV2Announcer(tiers);
    }
  }

  private startV2Announcer(tiers: readonly (readonly string[])[]): void {
    const v2Hash = swarmHashes(this.opts.meta)[1];
    if (!v2Hash) return;
    const { peerId, listenPort: port, stats, onPeers } = this.opts;
    this.v2Announcer = new TrackerAnnouncer({ tiers: tiers.map((t) => [...t]), infoHash: v2Hash, peerId, port, stats, onPeers, shuffle: this.tiers === null });
    this.v2Announcer.start();
  }

  /**
   * The trackers to announce to, tiers in order. Before start: used from the first announce. While
   * running: a different list stops the announcer (its trackers get 'stopped') and starts one for the new.
   */
  setTiers(tiers: readonly (readonly string[])[]): void {
    if (JSON.stringify(this.tiers ?? this.opts.meta.announce) === JSON.stringify(tiers)) return;
    this.tiers = tiers.map((t) => [...t]);
    if (!this.running || this.stopped) return;
    void this.announcer?.stop().catch(() => undefined);
    void this.v2Announcer?.stop().catch(() => undefined);
    this.announcer = null;
    this.v2Announcer = null;
    this.start();
  }

  /** Announce now (force reannounce), as far as the tracker's min interval allows unless `ignoreMinInterval`. */
  announceNow(ignoreMinInterval = false): void {
    this.announcer?.announceNow(ignoreMinInterval);
    this.v2Announcer?.announceNow(ignoreMinInterval);
  }

  /** The download completed: the trackers get 'completed'. */
  completed(): void {
    this.announcer?.completed();
    this.v2Announcer?.completed();
  }

  /** Nobody to download from: the announcer asks again well before its interval ends. */
  setStarved(starved: boolean): void {
    this.announcer?.setStarved(starved);
    this.v2Announcer?.setStarved(starved);
  }

  status(): ReturnType<TrackerAnnouncer['status']> {
    return this.announcer?.status() ?? [];
  }

  /** Sends 'stopped' to the trackers; resolves when they answered or gave up (never rejects). */
  async stop(): Promise<void> {
    this.stopped = true;
    const announcers = [this.announcer, this.v2Announcer];
    this.announcer = null;
    this.v2Announcer = null;
    await Promise.all(announcers.map((a) => a?.stop().catch(() => undefined)));
  }
}
