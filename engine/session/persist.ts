import { join } from 'node:path';
import { Bitfield } from '../common/bitfield.js';
import { encode } from '../bencode/index.js';
import type { FilePriority } from '../api/types.js';
import { parseMagnet, parseTorrent, toMagnetUri, type Metainfo } from '../metainfo/index.js';
import type { ResumePlan } from '../storage/resume/fast-resume.js';
import type { Entry } from './entry.js';
import { planResume } from '../storage/resume/fast-resume.js';
import { captureFileStats } from '../storage/resume/resume-store.js';
import { rememberTrackerHosts, trackerHostsOf } from './tracker-hosts.js';
import { volumeAwayNow } from './volume.js';
import { DEFAULT_TORRENT_OPTIONS, newResumeRecord, torrentOptionsOf, type ResumeRecord } from '../storage/resume/resume-record.js';

export interface NewEntryInit {
  id: string;
  name: string;
  meta: Metainfo | null;
  magnetUri: string | null;
  savePath: string;
  addedAt: number;
  position: number;
  paused: boolean;
  filePriorities?: FilePriority[];
}

function blankEntry(init: NewEntryInit): Entry {
  return {
    id: init.id,
    name: init.name,
    meta: init.meta,
    magnet: init.magnetUri ? parseMagnet(init.magnetUri) : null,
    savePath: init.savePath,
    addedAt: init.addedAt,
    completedAt: null,
    position: init.position,
    paused: init.paused,
    forceStart: false,
    error: null,
    filePriorities: init.filePriorities ? [...init.filePriorities] : [],
    fileRenames: [],
    ...DEFAULT_TORRENT_OPTIONS,
    have: null,
    fileStats: null,
    fileStatsAt: 0,
    fileStatsFinal: false,
    downloadedBase: 0,
    uploadedBase: 0,
    seedingSecondsBase: 0,
    totalBytes: 0,
    wantedBytes: 0,
    doneBytes: 0,
    extraPeers: [],
    torrent: null,
    fetch: null,
    dhtHandle: null,
    activeSince: 0,
    seedingSince: null,
    stalled: false,
    waiting: null,
    fullRecheck: false,
    checkingOffline: false,
    metadataStop: null,
    recordDirty: false,
    savedTotals: { down: 0, up: 0, at: 0 },
    sent: null,
    dirty: true,
  };
}

export function newEntry(init: NewEntryInit): Entry {
  return blankEntry(init);
}

/** A record is all the list needs: the metainfo is parsed only when the torrent runs. */
export function entryFromRecord(r: ResumeRecord): Entry {
  const e = blankEntry({
    id: r.id,
    name: r.name,
    meta: null,
    magnetUri: r.magnetUri,
    savePath: r.savePath,
    addedAt: r.addedAt,
    position: r.queuePosition,
    paused: r.intent === 'paused',
    filePriorities: [...r.filePriorities],
  });
  e.completedAt = r.completedAt;
  e.forceStart = r.forceStart;
  e.pausedFor = r.intent === 'paused' && r.pausedFor ? { goal: r.pausedFor.goal, reason: r.pausedFor.reason } : null;
  e.error = r.error;
  e.fileRenames = r.fileRenames.map((f) => ({ file: f.file, path: [...f.path] }));
  Object.assign(e, torrentOptionsOf(r));
  e.have = r.have ? r.have.copy() : null;
  e.fileStats = r.fileStats ? [...r.fileStats] : null;
  e.fileStatsAt = r.fileStatsAt;
  e.fileStatsFinal = r.fileStatsFinal;
  e.downloadedBase = r.downloadedTotal;
  e.uploadedBase = r.uploadedTotal;
  e.seedingSecondsBase = r.seedingSeconds;
  e.totalBytes = r.totalBytes;
  e.wantedBytes = r.wantedBytes;
  e.doneBytes = r.doneBytes;
  rememberTrackerHosts(e, r.trackerHosts);
  e.saveVolume = r.saveVolume;
  return e;
}

/** The record of an entry; a running torrent's meters are added by the caller through `live`. */
export function entryToRecord(e: Entry, live: { downloaded: number; uploaded: number; seedingSeconds: number } = { downloaded: 0, uploaded: 0, seedingSeconds: 0 }): ResumeRecord {
  return newResumeRecord({
    id: e.id,
    name: e.name,
    savePath: e.savePath,
    addedAt: e.addedAt,
    completedAt: e.completedAt,
    queuePosition: e.position,
    intent: e.paused ? 'paused' : 'active',
    pausedFor: e.paused && e.pausedFor ? { goal: e.pausedFor.goal, reason: e.pausedFor.reason } : null,
    forceStart: e.forceStart,
    filePriorities: e.filePriorities,
    fileRenames: e.fileRenames,
    ...torrentOptionsOf(e),
    uploadedTotal: Math.round(e.uploadedBase + live.uploaded),
    downloadedTotal: Math.round(e.downloadedBase + live.downloaded),
    seedingSeconds: Math.round(e.seedingSecondsBase + live.seedingSeconds),
    have: e.have,
    fileStats: e.fileStats,
    fileStatsAt: e.fileStatsAt,
    fileStatsFinal: e.fileStatsFinal,
    totalBytes: e.totalBytes,
    wantedBytes: e.wantedBytes,
    doneBytes: e.doneBytes,
    error: e.error,
    // Every part of the link (ws, so, dht, x.pe, btmh too) survives a restart before the metadata arrives.
    magnetUri: e.meta ? null : e.magnet ? toMagnetUri(e.magnet) : null,
    trackerHosts: trackerHostsOf(e),
    saveVolume: e.saveVolume ?? null,
  });
}

/**
 * A .torrent for metadata fetched over ut_metadata: the info dict exactly as
 * received (so the info hash holds) plus the magnet's trackers and web seeds.
 */
export function torrentFileFromInfo(info: Uint8Array, trackers: readonly string[], webSeeds: readonly string[] = []): Uint8Array {
  // Keys in bencode order around the raw info dict: announce-list < info < url-list.
  const head = trackers.length ? Buffer.from(encode({ 'announce-list': trackers.map((t) => [t]) })).subarray(1, -1) : Buffer.alloc(0);
  const tail = webSeeds.length ? Buffer.from(encode({ 'url-list': [...webSeeds] })).subarray(1, -1) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from('d'), head, Buffer.from('4:info'), Buffer.from(info), tail, Buffer.from('e')]);
}

export function decodeMetainfo(bytes: Uint8Array): Metainfo {
  return parseTorrent(bytes);
}

/** Absolute paths of a torrent's files (null for padding, which is never on disk). */
export function filePaths(e: Entry): (string | null)[] {
  const meta = e.meta;
  if (!meta) return [];
  return meta.files.map((f) => (f.padding ? null : join(e.savePath, ...f.path)));
}

/** Records which pieces are verified and what the files looked like, for the next fast resume. */
export function captureProgress(e: Entry, have: Bitfield, final: boolean): void {
  // Its volume is away: stats now would say the files are missing; the record keeps what it had.
  if (volumeAwayNow(e.volume, e.savePath)) return;
  e.have = have.copy();
  const { at, stats } = captureFileStats(filePaths(e));
  e.fileStats = stats;
  e.fileStatsAt = at;
  e.fileStatsFinal = final;
}

/** What can be trusted from the record and what must be hashed; undefined: hash everything. */
export function resumePlanFor(e: Entry, current: { size: number; mtimeMs: number }[]): ResumePlan | undefined {
  const meta = e.meta;
  if (!meta || !e.have || !e.fileStats || e.have.length !== meta.pieceCount) return undefined;
  return planResume(entryToRecord(e), current, { files: meta.files, pieceLength: meta.pieceLength, pieceCount: meta.pieceCount });
}

/**
 * After a start: true when the saved record still describes the torrent exactly, so writing it
 * again would only cost a write and an fsync: it was taken at a clean stop (final stats), the
 * start trusted it without hashing a piece, and the verified pieces are the recorded ones. A later
 * write to the files moves their mtime past the record's, so a crash after it still rechecks them.
 */
export function recordStillExact(e: Entry, have: Bitfield, plan: ResumePlan | undefined): boolean {
  if (!plan || plan.recheck.length > 0 || !e.fileStatsFinal || !e.have || e.have.length !== have.length) return false;
  const a = e.have.bytes;
  const b = have.bytes;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
