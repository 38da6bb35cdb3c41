import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { WatchFolder } from '../api/types.js';
import { FolderScanner, STABLE_MS, type WatchHost } from './watch-folder.js';
import { WatchLedger } from './watch-ledger.js';

/**
 * Every folder is polled (network shares and some file systems send no events, and fs.watch can fail
 * or stop without a word); events only make a new file show up sooner.
 */
export const POLL_MS = 5_000;
/** Events come in bursts while a file is written: one look a moment after the first. */
const EVENT_DELAY_MS = 200;

export interface WatchFoldersOptions {
  readonly dataDir: string;
  readonly host: WatchHost;
  /** Tests: a short poll, and events off to prove polling alone finds files. */
  readonly pollMs?: number;
  readonly fsEvents?: boolean;
  readonly now?: () => number;
}

/** The session's watch folders: started, changed and stopped as the settings say (see FolderScanner for one folder). */
export class WatchFolders {
  private readonly running = new Map<string, RunningFolder>();
  private readonly ledger: WatchLedger;
  private closed = false;

  constructor(private readonly opts: WatchFoldersOptions) {
    this.ledger = new WatchLedger(opts.dataDir, (line) => opts.host.log(line));
  }

  async load(): Promise<void> {
    await this.ledger.load();
  }

  /** Watches exactly these folders: new ones start (created when missing), changed ones restart, dropped ones stop. */
  async apply(folders: readonly WatchFolder[]): Promise<void> {
    if (this.closed) return;
    const wanted = new Map(folders.map((f) => [f.path, f]));
    for (const [path, r] of this.running) {
      const next = wanted.get(path);
      if (!next || JSON.stringify(next) !== JSON.stringify(r.folder)) {
        r.stop();
        this.running.delete(path);
      }
    }
    for (const folder of folders) {
      if (this.running.has(folder.path)) continue;
      await mkdir(folder.path, { recursive: true }).catch((err: Error) => this.opts.host.log(`watch folder ${folder.path} cannot be created (${err.message}); it is polled until it exists`));
      const scanner = new FolderScanner(folder, this.ledger, this.opts.host, this.opts.now ?? Date.now);
      const r = new RunningFolder(folder, scanner, this.opts.pollMs ?? POLL_MS, this.opts.fsEvents ?? true, (line) => this.opts.host.log(line));
      this.running.set(folder.path, r);
      r.start();
    }
  }

  /** Stops every folder; a look under way finishes. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()].map((r) => r.stop()));
    this.running.clear();
  }
}

/** One folder's clock: a look now, again after events, STABLE_MS while files settle, else every poll. */
class RunningFolder {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private due = Infinity;
  private scanning: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** fs.watch failed because the folder did not exist yet: try again after each look. */
  private watchLater = false;

  constructor(
    readonly folder: WatchFolder,
    private readonly scanner: FolderScanner,
    private readonly pollMs: number,
    private readonly fsEvents: boolean,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    if (this.fsEvents) this.openWatcher();
    this.lookIn(0);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.scanning ?? Promise.resolve();
  }

  private openWatcher(): void {
    try {
      const w = watch(this.folder.path, { persistent: false }, () => this.lookIn(EVENT_DELAY_MS));
      w.on('error', (err) => {
        this.log(`watch folder ${this.folder.path}: file-system events stopped (${err.message}); polling every ${this.pollMs / 1000} s`);
        w.close();
        if (this.watcher === w) this.watcher = null;
      });
      this.watcher = w;
      this.watchLater = false;
    } catch (err) {
      // Missing folder, no inotify watches left, an unsupported file system: polling still finds files.
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (!this.watchLater) this.log(`watch folder ${this.folder.path}: no file-system events (${(err as Error).message}); polling every ${this.pollMs / 1000} s`);
      this.watchLater = missing;
    }
  }

  /** A look in `ms` at the latest (an earlier one already due is kept). */
  private lookIn(ms: number): void {
    if (this.stopped) return;
    const due = Date.now() + ms;
    if (this.timer && this.due <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.due = Infinity;
      this.look();
    }, ms);
    this.timer.unref();
  }

  private look(): void {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.scanner
      .scan()
      .catch((err: Error) => {
        this.log(`watch folder ${this.folder.path}: ${err.stack ?? err.message}`);
        return false;
      })
      .then((settling) => {
        this.scanning = null;
        if (this.stopped) return;
        // A folder that could not be watched (it did not exist yet) gets its events once it does.
        if (this.watchLater) this.openWatcher();
        const again = this.again;
        this.again = false;
        this.lookIn(again ? 0 : settling ? STABLE_MS : this.pollMs);
      });
  }
}
