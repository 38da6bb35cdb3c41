import type { Clock } from '../common/clock.js';
import { MTIME_SLACK_MS, needsRecapture } from '../storage/resume/fast-resume.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import type { Entry } from './entry.js';
import { captureProgress, entryToRecord } from './persist.js';
import { SyncedPieces } from './synced-pieces.js';

/** An idle running torrent's record (seeding time) is refreshed this often. */
const RECORD_REFRESH_MS = 10 * 60_000;

/**
 * Saves what changed since the last checkpoint: records marked changed, and running torrents
 * whose totals moved (or, for an idle seed, every ten minutes for its seeding time). A crash
 * loses at most a few seconds of records, never data; an idle session writes nothing. It looks
 * at the running torrents and those marked since, never the whole list.
 */
/** Verified bytes of a downloading torrent past which its data is synced without waiting for a checkpoint. */
export const SYNC_AHEAD_BYTES = 32 * 1024 * 1024;

export class Checkpoints {
  /** Entries the next checkpoint must look at besides the running ones (touched, stopped, stats to re-capture). */
  private readonly unsaved = new Set<Entry>();
  /** Verified pieces whose bytes are synced: what records of running torrents claim. */
  private readonly synced: SyncedPieces;

  constructor(
    private readonly store: ResumeData,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
    dataSync = true,
  ) {
    this.synced = new SyncedPieces(dataSync);
  }

  /**
   * Syncs ahead of the checkpoints: a running torrent with SYNC_AHEAD_BYTES or more verified since its last sync
   * has them fdatasync'd now, in the background. The disk then writes while the download goes on, in steps of a
   * few seconds' data, instead of all at once when a checkpoint or the stop asks (a 1 GiB download that ends
   * would otherwise wait for the last seconds' few hundred MB). Records still claim only synced pieces.
   */
  syncAhead(running: ReadonlySet<Entry>): void {
    for (const e of running) {
      const t = e.torrent;
      if (!t || t.state !== 'downloading') continue;
      if (this.synced.unsyncedCount(e, t) * t.storage.geometry.pieceLength < SYNC_AHEAD_BYTES) continue;
      this.synced.sync(e, t).catch((err: Error) => this.log(`could not sync the data of ${e.name} to disk (${err.message}): its record claims only pieces synced before`));
    }
  }

  /** The next checkpoint looks at this entry's record. */
  lookAt(entry: Entry): void {
    this.unsaved.add(entry);
  }

  /** Removed from the session: nothing more to save. */
  forget(entry: Entry): void {
    this.unsaved.delete(entry);
  }

  /** The record was just saved: nothing for the next checkpoint unless something changes again. */
  markSaved(entry: Entry): void {
    entry.recordDirty = false;
    const t = entry.torrent;
    entry.savedTotals = { down: t ? t.downloadMeter.total : 0, up: t ? t.uploadMeter.total : 0, at: this.clock.now() };
  }

  /** `isCurrent`: the entry is still in the session (a removed one is skipped). */
  run(running: ReadonlySet<Entry>, isCurrent: (e: Entry) => boolean): void {
    const now = this.clock.now();
    const again: Entry[] = [];
    for (const e of this.unsaved) {
      if (!isCurrent(e) || running.has(e)) continue;
      if (this.checkpointEntry(e, now)) again.push(e);
    }
    this.unsaved.clear();
    for (const e of again) this.unsaved.add(e);
    for (const e of running) {
      if (!isCurrent(e)) continue;
      this.checkpointEntry(e, now);
      this.syncThenSave(e, isCurrent);
    }
    if (this.store.pendingCount > 0) void this.store.flush().catch((err: Error) => this.log(`could not save resume data: ${err.message}`));
  }

  /**
   * Makes every record a command changed durable now (the reply waits for it): the entries marked since the
   * last checkpoint whose saved state changed are written and fsynced. Commands arriving together share one
   * flush: the store runs flushes one after the other, so a flush queued behind a running one writes every
   * record saved meanwhile. Resolves with the ids that could not be written.
   */
  async persistChanged(isCurrent: (e: Entry) => boolean): Promise<string[]> {
    const now = this.clock.now();
    for (const e of this.unsaved) if (e.recordDirty && isCurrent(e)) this.checkpointEntry(e, now);
    if (this.store.pendingCount === 0) return [];
    return (await this.store.flush()).failed;
  }

  /**
   * Syncs the pieces a running torrent verified since the last checkpoint, then saves a record claiming them. The
   * record written meanwhile (above) claims only pieces synced before.
   */
  private syncThenSave(e: Entry, isCurrent: (e: Entry) => boolean): void {
    const t = e.torrent;
    if (!t || t.state === 'checking' || t.state === 'stopped') return;
    this.synced.sync(e, t).then(
      (grew) => {
        if (!grew || !isCurrent(e) || e.torrent !== t) return;
        e.recordDirty = true;
        this.checkpointEntry(e, this.clock.now());
        void this.store.flush().catch((err: Error) => this.log(`could not save resume data: ${err.message}`));
      },
      (err: Error) => this.log(`could not sync the data of ${e.name} to disk (${err.message}): its record claims only pieces synced before`),
    );
  }

  /** Saves one entry's record if it changed; true when it must be looked at again (stats not settled yet). */
  private checkpointEntry(e: Entry, now: number): boolean {
    const t = e.torrent;
    // 'checking', and 'stopped' before start() got going: `have` is not known yet.
    const live = t !== null && t.state !== 'checking' && t.state !== 'stopped';
    const moved = live && (t.downloadMeter.total !== e.savedTotals.down || t.uploadMeter.total !== e.savedTotals.up);
    const stale = live && now - e.savedTotals.at > RECORD_REFRESH_MS;
    if (!e.recordDirty && !moved && !stale) {
      if (t || !e.have || !e.meta || e.fileStatsFinal) return false;
      // Stats taken right after the last write are not trusted after a crash; now they can be.
      const wall = Date.now();
      if (needsRecapture(entryToRecord(e), wall)) {
        captureProgress(e, e.have, false);
        this.store.save(entryToRecord(e));
      }
      // Until the slack has passed, needsRecapture cannot tell yet.
      return wall - e.fileStatsAt < MTIME_SLACK_MS;
    }
    if (live) captureProgress(e, this.synced.claimable(e, t), false);
    const seeding = e.seedingSince !== null ? (now - e.seedingSince) / 1000 : 0;
    this.store.save(live ? entryToRecord(e, { downloaded: t.downloadMeter.total, uploaded: t.uploadMeter.total, seedingSeconds: seeding }) : entryToRecord(e));
    e.recordDirty = false;
    e.savedTotals = { down: live ? t.downloadMeter.total : 0, up: live ? t.uploadMeter.total : 0, at: now };
    return !t && !e.fileStatsFinal && e.have !== null && e.meta !== null;
  }
}
