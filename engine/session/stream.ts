import type { DetailTopic, EngineEvent, GlobalStats, Notice, Settings, TorrentDetails, TorrentPatch, TorrentSummary } from '../api/types.js';
import { diffSummary } from '../api/diff.js';
import type { Entry } from './entry.js';
import { detailsOf } from './details.js';
import { sameValue } from './same-value.js';

/**
 * While nothing changes, a batch at least this often: a heartbeat with no rows, so a receiver can
 * tell a quiet engine from a stuck one, and rate graphs keep moving.
 */
export const HEARTBEAT_MS = 5000;

/**
 * The state the UI sees, as a stream: batches of what changed since the last one
 * (new rows whole, changed rows as patches of the changed fields), global counters,
 * the subscribed detail views, and notices; or a full snapshot on request. Work per
 * batch grows with the torrents that are running or were touched, not with the list.
 *
 * A batch that would carry nothing new (no rows, no notices, the same global counters and detail
 * views as the last one sent) is not sent, except as a heartbeat every HEARTBEAT_MS: an idle
 * session does not wake its host. `seq` counts messages sent, so skipping one leaves no gap.
 */
export class StateStream {
  private seq = 0;
  private readonly pendingAdded = new Set<string>();
  private pendingRemoved: string[] = [];
  private pendingNotices: Notice[] = [];
  private subscription: { id: string | null; topics: Set<DetailTopic> } = { id: null, topics: new Set() };
  /** What the receiver last got, to leave out what has not changed. */
  private sentGlobal: GlobalStats | null = null;
  /** null: the receiver has no current detail views (new subscription, or after a snapshot). */
  private sentDetails: TorrentDetails | null = null;
  private lastSentAt = -Infinity;

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
    this.sentDetails = null;
  }

  /**
   * `candidates`: the entries that may have changed (running or touched); `lookup` finds the subscribed
   * one; `now`: milliseconds on any monotonic clock, for the heartbeat. True when the batch carried
   * a change; false when there was nothing new (nothing sent, or only a heartbeat).
   */
  batch(candidates: Iterable<Entry>, lookup: (id: string) => Entry | undefined, global: GlobalStats, summaryOf: (e: Entry) => TorrentSummary, now: number): boolean {
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
    let details = subscribed && this.subscription.topics.size > 0 ? detailsOf(subscribed, this.subscription.topics) : null;
    if (details !== null && this.sentDetails !== null && sameValue(details, this.sentDetails)) details = null;
    else if (details !== null) this.sentDetails = details;
    const moved = added.length > 0 || changed.length > 0 || removed.length > 0 || notices.length > 0 || details !== null || this.sentGlobal === null || !sameValue(global, this.sentGlobal);
    if (!moved && now - this.lastSentAt < HEARTBEAT_MS) return false;
    this.sentGlobal = global;
    this.lastSentAt = now;
    this.emit({ kind: 'batch', seq: ++this.seq, added, changed, removed, global, details, notices });
    return moved;
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
    this.sentGlobal = global;
    this.sentDetails = null;
    this.emit({ kind: 'snapshot', seq: ++this.seq, torrents, global, settings });
  }
}
