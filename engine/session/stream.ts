import type { DetailTopic, EngineEvent, GlobalStats, HostFixedSetting, Notice, Settings, TorrentDetails, TorrentPatch, TorrentSummary } from '../api/types.js';
import { diffSummary } from '../api/diff.js';
import type { Entry } from './entry.js';
import { detailsOf } from './details.js';
import { sameValue } from './same-value.js';
import { ApiError } from './api-error.js';

/**
 * While nothing changes, a batch at least this often: a heartbeat with no rows, so a receiver can
 * tell a quiet engine from a stuck one, and rate graphs keep moving.
 */
export const HEARTBEAT_MS = 5000;

/**
 * One receiver of the state stream (the worker's port, the CLI, one WebSocket client): its own
 * sequence numbers, its own detail subscription, and what it was last sent. The list diffs are shared
 * by all views.
 */
export class StreamView {
  /** @internal */ seq = 0;
  /** @internal */ subscription: { id: string | null; topics: ReadonlySet<DetailTopic>; key: string } = { id: null, topics: new Set(), key: '' };
  /** @internal */ closed = false;
  /** @internal What this view last got, to leave out what has not changed. */
  sentGlobal: GlobalStats | null = null;
  /** @internal null: the view has no current detail views (new subscription, or after a snapshot). */
  sentDetails: TorrentDetails | null = null;
  /** @internal */ lastSentAt = -Infinity;

  constructor(/** @internal */ readonly emit: (event: EngineEvent) => void) {}
}

/**
 * The state the UI sees, as a stream: batches of what changed since the last one
 * (new rows whole, changed rows as patches of the changed fields), global counters,
 * the subscribed detail views, and notices; or a full snapshot on request. Work per
 * batch grows with the torrents that are running or were touched, not with the list.
 *
 * Several views may read the stream: the diff of a batch is computed once for all of them;
 * each view adds its own seq and detail subscription (computed once per distinct subscription).
 *
 * A batch that would carry nothing new to a view (no rows, no notices, the same global counters and
 * detail views as the last it was sent) is not sent to it, except as a heartbeat every HEARTBEAT_MS:
 * an idle session does not wake its hosts. `seq` counts messages sent, so skipping one leaves no gap.
 */
export class StateStream {
  private readonly pendingAdded = new Set<string>();
  private pendingRemoved: string[] = [];
  private pendingNotices: Notice[] = [];
  private readonly views = new Set<StreamView>();

  /** A new view; it receives batches from the next one on (ask for a snapshot first). */
  open(emit: (event: EngineEvent) => void): StreamView {
    const view = new StreamView(emit);
    this.views.add(view);
    return view;
  }

  close(view: StreamView): void {
    view.closed = true;
    this.views.delete(view);
  }

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

  subscribe(view: StreamView, id: string | null, topics: readonly DetailTopic[]): void {
    const set = new Set(topics);
    view.subscription = { id, topics: set, key: id === null || set.size === 0 ? '' : `${id}:${[...set].sort().join(',')}` };
    view.sentDetails = null;
  }

  /**
   * `candidates`: the entries that may have changed (running or touched); `lookup` finds the subscribed
   * ones; `now`: milliseconds on any monotonic clock, for the heartbeat. True when some view was sent a
   * change; false when there was nothing new (nothing sent, or only heartbeats).
   */
  batch(candidates: Iterable<Entry>, lookup: (id: string) => Entry | undefined, global: GlobalStats, summaryOf: (e: Entry) => TorrentSummary, now: number): boolean {
    const added: TorrentSummary[] = [];
    const changed: TorrentPatch[] = [];
    for (const e of candidates) {
      const isNew = this.pendingAdded.has(e.id) || e.sent === null;
      // A seed without peers whose last row showed no traffic cannot have changed unless touched, or unless a peer
      // came, took data and left between two batches: its upload total tells.
      const t = e.torrent;
      const quiet =
        !t ||
        (t.state === 'seeding' && t.peers.size === 0 && e.sent !== null && e.sent.peers === 0 && e.sent.upRate === 0 && e.sent.downRate === 0 && e.sent.uploadedTotal === e.uploadedBase + t.uploadMeter.total);
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
    const listMoved = added.length > 0 || changed.length > 0 || removed.length > 0 || notices.length > 0;
    let anyMoved = false;
    // Several views with the same subscription (browser tabs on the same torrent) share one computation.
    const details = new Map<string, TorrentDetails | null>();
    for (const view of [...this.views]) {
      const { id, topics, key } = view.subscription;
      let d: TorrentDetails | null = null;
      if (key !== '' && id !== null) {
        if (!details.has(key)) {
          const e = lookup(id);
          details.set(key, e ? detailsOf(e, topics) : null);
        }
        d = details.get(key) ?? null;
      }
      if (d !== null && view.sentDetails !== null && sameValue(d, view.sentDetails)) d = null;
      else if (d !== null) view.sentDetails = d;
      const moved = listMoved || d !== null || view.sentGlobal === null || !sameValue(global, view.sentGlobal);
      if (!moved && now - view.lastSentAt < HEARTBEAT_MS) continue;
      anyMoved ||= moved;
      view.sentGlobal = global;
      view.lastSentAt = now;
      view.emit({ kind: 'batch', seq: ++view.seq, added, changed, removed, global, details: d, notices });
    }
    return anyMoved;
  }

  /** The settings changed: every view hears it now, in its own sequence (a UI never keeps a stale copy). */
  settings(settings: Settings, hostFixed: HostFixedSetting[]): void {
    for (const view of [...this.views]) {
      if (view.closed) continue;
      view.lastSentAt = -Infinity;
      view.emit({ kind: 'settings', seq: ++view.seq, settings, hostFixed });
    }
  }

  /**
   * A full list for one view. Call right after a batch (see Session): every row's `sent` is then
   * current, so the snapshot is exactly the base the next batch's diffs apply to, for every view.
   */
  snapshot(view: StreamView, entries: Iterable<Entry>, global: GlobalStats, settings: Settings, summaryOf: (e: Entry) => TorrentSummary, hostFixed: HostFixedSetting[] = []): void {
    const torrents: TorrentSummary[] = [];
    for (const e of entries) torrents.push(e.sent ?? summaryOf(e));
    if (view.closed) return;
    view.sentGlobal = global;
    view.sentDetails = null;
    view.emit({ kind: 'snapshot', seq: ++view.seq, torrents, global, settings, hostFixed });
  }
}

/** The stream a `subscribe` or `snapshot` command applies to; a connection without one gets a Conflict error. */
export function streamOf(view: StreamView | null): StreamView {
  if (!view) throw new ApiError('Conflict', 'this connection has no event stream');
  return view;
}
