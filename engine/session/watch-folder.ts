import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddSource, Notice, WatchFolder } from '../api/types.js';
import { LIMITS } from '../api/limits.js';
import { parseMagnet, parseTorrent } from '../metainfo/index.js';
import type { WatchLedger } from './watch-ledger.js';

/** A file must keep its size and mtime this long (across two looks) before it is read: it may still be being written. */
export const STABLE_MS = 1_000;

/** What a watch folder needs from the session. */
export interface WatchHost {
  /** Adds the torrent as the folder says; 'duplicate' when it is already in the list. Rejects on other failures (tried again later). */
  add(source: AddSource, folder: WatchFolder): Promise<'added' | 'duplicate'>;
  notice(notice: Extract<Notice, { type: 'watchFolder' }>): void;
  log(line: string): void;
}

type FileKind = 'torrent' | 'magnet';

/** `.torrent` and `.magnet` files, not hidden ones (editors and downloaders write those first). */
export function watchedKind(name: string): FileKind | null {
  if (name.startsWith('.')) return null;
  const lower = name.toLowerCase();
  if (lower.endsWith('.torrent') && lower.length > '.torrent'.length) return 'torrent';
  if (lower.endsWith('.magnet') && lower.length > '.magnet'.length) return 'magnet';
  return null;
}

/** The first `magnet:` line of a .magnet file. */
function magnetOf(bytes: Uint8Array): string {
  const line = new TextDecoder().decode(bytes).split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
  if (!line || !/^magnet:\?/i.test(line)) throw new Error('its first line is not a magnet: link');
  return line;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** When this size and mtime were first seen (the injected clock). */
  since: number;
}

/**
 * One watch folder, looked at by `scan()` (driven by file-system events and polling, watch-folders.ts):
 * a new file is read once its size and mtime held for STABLE_MS, parsed, added, then kept (and
 * remembered in the ledger), deleted or renamed to `.added`. A file that is not a torrent is renamed
 * to `.invalid` with a notice. A file whose add failed for another reason is tried again at the next look.
 */
export class FolderScanner {
  private readonly seen = new Map<string, Seen>();
  private unreadable: string | null = null;

  constructor(
    readonly folder: WatchFolder,
    private readonly ledger: WatchLedger,
    private readonly host: WatchHost,
    private readonly now: () => number,
  ) {}

  /** One look at the folder; true while a file is still settling (look again in about STABLE_MS). */
  async scan(): Promise<boolean> {
    const dir = this.folder.path;
    let names: string[];
    try {
      names = await readdir(dir);
      this.unreadable = null;
    } catch (err) {
      const message = (err as Error).message;
      // Said once per problem, not at every poll.
      if (this.unreadable !== message) this.host.log(`watch folder ${dir} cannot be read (${message}); looking again at the next poll`);
      this.unreadable = message;
      return false;
    }
    const present = new Set<string>();
    let settling = false;
    for (const name of names) {
      const kind = watchedKind(name);
      if (!kind) continue;
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      present.add(path);
      if (this.ledger.has(path, info.size, info.mtimeMs)) {
        this.seen.delete(path);
        continue;
      }
      const now = this.now();
      const before = this.seen.get(path);
      if (!before || before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
        this.seen.set(path, { size: info.size, mtimeMs: info.mtimeMs, since: now });
        settling = true;
      } else if (now - before.since < STABLE_MS) {
        settling = true;
      } else if (await this.handle(name, path, kind, info.size, info.mtimeMs)) {
        this.seen.delete(path);
      }
    }
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
    await this.ledger.prune(dir, present);
    return settling;
  }

  /** Reads, adds and disposes of one stable file; false when it should be tried again later. */
  private async handle(name: string, path: string, kind: FileKind, size: number, mtimeMs: number): Promise<boolean> {
    const max = kind === 'torrent' ? LIMITS.maxTorrentBytes : LIMITS.maxMagnetLength;
    let bytes: Uint8Array | null = null;
    if (size <= max) {
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (err) {
        // Gone or unreadable for now (moved away, permissions being set): not the file's fault.
        this.host.log(`watch folder: cannot read ${path} (${(err as Error).message}); trying again at the next look`);
        return false;
      }
    }
    let source: AddSource;
    let infoHash: string;
    try {
      if (!bytes) throw new Error(`it is ${size} bytes, more than the ${max} a ${kind === 'torrent' ? '.torrent' : '.magnet'} file may have`);
      if (kind === 'torrent') {
        infoHash = parseTorrent(bytes).infoHashHex;
        source = { kind: 'torrent', data: bytes };
      } else {
        const uri = magnetOf(bytes);
        infoHash = parseMagnet(uri).infoHashHex;
        source = { kind: 'magnet', uri };
      }
    } catch (err) {
      await this.setAside(name, path, size, mtimeMs, (err as Error).message);
      return true;
    }
    let outcome: 'added' | 'duplicate';
    try {
      outcome = await this.host.add(source, this.folder);
    } catch (err) {
      this.host.log(`watch folder: could not add ${path}: ${(err as Error).message}; trying again at the next look`);
      return false;
    }
    const dir = this.folder.path;
    this.host.notice({
      type: 'watchFolder',
      outcome,
      folder: dir,
      file: name,
      message: outcome === 'added' ? `Added "${name}" from the watch folder ${dir}` : `"${name}" in the watch folder ${dir} is already in the list; not added again`,
    });
    await this.dispose(path, size, mtimeMs, infoHash);
    return true;
  }

  /** What the folder says to do with an added file; when that fails, the ledger keeps it from being added again. */
  private async dispose(path: string, size: number, mtimeMs: number, infoHash: string): Promise<void> {
    const action = this.folder.afterAdd;
    try {
      if (action === 'delete') await unlink(path);
      else if (action === 'rename') await rename(path, `${path}.added`);
    } catch (err) {
      this.host.log(`watch folder: could not ${action} ${path} (${(err as Error).message}); it stays and is not added again`);
      await this.ledger.remember(path, { size, mtimeMs, infoHash });
      return;
    }
    if (action === 'keep') await this.ledger.remember(path, { size, mtimeMs, infoHash });
  }

  private async setAside(name: string, path: string, size: number, mtimeMs: number, reason: string): Promise<void> {
    const dir = this.folder.path;
    const kindWord = watchedKind(name) === 'magnet' ? 'magnet file' : 'torrent file';
    let where: string;
    try {
      await rename(path, `${path}.invalid`);
      where = `it was renamed to ${name}.invalid; put a good copy in the folder to add it`;
    } catch (err) {
      // Not renamed (a read-only share): remembered so it is not read again at every poll.
      await this.ledger.remember(path, { size, mtimeMs, infoHash: '' });
      where = `it could not be renamed (${(err as Error).message}) and is ignored until it changes; replace it with a good copy`;
    }
    const message = `"${name}" in the watch folder ${dir} is not a valid ${kindWord} (${reason}); ${where}.`;
    this.host.log(message);
    this.host.notice({ type: 'watchFolder', outcome: 'invalid', folder: dir, file: name, message });
  }
}
