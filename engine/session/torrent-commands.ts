import type { Command, FilePriority } from '../api/types.js';
import { parseMagnet, parseTorrent, type Metainfo } from '../metainfo/index.js';
import { moveStorage as moveFiles } from '../storage/move.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import { ApiError, asApiError, parsePeer } from './api-error.js';
import type { Entry } from './entry.js';
import { applyPriorities, fillFromMeta, offlineStorage, updateDone } from './entry-files.js';
import { captureProgress, entryToRecord, newEntry } from './persist.js';
import type { TorrentRunner } from './torrent-runner.js';

/** The commands that work on one torrent's files and record, with what they need of the session. */
export interface TorrentCommandDeps {
  readonly runner: TorrentRunner;
  readonly store: ResumeData;
  touch(entry: Entry): void;
  applyQueue(): void;
  /** Only the UI's row changed (move progress): the next batch carries it. */
  show?(entry: Entry): void;
}

/** Commands whose change is saved state: their reply waits until the records they changed are on disk. */
export const CHANGES_RECORDS: ReadonlySet<Command['type']> = new Set([
  'add', 'pause', 'resume', 'forceStart', 'queueMove', 'setFilePriority', 'setTorrentOptions', 'renameFile', 'moveStorage', 'recheck',
  'setCategory', 'setTags',
] satisfies Command['type'][]);

/**
 * The entry an `add` command describes (not in the session yet); throws on a bad source or file
 * list, or when `assertNew` throws for its id (already in the list).
 */
export function entryToAdd(cmd: Extract<Command, { type: 'add' }>, assertNew: (id: string) => void, defaultSavePath: string, position: number): Entry {
  let meta: Metainfo | null = null;
  let magnetUri: string | null = null;
  let id: string;
  let name: string;
  if (cmd.source.kind === 'torrent') {
    meta = parseTorrent(cmd.source.data);
    id = meta.infoHashHex;
    name = meta.name;
  } else {
    const magnet = parseMagnet(cmd.source.uri);
    magnetUri = cmd.source.uri;
    id = magnet.infoHashHex;
    name = magnet.name ?? magnet.infoHashHex;
  }
  assertNew(id);
  const entry = newEntry({
    id,
    name,
    meta,
    magnetUri,
    savePath: cmd.savePath ?? defaultSavePath,
    addedAt: Date.now(),
    position,
    paused: cmd.paused === true,
    filePriorities: cmd.filePriorities,
  });
  if (meta && cmd.filePriorities && cmd.filePriorities.length !== meta.files.length) {
    throw new ApiError('InvalidCommand', `filePriorities has ${cmd.filePriorities.length} entries; the torrent has ${meta.files.length} files`);
  }
  if (meta) fillFromMeta(entry, meta);
  else if (cmd.stopAfterMetadata) entry.metadataStop = 'armed';
  return entry;
}

/** Hashes everything on disk again: a running torrent restarts with a full check, a stopped one is verified in place. */
export async function recheck(entry: Entry, deps: TorrentCommandDeps): Promise<void> {
  entry.fullRecheck = true;
  entry.error = null;
  if (entry.torrent) {
    await deps.runner.deactivate(entry);
    deps.applyQueue();
    return;
  }
  if (!entry.meta) await deps.runner.loadMeta(entry);
  if (!entry.meta) return;
  entry.checkingOffline = true;
  deps.touch(entry);
  const storage = await offlineStorage(entry);
  try {
    captureProgress(entry, await storage.verify(), true);
    entry.fullRecheck = false;
    updateDone(entry);
  } catch (err) {
    entry.error = (err as Error).message;
  } finally {
    storage.close();
    entry.checkingOffline = false;
    deps.touch(entry);
    deps.store.save(entryToRecord(entry));
  }
  deps.applyQueue();
}

/** Renames one file on disk (running or not) and remembers the new path in the record. */
export async function renameFile(entry: Entry, file: number, newPath: string, deps: TorrentCommandDeps): Promise<void> {
  if (!entry.meta) await deps.runner.loadMeta(entry);
  const meta = entry.meta;
  if (!meta) throw new ApiError('Conflict', 'the metadata is not known yet; try again once it has arrived');
  if (file >= meta.files.length) throw new ApiError('InvalidCommand', `file ${file} does not exist`);
  const parts = newPath.split('/').filter((p) => p !== '');
  const components = meta.multiFile ? [meta.files[0].path[0], ...parts] : parts;
  const storage = entry.torrent?.storage ?? (await offlineStorage(entry));
  try {
    await storage.renameFile(file, components);
  } catch (err) {
    if (!entry.torrent) storage.close();
    throw asApiError(err);
  }
  meta.files[file].path = components;
  if (!entry.torrent) storage.close();
  entry.fileRenames = [...entry.fileRenames.filter((r) => r.file !== file), { file, path: components }];
  if (entry.have) captureProgress(entry, entry.have, !entry.torrent);
  deps.store.save(entryToRecord(entry));
}

/** Moves the files to another folder (the torrent stops meanwhile and is started again by the queue). */
export async function moveStorage(entry: Entry, savePath: string, deps: TorrentCommandDeps): Promise<void> {
  if (!entry.meta) await deps.runner.loadMeta(entry);
  const wasRunning = entry.torrent !== null;
  await deps.runner.deactivate(entry);
  const commit = async (): Promise<void> => {
    // The record must name the new folder before the old files go: a crash after this point resumes there.
    entry.savePath = savePath;
    if (entry.have && entry.meta) captureProgress(entry, entry.have, true);
    deps.store.save(entryToRecord(entry));
    await deps.store.flush();
  };
  if (entry.meta) {
    const storage = await offlineStorage(entry);
    entry.moving = { to: savePath, done: 0, total: 0 };
    deps.show?.(entry);
    const progress = (done: number, total: number): void => {
      entry.moving = { to: savePath, done, total };
      deps.show?.(entry);
    };
    try {
      await moveFiles(storage, savePath, progress, { onCommit: commit });
    } catch (err) {
      throw asApiError(err);
    } finally {
      entry.moving = null;
      storage.close();
    }
  } else {
    await commit();
  }
  deps.touch(entry);
  if (wasRunning) deps.applyQueue();
}

/** `addPeers`: the peers are remembered for the torrent's next start and given to the running swarm or metadata fetch. */
export function addPeers(e: Entry, peers: readonly string[]): { added: number } {
  const parsed = peers.map(parsePeer);
  e.extraPeers.push(...parsed);
  e.torrent?.addPeers(parsed, 'the user');
  e.fetch?.addPeers(parsed);
  return { added: parsed.length };
}

/** `setFilePriority`: throws before changing anything when a file index does not exist. */
export function setFilePriority(e: Entry, files: readonly number[], priority: FilePriority): void {
  const count = e.meta ? e.meta.files.length : e.filePriorities.length;
  for (const f of files) if (f >= count) throw new ApiError('InvalidCommand', `file ${f} does not exist (the torrent has ${count})`);
  for (const f of files) e.filePriorities[f] = priority;
  applyPriorities(e);
}
