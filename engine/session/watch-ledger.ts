import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../storage/resume/atomic-file.js';

/** What the ledger knows of one kept file: the version of it that was added, and as what. */
export interface LedgerEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly infoHash: string;
}

/** At most this many kept files are remembered; the oldest are forgotten first (a folder of thousands is rare). */
const MAX_ENTRIES = 20_000;

/**
 * The watch folders' memory of files they added and left in place ('keep'), by path + size + mtime,
 * in <dataDir>/watch-folders.json: after a restart (or once the torrent was removed from the list) the
 * same file is not added again, while a file replaced under the same name (new mtime) is. Saved
 * atomically after each change; a missing or damaged file is an empty ledger (logged).
 */
export class WatchLedger {
  private readonly path: string;
  private entries = new Map<string, LedgerEntry>();
  private saving: Promise<void> = Promise.resolve();

  constructor(dataDir: string, private readonly log: (line: string) => void) {
    this.path = join(dataDir, 'watch-folders.json');
  }

  async load(): Promise<void> {
    const bytes = await readFileIfExists(this.path).catch((err: Error) => {
      this.log(`watch folders: cannot read ${this.path} (${err.message}); files kept in watch folders may be added again`);
      return null;
    });
    if (!bytes) return;
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
      const files = (parsed as { files?: unknown }).files;
      if (typeof files !== 'object' || files === null) throw new Error('no "files" object');
      for (const [path, v] of Object.entries(files)) {
        const e = v as Partial<LedgerEntry>;
        if (typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.infoHash === 'string') this.entries.set(path, { size: e.size, mtimeMs: e.mtimeMs, infoHash: e.infoHash });
      }
    } catch (err) {
      this.log(`watch folders: ${this.path} is damaged (${(err as Error).message}); starting with an empty list of added files`);
    }
  }

  /** This very version of the file (same size and mtime) was added before. */
  has(path: string, size: number, mtimeMs: number): boolean {
    const e = this.entries.get(path);
    return e !== undefined && e.size === size && e.mtimeMs === mtimeMs;
  }

  remember(path: string, entry: LedgerEntry): Promise<void> {
    this.entries.delete(path);
    this.entries.set(path, entry);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return this.save();
  }

  /** Forgets the files of `folder` that are gone (deleted or renamed by the user). */
  prune(folder: string, present: ReadonlySet<string>): Promise<void> {
    const prefix = folder.endsWith('/') || folder.endsWith('\\') ? folder : `${folder}/`;
    let changed = false;
    for (const path of this.entries.keys()) {
      if ((path.startsWith(prefix) || path.startsWith(`${folder}\\`)) && !present.has(path)) {
        this.entries.delete(path);
        changed = true;
      }
    }
    return changed ? this.save() : Promise.resolve();
  }

  /** Writes are chained, so the last one always carries the newest state. */
  private save(): Promise<void> {
    const json = JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) });
    this.saving = this.saving
      .then(() => writeFileAtomic(this.path, json))
      .catch((err: Error) => this.log(`watch folders: cannot save ${this.path}: ${err.message}`));
    return this.saving;
  }
}
