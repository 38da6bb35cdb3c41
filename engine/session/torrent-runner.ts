import type { Notice } from '../api/types.js';
import type { Clock } from '../common/clock.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import { statFiles } from '../storage/resume/resume-store.js';
import type { Client } from './client.js';
import type { PeerDiscovery } from './discovery.js';
import type { Entry } from './entry.js';
import { applyPriorities, fillFromMeta, missingFile, selectOnlyFiles, updateDone } from './entry-files.js';
import { piecesIn } from './synced-pieces.js';
import { VolumeWatch } from './volume-watch.js';
import { captureProgress, decodeMetainfo, entryToRecord, filePaths, recordStillExact, resumePlanFor, torrentFileFromInfo } from './persist.js';
import { keepPieceLayers } from './piece-layers-keep.js';

/** What the lifecycle of one torrent needs from the session around it. */
export interface RunnerHost {
  readonly clock: Clock;
  /** fdatasync the data before the stop's record claims it (SessionOptions.dataSync). */
  readonly dataSync: boolean;
  readonly client: Client;
  readonly store: ResumeData;
  readonly discovery: PeerDiscovery;
  /** Still in the session, and the session still open: a start that finishes late stops there. */
  isCurrent(entry: Entry): boolean;
  /** A torrent or metadata fetch started: the batches and checkpoints look at it while it runs. */
  started(entry: Entry): void;
  /** Saved state changed: the next batch shows it, the next checkpoint saves it. */
  touch(entry: Entry): void;
  /** The record was just saved. */
  markSaved(entry: Entry): void;
  /** A torrent's totals of earlier runs changed. */
  totalsChanged(): void;
  /** Something the queue decides on changed (completion, an error): decide again now or at the next tick. */
  applyQueue(): void;
  queueChanged(): void;
  /** Per-torrent options and the session's share of connections, for a torrent that just started. */
  applyTorrentOptions(entry: Entry): void;
  notice(n: Notice): void;
  /** A seed's upload reached its ratio goal (Torrent.setUploadGoal): check the goals now, not at the next tick. */
  uploadGoalReached?(entry: Entry): void;
  /** A torrent's state changed (finished, paused, failed): the batch that shows it goes out now, not up to a batch interval later. */
  stateChanged?(): void;
  log(line: string, entry?: Entry): void;
}

/**
 * The lifecycle of one torrent: start (metadata from disk or from peers, DHT/LSD tracking, the
 * files stat'ed against the record for a fast resume), progress and state changes while it runs,
 * and stop (totals and verified pieces into the record).
 */
export class TorrentRunner {
  /** Torrents whose volume goes away wait for it instead of failing (issue 15). */
  readonly volumes: VolumeWatch;

  constructor(private readonly host: RunnerHost) {
    this.volumes = new VolumeWatch({
      clock: host.clock,
      takeOffline: (e) => this.takeOffline(e),
      cameBack: (e) => {
        host.touch(e);
        host.applyQueue();
      },
      log: (line, e) => host.log(line, e),
    });
  }

  async activate(entry: Entry): Promise<void> {
    const host = this.host;
    entry.activeSince = host.clock.now();
    entry.stalled = false;
    host.touch(entry);
    if (!entry.meta) await this.loadMeta(entry);
    if (!entry.meta) {
      if (entry.magnet) await this.fetchMetadata(entry);
      if (!entry.meta) return;
      if (entry.paused) {
        await this.deactivate(entry);
        host.touch(entry);
        host.applyQueue();
        return;
      }
    }
    if (entry.torrent || !host.isCurrent(entry)) return;
    const meta = entry.meta;
    let torrent;
    try {
      torrent = host.client.add(meta, {
        downloadDir: entry.savePath,
        peers: [...(entry.magnet?.peers ?? []), ...entry.extraPeers],
        events: {
          onLog: (line) => host.log(line, entry),
          onTracker: (e) => host.log(`tracker ${e.url}: ${e.ok ? `ok, ${e.peers ?? 0} peers` : `error: ${e.message}`}`, entry),
          onPieceVerified: () => this.onProgress(entry),
          onStateChange: (state, reason) => this.onTorrentState(entry, state, reason),
          onUploadGoal: () => host.uploadGoalReached?.(entry),
          onPieceLayers: (layers) => void keepPieceLayers(host.store, entry, layers, (line) => host.log(line, entry)),
        },
      });
    } catch (err) {
      entry.error = (err as Error).message;
      host.touch(entry);
      return;
    }
    entry.torrent = torrent;
    host.started(entry);
    host.discovery.track(entry);
    applyPriorities(entry);
    host.applyTorrentOptions(entry);
    const current = await statFiles(filePaths(entry));
    const missing = entry.fullRecheck ? null : missingFile(entry, current);
    if (missing !== null) {
      await host.client.remove(torrent);
      entry.torrent = null;
      // The volume the record saw is not mounted (a restart while a drive is unplugged): wait for it, no error.
      if (this.volumes.offlineAtStart(entry)) {
        host.touch(entry);
        return;
      }
      entry.error = `files missing: ${missing} is gone. Put the files back and resume, move the torrent to where they are now, or recheck to download them again`;
      host.notice({ type: 'error', id: entry.id, name: entry.name, message: entry.error });
      host.touch(entry);
      host.store.save(entryToRecord(entry));
      return;
    }
    const plan = entry.fullRecheck ? undefined : resumePlanFor(entry, current);
    if (plan) host.log(`fast resume: ${plan.reason}`, entry);
    await torrent.start(undefined, plan);
    if (entry.torrent !== torrent) return;
    this.volumes.started(entry, plan, meta.pieceCount);
    entry.fullRecheck = false;
    if (torrent.state !== 'error' && !recordStillExact(entry, torrent.have, plan)) {
      captureProgress(entry, torrent.have, false);
      updateDone(entry);
      host.store.save(entryToRecord(entry));
      // Written now, so a crash in the next seconds does not cost this check again.
      void host.store.flush();
    }
    host.touch(entry);
    host.markSaved(entry);
  }

  async deactivate(entry: Entry): Promise<void> {
    const host = this.host;
    this.volumes.forget(entry);
    host.discovery.untrack(entry);
    const fetch = entry.fetch;
    if (fetch) {
      entry.fetch = null;
      await fetch.stop();
    }
    const torrent = entry.torrent;
    if (!torrent) return;
    entry.torrent = null;
    const wasChecking = torrent.state === 'checking';
    this.captureTotals(entry, torrent);
    await host.client.remove(torrent);
    // Stopped for good: no write can follow, so the stats are final; the bytes are synced before a record claims them.
    if (!wasChecking && torrent.have.length) {
      try {
        if (host.dataSync) await torrent.storage.syncPieces?.(piecesIn(torrent.have));
        captureProgress(entry, torrent.have, true);
      } catch (err) {
        host.log(`could not sync the data to disk (${(err as Error).message}): the record keeps the pieces it claimed before`, entry);
      }
    }
    updateDone(entry);
    entry.stalled = false;
    entry.volume = undefined;
    host.store.save(entryToRecord(entry));
    host.markSaved(entry);
  }

  /**
   * Its volume went away while it ran: peers and disk I/O stop, but unlike deactivate nothing is synced or stat'ed
   * (the files are not there) and no record is written; the last checkpoint's record stays, so the start after the
   * volume returns trusts every piece whose file is unchanged.
   */
  private async takeOffline(entry: Entry): Promise<void> {
    const host = this.host;
    const torrent = entry.torrent;
    if (!torrent) return;
    host.discovery.untrack(entry);
    entry.torrent = null;
    entry.stalled = false;
    this.captureTotals(entry, torrent);
    host.touch(entry);
    await host.client.remove(torrent);
    updateDone(entry);
    host.touch(entry);
    host.applyQueue();
  }

  /** Parses the saved .torrent of an entry listed from its record; a damaged one puts the entry in error. */
  async loadMeta(entry: Entry): Promise<void> {
    if (entry.meta) return;
    const bytes = await this.host.store.loadMetainfo(entry.id);
    if (!bytes) return;
    try {
      fillFromMeta(entry, decodeMetainfo(bytes));
    } catch (err) {
      entry.error = `the saved torrent file is damaged (${(err as Error).message}): remove the torrent and add it again`;
      this.host.touch(entry);
    }
  }

  private captureTotals(entry: Entry, torrent: NonNullable<Entry['torrent']>): void {
    this.host.totalsChanged();
    entry.downloadedBase += torrent.downloadMeter.total;
    entry.uploadedBase += torrent.uploadMeter.total;
    if (entry.seedingSince !== null) {
      entry.seedingSecondsBase += (this.host.clock.now() - entry.seedingSince) / 1000;
      entry.seedingSince = null;
    }
  }

  private async fetchMetadata(entry: Entry): Promise<void> {
    const host = this.host;
    const magnet = entry.magnet;
    if (!magnet) return;
    host.touch(entry);
    try {
      // peers the user added before the fetch began (addPeers right after add) are asked too
      const pending = host.client.fetchMetadataCancellable(magnet, [...magnet.peers, ...entry.extraPeers], (l) => host.log(l, entry));
      entry.fetch = pending.fetch;
      host.started(entry);
      host.discovery.track(entry);
      host.touch(entry);
      const meta = await pending.result;
      if (entry.fetch !== pending.fetch) return;
      entry.fetch = null;
      host.discovery.untrackDht(entry);
      const userChose = entry.filePriorities.length === meta.files.length;
      fillFromMeta(entry, meta);
      selectOnlyFiles(entry, magnet.selectOnly, userChose);
      await host.store.saveMetainfo(entry.id, torrentFileFromInfo(meta.infoBytes, magnet.trackers, magnet.webSeeds));
      host.notice({ type: 'metadataReceived', id: entry.id, name: entry.name });
      if (entry.metadataStop === 'armed') {
        // The user chooses files first: pause before any data is fetched (activate() sees it).
        entry.metadataStop = 'stopped';
        entry.paused = true;
      }
      host.store.save(entryToRecord(entry));
    } catch (err) {
      if (entry.fetch) {
        entry.fetch = null;
        entry.error = `could not fetch the metadata: ${(err as Error).message}`;
      }
    }
    host.touch(entry);
  }

  private onProgress(entry: Entry): void {
    const t = entry.torrent;
    if (!t) return;
    entry.have = t.have;
    updateDone(entry);
    this.host.touch(entry);
  }

  private onTorrentState(entry: Entry, state: string, reason?: string): void {
    const host = this.host;
    if (state === 'seeding') {
      if (entry.seedingSince === null) entry.seedingSince = host.clock.now();
      if (entry.completedAt === null && entry.torrent && entry.torrent.have.count > 0) {
        entry.completedAt = Date.now();
        host.notice({ type: 'completed', id: entry.id, name: entry.name, savePath: entry.savePath });
      }
      host.queueChanged();
    } else if (state === 'downloading' && entry.seedingSince !== null) {
      entry.seedingSecondsBase += (host.clock.now() - entry.seedingSince) / 1000;
      entry.seedingSince = null;
      host.queueChanged();
    } else if (state === 'error' && this.volumes.goneNow(entry)) {
      // An I/O error because its disk went away: it waits for the disk (VolumeWatch) instead of failing.
    } else if (state === 'error') {
      entry.error = reason ?? 'failed';
      host.notice({ type: 'error', id: entry.id, name: entry.name, message: entry.error });
      void this.deactivate(entry).then(() => host.applyQueue());
    }
    host.touch(entry);
    host.stateChanged?.();
  }
}
