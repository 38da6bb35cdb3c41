import type { Clock } from '../common/clock.js';
import { statFiles } from '../storage/resume/resume-store.js';
import type { ResumePlan } from '../storage/resume/fast-resume.js';
import type { Entry } from './entry.js';
import { filePaths } from './persist.js';
import { filesBack, folderBack, offlineAtStart, probeFolder, probeFolderSync, probeMountSync, saveVolumeOf, volumeGone, type FolderProbe } from './volume.js';

/** How often a running torrent's save folder is stat'ed to notice its volume going away. */
export const RUNNING_CHECK_MS = 2_000;
/** How often an offline torrent's save folder is stat'ed to notice its volume coming back. */
export const OFFLINE_POLL_MS = 5_000;

export interface VolumeWatchHost {
  readonly clock: Clock;
  /** Stops a running torrent whose volume went away: peers stopped, progress kept, no recheck, no record of missing files. */
  takeOffline(entry: Entry): Promise<void>;
  /** Its volume is back: let the queue start it again (the start trusts the record where the files are unchanged). */
  cameBack(entry: Entry): void;
  log(line: string, entry?: Entry): void;
}

/**
 * Notices a torrent's volume disappearing (an unmount, an unplugged drive, a dropped share) and coming back: one
 * stat of each running torrent's save folder every RUNNING_CHECK_MS, and of each offline one every OFFLINE_POLL_MS.
 * Open file handles keep working on a lazily unmounted volume, so waiting for an I/O error is not enough.
 * The timers run only while there is something to watch.
 */
export class VolumeWatch {
  private readonly running = new Set<Entry>();
  private readonly offline = new Set<Entry>();
  /** Came back from offline and not started yet: its start reports how many pieces it rechecked. */
  private readonly returning = new Set<Entry>();
  private runningTimer: NodeJS.Timeout | null = null;
  private offlineTimer: NodeJS.Timeout | null = null;
  private checkingRunning = false;
  private pollingOffline = false;
  /** Pieces hashed by starts after a volume came back (0 when every record was trusted). */
  piecesRecheckedOnReturn = 0;

  constructor(private readonly host: VolumeWatchHost) {}

  /**
   * A torrent started with its data in place: remember its folder's device and watch it, and take its volume for the
   * record (entry.saveVolume; written with the next record: a checkpoint, a stop, the session's shutdown).
   */
  started(entry: Entry, plan: ResumePlan | undefined, pieceCount: number): void {
    if (this.returning.delete(entry)) {
      const rechecked = plan ? plan.recheck.length : pieceCount;
      this.piecesRecheckedOnReturn += rechecked;
      this.host.log(`volume back: resumed with ${rechecked} pieces rechecked`, entry);
    }
    const probe = probeFolderSync(entry.savePath);
    entry.volume = { path: entry.savePath, dev: 'dev' in probe ? probe.dev : null, offline: null };
    this.running.add(entry);
    this.arm();
    this.recordVolume(entry);
  }

  /**
   * A start found its files missing: true when that is because the volume its record saw is not mounted; the
   * torrent is then offline, waiting for the volume like one whose volume went away while it ran.
   */
  offlineAtStart(entry: Entry): boolean {
    const recorded = entry.saveVolume;
    if (!recorded) return false;
    const probe = probeFolderSync(entry.savePath);
    if (!offlineAtStart(recorded, probe, probeMountSync(recorded.mountPoint))) return false;
    entry.volume = { path: entry.savePath, dev: recorded.dev, offline: { since: this.host.clock.now(), devWhileGone: 'dev' in probe ? probe.dev : null } };
    this.offline.add(entry);
    this.arm();
    this.host.log(`volume offline at start: ${entry.savePath} is not on the volume its record saw (mount point ${recorded.mountPoint}); waiting for it to come back`, entry);
    return true;
  }

  /** Takes the save folder's volume for the record; true when it differs from what the record has. */
  private recordVolume(entry: Entry): boolean {
    const now = saveVolumeOf(entry.savePath);
    const had = entry.saveVolume;
    if (now === null || (had && had.dev === now.dev && had.mountPoint === now.mountPoint)) return false;
    entry.saveVolume = now;
    return true;
  }

  /** Stopped or removed: no more polling. Its offline state is dropped with it. */
  forget(entry: Entry): void {
    this.running.delete(entry);
    this.offline.delete(entry);
    this.returning.delete(entry);
    this.arm();
  }

  /**
   * After an I/O error: true when its volume is gone (one stat, now), and the torrent is being taken offline
   * instead of failing.
   */
  goneNow(entry: Entry): boolean {
    const v = entry.volume;
    if (!v || v.offline || v.path !== entry.savePath || !this.running.has(entry)) return false;
    const probe = probeFolderSync(entry.savePath);
    if (!volumeGone(v, probe)) return false;
    void this.goOffline(entry, probe);
    return true;
  }

  private arm(): void {
    if (this.running.size > 0 && !this.runningTimer) {
      this.runningTimer = setInterval(() => void this.checkRunning(), RUNNING_CHECK_MS);
      this.runningTimer.unref();
    } else if (this.running.size === 0 && this.runningTimer) {
      clearInterval(this.runningTimer);
      this.runningTimer = null;
    }
    if (this.offline.size > 0 && !this.offlineTimer) {
      this.offlineTimer = setInterval(() => void this.pollOffline(), OFFLINE_POLL_MS);
      this.offlineTimer.unref();
    } else if (this.offline.size === 0 && this.offlineTimer) {
      clearInterval(this.offlineTimer);
      this.offlineTimer = null;
    }
  }

  private async checkRunning(): Promise<void> {
    if (this.checkingRunning) return;
    this.checkingRunning = true;
    try {
      for (const e of [...this.running]) {
        const v = e.volume;
        if (!v || !e.torrent) continue;
        const probe = await probeFolder(e.savePath);
        if (!this.running.has(e) || e.volume !== v) continue;
        // Moved to another folder, or its folder was only created by the first write: take the device again.
        if (v.path !== e.savePath || v.dev === null) {
          v.path = e.savePath;
          v.dev = 'dev' in probe ? probe.dev : null;
          // Kept with the next record write (a new download writes its progress; a move writes its record).
          this.recordVolume(e);
          continue;
        }
        if (volumeGone(v, probe)) await this.goOffline(e, probe);
      }
    } finally {
      this.checkingRunning = false;
    }
  }

  private async goOffline(entry: Entry, probe: FolderProbe): Promise<void> {
    const v = entry.volume;
    if (!v || v.offline) return;
    v.offline = { since: this.host.clock.now(), devWhileGone: 'dev' in probe ? probe.dev : null };
    this.running.delete(entry);
    this.offline.add(entry);
    this.arm();
    const why = 'dev' in probe ? 'it is on another device now: unmounted' : probe.code;
    this.host.log(`volume offline: ${entry.savePath} (${why}); peers stopped, progress kept, waiting for it to come back`, entry);
    await this.host.takeOffline(entry);
  }

  private async pollOffline(): Promise<void> {
    if (this.pollingOffline) return;
    this.pollingOffline = true;
    try {
      for (const e of [...this.offline]) {
        const v = e.volume;
        if (!v?.offline) {
          this.offline.delete(e);
          continue;
        }
        const probe = await probeFolder(e.savePath);
        if (!folderBack(v, probe)) continue;
        const current = await statFiles(filePaths(e));
        if (!this.offline.has(e) || !filesBack(e.fileStats, current, (i) => e.filePriorities[i] === 'skip')) continue;
        this.offline.delete(e);
        v.offline = null;
        v.dev = 'dev' in probe ? probe.dev : null;
        this.returning.add(e);
        this.host.log(`volume back: ${e.savePath} is mounted again with its files`, e);
        this.host.cameBack(e);
      }
    } finally {
      this.pollingOffline = false;
      this.arm();
    }
  }
}
