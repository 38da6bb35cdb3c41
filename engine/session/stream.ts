import type { DetailTopic, EngineEvent, GlobalStats, Notice, Settings, TorrentPatch, TorrentSummary } from '../api/types.js';
import { diffSummary } from '../api/diff.js';
import type { Entry } from './entry.js';
import { detailsOf } from './details.js';

/**
 * The state the UI sees, as a stream: batches of what changed since the last one
 * (new rows whole, changed rows as patches of the changed fields), global counters,
 * the subscribed detail views, and notices; or a full snapshot on request. Work per
 * batch grows with the torrents that are running or were touched, not with the list.
 */
export class StateStream {
  private seq = 0;
  private readonly pendingAdded = new Set<string>();
  private pendingRemoved: string[] = [];
  private pendingNotices: Notice[] = [];
  private subscription: { id: string | null; topics: Set<DetailTopic> } = { id: null, topics: new Set() };

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  added(id: string): void {
    this.pendingAdded.add(id);
  }

  removed(id: string): void {
    this.pendingAdded.delete(id);
    this.pendingRemoved.push(id);
  }

  notice(n: Notice): void {
    this.pendingNotices.push(n);
  }

  subscribe(id: string | null, topics: readonly DetailTopic[]): void {
    this.subscription = { id, topics: new Set(topics) };
  }

  /** `candidates`: the entries that may have changed (running or touched); `lookup` finds the subscribed one. */
  batch(candidates: Iterable<Entry>, lookup: (id: string) => Entry | undefined, global: GlobalStats, summaryOf: (e: Entry) => TorrentSummary): void {
    const added: TorrentSummary[] = [];
    const changed: TorrentPatch[] = [];
    const subscribed = this.subscription.id !== null ? (lookup(this.subscription.id) ?? null) : null;
    for (const e of candidates) {
      const isNew = this.pendingAdded.has(e.id) || e.sent === null;
      // A seed without peers whose last row showed no traffic cannot have changed unless touched.
      const t = e.torrent;
      const quiet = !t || (t.state === 'seeding' && t.peers.size === 0 && e.sent !== null && e.sent.peers === 0 && e.sent.upRate === 0 && e.sent.downRate === 0);
      if (!isNew && !e.dirty && !e.fetch && quiet) continue;
      const next = summaryOf(e);
      e.dirty = false;
      if (isNew) added.push(next);
      else {
        const patch = diffSummary(e.sent!, next);
        if (patch) changed.push(patch);
      }
      e.sent = next;
    }
    this.pendingAdded.clear();
    const removed = this.pendingRemoved;
    this.pendingRemoved = [];
    const notices = this.pendingNotices;
    this.pendingNotices = [];
    const details = subscribed && this.subscription.topics.size > 0 ? detailsOf(subscribed, this.subscription.topics) : null;
    this.emit({ kind: 'batch', seq: ++this.seq, added, changed, removed, global, details, notices });
  }

  snapshot(entries: Iterable<Entry>, global: GlobalStats, settings: Settings, summaryOf: (e: Entry) => TorrentSummary): void {
    const torrents: TorrentSummary[] = [];
    for (const e of entries) {
      e.sent = summaryOf(e);
      e.dirty = false;
      torrents.push(e.sent);
    }
    this.pendingAdded.clear();
    this.pendingRemoved = [];
    this.emit({ kind: 'snapshot', seq: ++this.seq, torrents, global, settings });
  }
}
