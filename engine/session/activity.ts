import type { Entry } from './entry.js';

/**
 * Which entries' rows may move: the running ones (rates, progress) and those touched since the last
 * batch. Work per batch grows with these two sets, not with the list.
 */
export class RowActivity {
  /** Entries with a live torrent or metadata fetch: the only ones whose rates and rows move by themselves. */
  readonly running = new Set<Entry>();
  /** Entries touched since the last batch. */
  private readonly changed = new Set<Entry>();

  started(entry: Entry): void {
    this.running.add(entry);
  }

  changedRow(entry: Entry): void {
    this.changed.add(entry);
  }

  forget(entry: Entry): void {
    this.changed.delete(entry);
  }

  /** Drops the entries that stopped running since the last batch, telling `onStopped` about each. */
  pruneStopped(onStopped: (entry: Entry) => void): void {
    for (const e of this.running) {
      if (e.torrent || e.fetch) continue;
      this.running.delete(e);
      onStopped(e);
    }
  }

  /** The entries whose rows may have changed: the running ones, then those touched since the last batch (if `isCurrent`). */
  *candidates(isCurrent: (entry: Entry) => boolean): Generator<Entry> {
    yield* this.running;
    for (const e of this.changed) if (!this.running.has(e) && isCurrent(e)) yield e;
  }

  batchSent(): void {
    this.changed.clear();
  }

  /** A running torrent that may change without being touched: checking, downloading, fetching metadata, or with peers. */
  anyLiveWork(): boolean {
    for (const e of this.running) {
      if (e.fetch) return true;
      const t = e.torrent;
      if (t && (t.state !== 'seeding' || t.peers.size > 0)) return true;
    }
    return false;
  }
}
