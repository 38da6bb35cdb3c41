/**
 * Where the session keeps what must survive a restart:
 *
 *   <dir>/settings.json              the Settings, as JSON (validated by engine/api, not here)
 *   <dir>/torrents/<id>.torrent      metainfo bytes, written once
 *   <dir>/torrents/<id>.resume       the ResumeRecord (resume-record.ts), rewritten as it changes
 *
 * Every file is replaced atomically (atomic-file.ts), so after any crash each is
 * either its previous or its next complete version.
 *
 * ## One file per torrent, not one file for the session
 * A busy seeding session changes some torrents' totals every few seconds. With
 * one combined file each flush would rewrite every record (10,000 torrents with
 * their bitfields are megabytes) to change a few counters: write amplification
 * grows with what exists, not with what changed, and one damaged file would cost
 * every torrent. With a file per torrent a flush rewrites only the records that
 * changed (one write + fsync each, one directory fsync per flush), a damaged
 * record costs one torrent (and even then its .torrent survives: it is reported
 * in `orphans` for the session to re-add and recheck), and a removed torrent is
 * two unlinks. The price is 10,000 small reads at start, done in parallel
 * (see loadAll and its timing test: well under a second). This is also what
 * libtorrent-based clients (qBittorrent's BT_backup) and Transmission do.
 *
 * Saves are coalesced: `save(record)` only remembers the newest record per
 * torrent; `flush()` writes what changed since the last flush. The session calls
 * flush every few seconds and on shutdown; between flushes at most one record
 * per torrent is pending, whatever the rate of changes.
 */
import { close, mkdirSync, open as openCb, read as readCb, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../../api/types.js';
import {
  isTempName,
  readFileIfExists,
  removeFileIfExists,
  syncDirectory,
  syncDirectorySync,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-file.js';
import { decodeResumeRecord, encodeResumeRecord, isTorrentId, magnetForId, type FileStat, type ResumeRecord } from './resume-record.js';
import type { ResumeData } from './resume-data.js';

export interface ResumeStoreOptions {
  /**
   * How loadAll reads the records. 'batched' (default): blocking reads in batches of
   * 256, yielding to the event loop between batches; measured 2-3x less CPU and
   * faster than 'parallel' with a warm page cache (the usual case). 'parallel':
   * `readConcurrency` reads in flight; better on a cold cache of a slow disk, where
   * the device can serve many reads at once.
   */
  readonly readMode?: 'batched' | 'parallel';
  /** Parallel file reads in loadAll's 'parallel' mode (default 32). */
  readonly readConcurrency?: number;
  /** Parallel record writes in flush (default 8: each one fsyncs). */
  readonly writeConcurrency?: number;
  /** Told about anything unexpected that did not stop the operation (for the log). */
  readonly onProblem?: (message: string) => void;
}

export interface LoadResult {
  /** Valid records, by queue position then time added. */
  readonly records: ResumeRecord[];
  /** One line per file that was skipped, repaired or cleaned up. */
  readonly problems: string[];
  /** Ids with a .torrent but no valid record (crash during add, or a damaged record): re-add and recheck them. */
  readonly orphans: string[];
}

export interface FlushResult {
  readonly written: number;
  /** Ids whose record could not be written (kept dirty for the next flush). */
  readonly failed: string[];
}

const RESUME_EXT = '.resume';
/** Records read per event-loop turn in 'batched' mode (about 10 ms of work). */
const SYNC_BATCH = 256;
const TORRENT_EXT = '.torrent';

/**
 * Reads a file expected to be small into `scratch` with one open, one read and
 * one close (fs.promises.readFile costs about three times as much per file, which
 * dominates loading 10,000 records); a file that fills `scratch` is re-read whole.
 */
function readSmall(path: string, scratch: Buffer): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    openCb(path, 'r', (err, fd) => {
      if (err) return reject(err);
      readCb(fd, scratch, 0, scratch.length, 0, (readErr, n) => {
        close(fd, () => undefined);
        if (readErr) reject(readErr);
        else if (n < scratch.length) resolve(Buffer.from(scratch.subarray(0, n)));
        else readFile(path).then(resolve, reject);
      });
    });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(err);
}

export class ResumeStore implements ResumeData {
  readonly torrentsDir: string;
  readonly settingsPath: string;
  private readonly readMode: 'batched' | 'parallel';
  private readonly readConcurrency: number;
  private readonly writeConcurrency: number;
  private readonly onProblem: (message: string) => void;
  /** Newest unsaved record per torrent. */
  private readonly dirty = new Map<string, ResumeRecord>();
  /** Records a running flush is writing (for flushSync). */
  private readonly inFlight = new Map<string, ResumeRecord>();
  /** Every operation on the torrents folder runs in this order, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private settingsQueue: Promise<unknown> = Promise.resolve();
  private dirReady: Promise<void> | null = null;

  constructor(readonly dir: string, opts: ResumeStoreOptions = {}) {
    this.torrentsDir = join(dir, 'torrents');
    this.settingsPath = join(dir, 'settings.json');
    this.readMode = opts.readMode ?? 'batched';
    this.readConcurrency = opts.readConcurrency ?? 32;
    this.writeConcurrency = opts.writeConcurrency ?? 8;
    this.onProblem = opts.onProblem ?? (() => undefined);
  }

  resumePath(id: string): string {
    return join(this.torrentsDir, `${checkedId(id)}${RESUME_EXT}`);
  }

  metainfoPath(id: string): string {
    return join(this.torrentsDir, `${checkedId(id)}${TORRENT_EXT}`);
  }

  /** Records waiting for the next flush. */
  get pendingCount(): number {
    return this.dirty.size;
  }

  /** Remembers the newest record of a torrent; `flush()` writes it. Cheap: call on every change. */
  save(record: ResumeRecord): void {
    checkedId(record.id);
    this.dirty.set(record.id, record);
  }

  /** Writes the metainfo (atomically, durable when it resolves). Call before the first save of a torrent. */
  saveMetainfo(id: string, bytes: Uint8Array): Promise<void> {
    const path = this.metainfoPath(id);
    return this.enqueue(async () => {
      await this.ensureDir();
      await writeFileAtomic(path, bytes);
    });
  }

  /** The metainfo bytes, or null when there are none (magnet without metadata, or lost). */
  async loadMetainfo(id: string): Promise<Uint8Array | null> {
    return readFileIfExists(this.metainfoPath(id));
  }

  /** Writes every record saved since the last flush. Never rejects; failures stay dirty and are reported. */
  flush(): Promise<FlushResult> {
    return this.enqueue(() => this.flushNow());
  }

  /**
   * Blocking flush for the very end of the process (an 'exit' handler, where no
   * promise will settle again). Writes what is dirty and what a running flush had
   * not finished. Prefer `await flush()` whenever the event loop still runs.
   */
  flushSync(): FlushResult {
    const todo = new Map([...this.inFlight, ...this.dirty]);
    this.dirty.clear();
    let written = 0;
    const failed: string[] = [];
    if (todo.size > 0) {
      try {
        ensureDirSync(this.torrentsDir);
      } catch (err) {
        this.onProblem(`cannot create ${this.torrentsDir}: ${errorText(err)}`);
      }
    }
    for (const [id, record] of todo) {
      const text = this.encodeChecked(record);
      if (text === null) continue;
      try {
        writeFileAtomicSync(this.resumePath(id), text, { syncDir: false });
        written++;
      } catch (err) {
        failed.push(id);
        this.onProblem(`saving resume data for ${id} failed: ${errorText(err)}`);
      }
    }
    if (written > 0) syncDirectorySync(this.torrentsDir);
    return { written, failed };
  }

  /** Deletes a torrent's record and metainfo (after any flush already running). */
  remove(id: string): Promise<void> {
    checkedId(id);
    this.dirty.delete(id);
    return this.enqueue(async () => {
      const a = await removeFileIfExists(this.resumePath(id));
      const b = await removeFileIfExists(this.metainfoPath(id));
      if (a || b) await syncDirectory(this.torrentsDir);
    });
  }

  /**
   * Reads every record (see ResumeStoreOptions.readMode). Cleans up temp files a crash left behind,
   * moves damaged records aside (`<id>.resume.corrupt`) and reports them; never
   * rejects because of one bad file. Call once at start, before saving.
   */
  async loadAll(): Promise<LoadResult> {
    const problems: string[] = [];
    let names: string[];
    try {
      names = await readdir(this.torrentsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems, orphans: [] };
      throw err;
    }
    const resumeIds: string[] = [];
    const metainfoIds = new Set<string>();
    const temps: string[] = [];
    for (const name of names) {
      if (isTempName(name)) temps.push(name);
      else if (name.endsWith(RESUME_EXT) && isTorrentId(name.slice(0, -RESUME_EXT.length))) resumeIds.push(name.slice(0, -RESUME_EXT.length));
      else if (name.endsWith(TORRENT_EXT) && isTorrentId(name.slice(0, -TORRENT_EXT.length))) metainfoIds.add(name.slice(0, -TORRENT_EXT.length));
    }

    const records: ResumeRecord[] = [];
    const valid = new Set<string>();
    const corrupt: string[] = [];
    const accept = (id: string, path: string, bytes: Uint8Array): void => {
      const { record, reason } = decodeResumeRecord(bytes);
      if (record === null || record.id !== id) {
        const why = record === null ? reason : `record is for ${record.id}`;
        problems.push(`${id}: damaged resume data (${why}); kept as ${id}${RESUME_EXT}.corrupt`);
        corrupt.push(path);
        return;
      }
      valid.add(id);
      const hasMeta = metainfoIds.has(id);
      if (!hasMeta && record.magnetUri === null) {
        problems.push(`${id}: metainfo file missing; its metadata will be fetched from peers`);
        records.push({ ...record, magnetUri: magnetForId(id, record.name) });
      } else if (hasMeta && record.magnetUri !== null) {
        // Crash between saving the fetched metadata and saving the record: the metadata is known.
        records.push({ ...record, magnetUri: null });
      } else records.push(record);
    };
    const unreadable = (id: string, err: unknown): void => {
      problems.push(`${id}: cannot read resume data (${errorText(err)})`);
    };

    if (this.readMode === 'batched') {
      for (let i = 0; i < resumeIds.length; i++) {
        if (i > 0 && i % SYNC_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
        const id = resumeIds[i];
        const path = join(this.torrentsDir, id + RESUME_EXT);
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(path);
        } catch (err) {
          unreadable(id, err);
          continue;
        }
        accept(id, path, bytes);
      }
    } else {
      const scratch: Buffer[] = [];
      await forEachLimit(resumeIds, this.readConcurrency, async (id) => {
        const path = join(this.torrentsDir, id + RESUME_EXT);
        const buf = scratch.pop() ?? Buffer.allocUnsafe(64 * 1024);
        try {
          accept(id, path, await readSmall(path, buf));
        } catch (err) {
          unreadable(id, err);
        } finally {
          scratch.push(buf);
        }
      });
    }
    for (const path of corrupt) await rename(path, `${path}.corrupt`).catch(() => undefined);

    await forEachLimit(temps, this.readConcurrency, async (name) => {
      await unlink(join(this.torrentsDir, name)).catch(() => undefined);
    });
    if (temps.length > 0) problems.push(`removed ${temps.length} unfinished temporary file(s) left by a crash`);

    const orphans = [...metainfoIds].filter((id) => !valid.has(id)).sort();
    for (const id of orphans) problems.push(`${id}: metainfo without resume data; re-add it`);
    records.sort((a, b) => a.queuePosition - b.queuePosition || a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1));
    for (const p of problems) this.onProblem(p);
    return { records, problems, orphans };
  }

  /** The stored settings as parsed JSON, or undefined when there are none (or they were damaged: see onProblem). */
  async loadSettings(): Promise<unknown> {
    await this.removeTemps(this.dir, 'settings.json');
    const bytes = await readFileIfExists(this.settingsPath);
    if (bytes === null) return undefined;
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    } catch {
      const aside = `${this.settingsPath}.corrupt`;
      await rename(this.settingsPath, aside).catch(() => undefined);
      this.onProblem(`settings file damaged; kept as ${aside}, using defaults`);
      return undefined;
    }
  }

  /** Writes the settings atomically; concurrent calls land in call order. */
  saveSettings(settings: Readonly<Settings>): Promise<void> {
    const text = `${JSON.stringify(settings, null, 2)}\n`;
    const run = this.settingsQueue.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.settingsPath, text);
    });
    this.settingsQueue = run.catch(() => undefined);
    return run;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ensureDir(): Promise<void> {
    if (!this.dirReady) {
      this.dirReady = mkdir(this.torrentsDir, { recursive: true }).then(() => undefined);
      this.dirReady.catch(() => {
        this.dirReady = null;
      });
    }
    return this.dirReady;
  }

  /** The record's text, or null (reported) when it would not decode again: the older file is kept. */
  private encodeChecked(record: ResumeRecord): string | null {
    const text = encodeResumeRecord(record);
    const { reason } = decodeResumeRecord(text);
    if (reason === null) return text;
    this.onProblem(`not saving invalid resume data for ${record.id}: ${reason}`);
    return null;
  }

  private async flushNow(): Promise<FlushResult> {
    if (this.dirty.size === 0) return { written: 0, failed: [] };
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const [id, r] of batch) this.inFlight.set(id, r);
    let written = 0;
    const failed: string[] = [];
    try {
      await this.ensureDir();
      await forEachLimit(batch, this.writeConcurrency, async ([id, record]) => {
        const text = this.encodeChecked(record);
        if (text !== null) {
          try {
            await writeFileAtomic(this.resumePath(id), text, { syncDir: false });
            written++;
          } catch (err) {
            failed.push(id);
            this.onProblem(`saving resume data for ${id} failed: ${errorText(err)}`);
            if (!this.dirty.has(id)) this.dirty.set(id, record);
          }
        }
        this.inFlight.delete(id);
      });
      if (written > 0) await syncDirectory(this.torrentsDir);
    } catch (err) {
      // The folder itself is unusable (e.g. permissions): keep everything for the next try.
      for (const [id, r] of batch) {
        if (!this.dirty.has(id)) this.dirty.set(id, r);
        if (!failed.includes(id)) failed.push(id);
      }
      this.onProblem(`saving resume data failed: ${errorText(err)}`);
    } finally {
      this.inFlight.clear();
    }
    return { written, failed };
  }

  private async removeTemps(dir: string, prefix: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && isTempName(name)) await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

function checkedId(id: string): string {
  if (!isTorrentId(id)) throw new TypeError(`not a torrent id: ${JSON.stringify(id)}`);
  return id;
}

function ensureDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// File stats for fast resume (see fast-resume.ts for the capture rules)

const MISSING: FileStat = { size: -1, mtimeMs: 0 };

function toStat(s: { isFile(): boolean; size: number; mtimeMs: number } | undefined): FileStat {
  return s && s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : MISSING;
}

/**
 * Captures file stats for a resume record, synchronously so that no piece write
 * can complete in between. `paths[i]` null: skip file i (padding, or a write in
 * flight), recorded as null. `at` is taken before the first stat.
 */
export function captureFileStats(paths: readonly (string | null)[]): { at: number; stats: (FileStat | null)[] } {
  const at = Date.now();
  const stats = paths.map((p) => {
    if (p === null) return null;
    try {
      return toStat(statSync(p, { throwIfNoEntry: false }));
    } catch {
      return MISSING;
    }
  });
  return { at, stats };
}

/** Current stats of a torrent's files for planResume (size -1: missing; null paths count as missing). */
export async function statFiles(paths: readonly (string | null)[], concurrency = 32): Promise<FileStat[]> {
  const out: FileStat[] = new Array<FileStat>(paths.length).fill(MISSING);
  const indexes = paths.map((_, i) => i);
  await forEachLimit(indexes, concurrency, async (i) => {
    const p = paths[i];
    if (p === null) return;
    try {
      out[i] = toStat(await stat(p));
    } catch {
      out[i] = MISSING;
    }
  });
  return out;
}

