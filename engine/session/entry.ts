import type { Bitfield } from '../common/bitfield.js';
import type { FilePriority, TorrentOptionValues, TorrentState, TorrentSummary } from '../api/types.js';
import type { MagnetLink, Metainfo } from '../metainfo/index.js';
import type { MetadataFetch } from '../torrent/metadata-fetch.js';
import type { QueueItem, Waiting } from './queue.js';
import type { Torrent } from '../torrent/torrent.js';
import type { FileRename, FileStat, SaveVolume } from '../storage/resume/resume-record.js';
import { trackerHostsOf } from './tracker-hosts.js';
import { offlineReason, type VolumeState } from './volume.js';

/**
 * One torrent in the session. Most are records (paused, queued, idle seeds):
 * metainfo not even parsed, no timers, no sockets. `torrent` is set only while
 * it runs. Its own options (TorrentOptionValues) are fields of the entry.
 */
export interface Entry extends TorrentOptionValues {
  readonly id: string;
  name: string;
  meta: Metainfo | null;
  magnet: MagnetLink | null;
  savePath: string;
  readonly addedAt: number;
  completedAt: number | null;
  position: number;
  /** The user paused it. */
  paused: boolean;
  forceStart: boolean;
  error: string | null;
  filePriorities: FilePriority[];
  /** Verified pieces as of the last save or stop (null: never checked). */
  have: Bitfield | null;
  /** Size and mtime of each file when `have` was recorded (see fast-resume.ts). */
  fileStats: (FileStat | null)[] | null;
  fileStatsAt: number;
  fileStatsFinal: boolean;
  fileRenames: FileRename[];
  /** Totals from earlier runs; a live torrent adds its own meters. */
  downloadedBase: number;
  uploadedBase: number;
  seedingSecondsBase: number;
  totalBytes: number;
  wantedBytes: number;
  doneBytes: number;
  /** Why it was paused when the engine paused it (a seeding goal: "ratio goal 0.50 reached"); cleared on resume. Kept in the resume record. */
  pausedFor?: { goal: 'ratio' | 'seedTime'; reason: string } | null;
  /** While moveStorage moves the files: where to, and how far (bytes). Runtime only. */
  moving?: { to: string; done: number; total: number } | null;
  /** Runtime only. */
  /** Peers the user asked us to dial (CLI --peer, "add peer"). */
  extraPeers: { host: string; port: number }[];
  torrent: Torrent | null;
  fetch: MetadataFetch | null;
  /** Peer addresses its DHT lookups returned so far (the doctor quotes it). Runtime only. */
  dhtPeersFound?: number;
  /** Its DHT lookups and announces while it runs. */
  dhtHandle: { stop(): void; refresh(): void } | null;
  activeSince: number;
  seedingSince: number | null;
  stalled: boolean;
  waiting: Waiting | null;
  /** The next start hashes everything instead of trusting the record. */
  fullRecheck: boolean;
  /** add's stopAfterMetadata: 'armed' pauses once a magnet's metadata arrives; 'stopped' while it waits for the user (not saved). */
  metadataStop: 'armed' | 'stopped' | null;
  /** Verifying data while not running (recheck of a paused torrent). */
  checkingOffline: boolean;
  /** Saved state changed since the last checkpoint. */
  recordDirty: boolean;
  /** The running torrent's meter totals at the last save, and when that was (session clock). */
  savedTotals: { down: number; up: number; at: number };
  /** The doctor's top reason while it runs, refreshed about once a second (doctor-facts.ts refreshWhy). Runtime only. */
  why?: string | null;
  /** Its save folder's volume while it runs, or while it waits for an unmounted one to come back (volume.ts). Runtime only. */
  volume?: VolumeState;
  /** The volume its save folder was on when it last ran: kept in the resume record, so a start finds an unmounted volume. */
  saveVolume?: SaveVolume | null;
  /** The summary the UI has; diffs are taken against it. */
  sent: TorrentSummary | null;
  dirty: boolean;
}

export const METADATA_STOP_REASON = 'metadata received: choose files, then resume';

export function liveState(entry: Entry): { state: TorrentState; reason: string } {
  if (entry.error !== null) return { state: 'error', reason: entry.error };
  if (entry.volume?.offline) return { state: 'error', reason: offlineReason(entry.savePath) };
  if (entry.moving) {
    const pct = entry.moving.total > 0 ? Math.floor((entry.moving.done / entry.moving.total) * 100) : 0;
    return { state: entry.paused ? 'paused' : 'queued', reason: `moving files to ${entry.moving.to}: ${pct}%` };
  }
  if (entry.checkingOffline) return { state: 'checking', reason: 'verifying data on disk' };
  const t = entry.torrent;
  if (t) {
    switch (t.state) {
      case 'checking':
        return { state: 'checking', reason: 'verifying data on disk' };
      case 'error':
        return { state: 'error', reason: t.errorReason ?? 'failed' };
      case 'seeding':
        return { state: 'seeding', reason: entry.forceStart ? 'seeding (forced)' : 'seeding' };
      case 'downloading':
        if (entry.stalled) return { state: 'stalled', reason: 'stalled: no data received for a while; waiting for peers' };
        return { state: 'downloading', reason: entry.forceStart ? 'downloading (forced)' : t.peers.size === 0 && !t.webSeeds.some((w) => w.busy) ? 'looking for peers' : 'downloading' };
      case 'stopped':
        return { state: 'paused', reason: 'stopping' };
    }
  }
  if (entry.fetch) return { state: 'metadata', reason: 'fetching metadata from peers' };
  if (entry.paused) return { state: 'paused', reason: entry.metadataStop === 'stopped' ? METADATA_STOP_REASON : (entry.pausedFor?.reason ?? 'paused') };
  if (entry.waiting) return { state: entry.waiting.bySchedule ? 'paused' : 'queued', reason: entry.waiting.reason };
  return { state: 'queued', reason: 'starting' };
}

export function summarize(entry: Entry): TorrentSummary {
  const t = entry.torrent;
  const { state, reason } = liveState(entry);
  const downloaded = entry.downloadedBase + (t ? t.downloadMeter.total : 0);
  const uploaded = entry.uploadedBase + (t ? t.uploadMeter.total : 0);
  const downRate = t ? t.downloadMeter.rate() : 0;
  const upRate = t ? t.uploadMeter.rate() : 0;
  const doneBytes = entry.doneBytes;
  const left = Math.max(0, entry.wantedBytes - doneBytes);
  return {
    id: entry.id,
    name: entry.name,
    state,
    stateReason: reason,
    queuedFor: state === 'queued' ? (entry.waiting?.queuedFor ?? null) : null,
    queuePosition: entry.position,
    forceStart: entry.forceStart,
    totalBytes: entry.totalBytes,
    doneBytes,
    wantedBytes: entry.wantedBytes,
    progress: entry.wantedBytes === 0 ? (entry.meta || entry.totalBytes > 0 ? 1 : 0) : doneBytes / entry.wantedBytes,
    downRate,
    upRate,
    eta: left === 0 ? 0 : downRate > 0 ? Math.round(left / downRate) : -1,
    // As Transmission does: a torrent seeded from our own data divides by its size.
    ratio: downloaded > 0 ? uploaded / downloaded : doneBytes > 0 ? uploaded / doneBytes : 0,
    downloadedTotal: downloaded,
    uploadedTotal: uploaded,
    peers: t ? t.peers.size : 0,
    seeds: t ? t.seedCount : 0,
    savePath: entry.savePath,
    addedAt: entry.addedAt,
    completedAt: entry.completedAt,
    error: entry.error,
    sequential: entry.sequential,
    downloadLimit: entry.downloadLimit,
    uploadLimit: entry.uploadLimit,
    firstLastPiecesFirst: entry.firstLastPiecesFirst,
    ratioLimit: entry.ratioLimit,
    seedTimeLimitMinutes: entry.seedTimeLimitMinutes,
    maxConnections: entry.maxConnections,
    goalReached: entry.paused && entry.pausedFor ? entry.pausedFor.goal : null,
    why: entry.torrent || entry.fetch ? (entry.why ?? null) : null,
    category: entry.category,
    // Replaced, never mutated (changeTags), so an unchanged list keeps its identity and makes no patch.
    tags: entry.tags,
    trackerHosts: trackerHostsOf(entry),
    moveProgress: entry.moving ? (entry.moving.total > 0 ? Math.min(1, Math.round((entry.moving.done / entry.moving.total) * 1000) / 1000) : 0) : null,
  };
}

/** Pauses or resumes; false when nothing changed. Resuming clears an error, a stall and a stop after metadata; pausing ends a force start. */
export function setPaused(entry: Entry, paused: boolean): boolean {
  if (entry.paused === paused && (paused || entry.error === null)) return false;
  entry.paused = paused;
  if (!paused) {
    entry.pausedFor = null;
    if (entry.metadataStop === 'stopped') entry.metadataStop = null;
    entry.error = null;
    entry.stalled = false;
  } else {
    entry.forceStart = false;
    entry.pausedFor = null;
  }
  return true;
}

/** What the queue decides on (queue.ts). */
export function queueItemOf(e: Entry): QueueItem {
  return {
    id: e.id,
    position: e.position,
    wantsToRun: !e.paused && e.error === null && !e.checkingOffline && !e.volume?.offline,
    // From the record when the metainfo is not parsed yet (a record is all a stopped torrent has).
    complete: e.have !== null && e.doneBytes >= e.wantedBytes,
    forceStart: e.forceStart,
    stalled: e.stalled,
  };
}
