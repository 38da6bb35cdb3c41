import { statfs } from 'node:fs/promises';
import { systemClock, type Clock } from '../common/clock.js';
import { InputError } from '../common/errors.js';
import type {
  ApiErrorShape,
  Command,
  EngineEvent,
  FilePriority,
  GlobalStats,
  Reply,
  Request,
  ResultOf,
  Settings,
  TorrentInfo,
} from '../api/types.js';
import { parseMagnet, parseTorrent, toMagnetUri, type Metainfo } from '../metainfo/index.js';
import { Client } from './client.js';
import { decideQueue, moveInQueue } from './queue.js';
import { summarize, type Entry } from './entry.js';
import { StateStream, StreamView } from './stream.js';
import { fileList, inspectSource } from './inspect.js';
import { SessionDht } from './dht.js';
import { LocalDiscovery } from '../net/lsd.js';
import { dirname, join } from 'node:path';
import { moveStorage } from '../storage/move.js';
import { StorageError } from '../storage/storage.js';
import { PathEscapeError } from '../storage/layout.js';
import { piecePrioritiesFor, wantedBytes, fileProgress } from '../torrent/file-priorities.js';
import { roundForWire } from '../api/diff.js';
import { DEFAULT_SETTINGS } from '../api/validate.js';
import { captureProgress, decodeMetainfo, entryFromRecord, entryToRecord, filePaths, newEntry, recordStillExact, resumePlanFor, torrentFileFromInfo } from './persist.js';
import { ResumeStore, statFiles } from './resume-store.js';
import { MTIME_SLACK_MS, needsRecapture } from './fast-resume.js';
import { mergeSettings, parseRequest, validateSettingsPatch } from '../api/validate.js';

export class ApiError extends Error {
  constructor(override readonly name: 'NotFound' | 'Conflict' | 'InvalidCommand' | 'Failed', message: string) {
    super(message);
  }
}

export interface SessionOptions {
  /** Where settings and resume data live. */
  readonly dataDir: string;
  /** Used when the settings name no download folder. */
  readonly defaultDownloadDir: string;
  /** The default event stream (worker, CLI). Absent: only streams opened with openStream (the daemon's clients). */
  readonly onEvent?: (event: EngineEvent) => void;
  readonly clock?: Clock;
  readonly listenHost?: string;
  /** Overrides the listening port from the settings (e.g. the CLI's --port). */
  readonly listenPort?: number;
  readonly batchIntervalMs?: number;
  /**
   * Join the Mainline DHT through these nodes (when the dht setting is on). Absent: no DHT. The
   * host decides: the app passes the public routers, tests pass loopback nodes only.
   */
  readonly dht?: { readonly bootstrap: readonly { host: string; port: number }[]; readonly maxNodesPerIp?: number };
  /** Local service discovery (BEP 14, multicast on the LAN) when the lsd setting is on. Absent: off (tests). */
  readonly lsd?: { readonly bindHost?: string };
  /** Log lines; `torrent` names the torrent a line is about. */
  readonly log?: (line: string, torrent?: string) => void;
}

const FLUSH_INTERVAL_MS = 5_000;
/**
 * While nothing moves (no row or counter changed, every running torrent an idle seed without
 * peers), the session ticks this often instead of at the batch rate: each timer wakeup of an idle
 * process costs about 0.3 ms of CPU on a small VM, so four a second were most of an idle session's
 * cost. Any change (touch) brings the batch rate back at once; a peer arriving at an idle seed is
 * seen within this interval.
 */
const QUIET_TICK_MS = 1_000;
/** An idle running torrent's record (seeding time) is refreshed this often. */
const RECORD_REFRESH_MS = 10 * 60_000;

/** Many torrents: the queue, limits, persistence, and the protocol's state stream. */
export class Session {
  private readonly clock: Clock;
  private readonly client: Client;
  private readonly entries = new Map<string, Entry>();
  private settings: Settings;
  private batchTimer: NodeJS.Timeout | null = null;
  /** The timer runs at QUIET_TICK_MS (see there). */
  private quiet = false;
  private lastFlush = 0;
  private readonly stream = new StateStream();
  private readonly defaultView: StreamView | null;
  /** Entries with a live torrent or metadata fetch: the only ones whose rates and rows move by themselves. */
  private readonly running = new Set<Entry>();
  /** Entries touched since the last batch. Work per batch grows with these two sets, not with the list. */
  private readonly changed = new Set<Entry>();
  /** Entries the next checkpoint must look at besides the running ones (touched, stopped, stats to re-capture). */
  private readonly unsaved = new Set<Entry>();
  /** Sum of the totals of earlier runs; recomputed only when one of them changes. */
  private baseTotals: { down: number; up: number } | null = null;
  private freeDisk = 0;
  private closed = false;
  private queueDirty = true;
  private readonly store: ResumeStore;
  private readonly dht: SessionDht;
  private readonly lsd: LocalDiscovery;

  private constructor(private readonly opts: SessionOptions, settings: Settings) {
    this.clock = opts.clock ?? systemClock;
    this.settings = settings;
    this.defaultView = opts.onEvent ? this.stream.open(opts.onEvent) : null;
    this.dht = new SessionDht(join(opts.dataDir, 'dht.json'), (line) => this.log(line));
    this.lsd = new LocalDiscovery({
      listenPort: () => this.client.port,
      bindHost: opts.lsd?.bindHost,
      clock: this.clock,
      log: (line) => this.log(`lsd: ${line}`),
      onPeer: (infoHash, host, port) => {
        const e = this.entries.get(infoHash);
        e?.torrent?.addPeers([{ host, port }], 'lsd');
        e?.fetch?.addPeers([{ host, port }]);
      },
    });
    this.store = new ResumeStore(opts.dataDir, { onProblem: (m) => this.log(`resume data: ${m}`) });
    this.client = new Client({
      port: opts.listenPort ?? settings.listenPort,
      host: opts.listenHost ?? '0.0.0.0',
      clock: this.clock,
      encryption: settings.encryption,
      log: (line) => this.log(line),
    });
  }

  static async open(opts: SessionOptions): Promise<Session> {
    const probe = new ResumeStore(opts.dataDir);
    const stored = await probe.loadSettings();
    let settings: Settings = { ...DEFAULT_SETTINGS };
    let settingsProblem: string | null = null;
    if (stored !== null && stored !== undefined) {
      // A patch over the defaults: a file from an older version (fewer keys) keeps its values.
      const checked = validateSettingsPatch(stored);
      if (checked.ok) settings = mergeSettings(settings, checked.value);
      else settingsProblem = `settings.json ignored (${checked.error.message}); using defaults`;
    }
    if (!settings.downloadDir) settings = { ...settings, downloadDir: opts.defaultDownloadDir };
    const session = new Session(opts, settings);
    if (settingsProblem) session.log(settingsProblem);
    const { records, problems, orphans } = await session.store.loadAll();
    for (const p of problems) session.log(`resume data: ${p}`);
    await session.readdOrphans(orphans);
    for (const r of records) {
      const entry = entryFromRecord(r);
      session.entries.set(entry.id, entry);
      session.changed.add(entry);
    }
    session.normalisePositions();
    try {
      await session.client.listen();
    } catch (err) {
      session.log(`${(err as Error).message}; listening on a random port instead`);
      await session.client.listenOn(0);
    }
    if (opts.lsd && settings.lsd) await session.lsd.start();
    if (opts.dht && settings.dht) await session.dht.start({ ...opts.dht, port: session.client.port, host: opts.listenHost, clock: session.clock }, session.entries.values());
    session.scheduleTick(session.batchMs);
    session.applyQueue();
    void session.refreshFreeDisk();
    return session;
  }

  /** A .torrent without a valid record (a crash during add): add it again and hash what is on disk. */
  private async readdOrphans(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const bytes = await this.store.loadMetainfo(id);
      if (!bytes) continue;
      try {
        const meta = decodeMetainfo(bytes);
        const entry = newEntry({ id, name: meta.name, meta: null, magnetUri: null, savePath: this.settings.downloadDir, addedAt: Date.now(), position: this.entries.size, paused: false });
        this.fillFromMeta(entry, meta);
        entry.fullRecheck = true;
        this.entries.set(id, entry);
        this.changed.add(entry);
        this.store.save(entryToRecord(entry));
        this.log(`resume data: ${meta.name} had no valid record; added again and checking its data`);
      } catch (err) {
        this.log(`resume data: ${id}.torrent is damaged (${(err as Error).message}); skipped`);
      }
    }
  }

  get port(): number {
    return this.client.port;
  }

  /**
   * Another receiver of the state stream (e.g. one per WebSocket client), with its own sequence
   * numbers and detail subscription. Pass it to request() so `subscribe` and `snapshot` apply to it;
   * it gets nothing but batches until it asks for a snapshot. closeStream() when done.
   */
  openStream(onEvent: (event: EngineEvent) => void): StreamView {
    return this.stream.open(onEvent);
  }

  closeStream(view: StreamView): void {
    this.stream.close(view);
  }

  /** Validates an untrusted payload (from a worker port, WebSocket, IPC), then handles it; never throws. */
  async requestRaw(raw: unknown, view?: StreamView): Promise<Reply> {
    const parsed = parseRequest(raw);
    if (!parsed.ok) return { kind: 'reply', requestId: parsed.requestId ?? -1, ok: false, error: parsed.error };
    return this.request(parsed.request, view);
  }

  /** Handles one protocol request; `view`: whose stream `subscribe`/`snapshot` apply to (default: onEvent's). Never throws. */
  async request(req: Request, view?: StreamView): Promise<Reply> {
    // A command usually changes something the next batch should carry without delay.
    this.wake();
    try {
      const result = await this.execute(req.command, view ?? this.defaultView);
      return { kind: 'reply', requestId: req.requestId, ok: true, result };
    } catch (err) {
      const error: ApiErrorShape =
        err instanceof ApiError
          ? { name: err.name, message: err.message }
          : err instanceof InputError
            ? { name: 'InvalidCommand', message: err.message }
            : { name: 'Failed', message: (err as Error).message };
      return { kind: 'reply', requestId: req.requestId, ok: false, error };
    }
  }

  private async execute(cmd: Command, view: StreamView | null): Promise<ResultOf[Command['type']]> {
    switch (cmd.type) {
      case 'add':
        return this.add(cmd);
      case 'remove':
        await Promise.all(cmd.ids.map((id) => this.remove(this.entry(id), cmd.deleteData)));
        return null;
      case 'addPeers': {
        const e = this.entry(cmd.id);
        const peers = cmd.peers.map(parsePeer);
        e.extraPeers.push(...peers);
        e.torrent?.addPeers(peers, 'the user');
        e.fetch?.addPeers(peers);
        return { added: peers.length };
      }
      case 'pause':
        for (const e of this.select(cmd.ids)) this.setPaused(e, true);
        this.applyQueue();
        return null;
      case 'resume':
        for (const e of this.select(cmd.ids)) this.setPaused(e, false);
        this.applyQueue();
        return null;
      case 'forceStart':
        for (const e of this.select(cmd.ids)) {
          e.forceStart = cmd.enabled;
          if (cmd.enabled) e.paused = false;
          this.touch(e);
        }
        this.applyQueue();
        return null;
      case 'recheck':
        for (const e of this.select(cmd.ids)) await this.recheck(e);
        return null;
      case 'queueMove': {
        this.select(cmd.ids);
        const order = this.queueOrder();
        const next = moveInQueue(order, cmd.ids, cmd.to);
        next.forEach((id, i) => {
          const e = this.entries.get(id)!;
          if (e.position !== i) {
            e.position = i;
            this.touch(e);
          }
        });
        this.applyQueue();
        return null;
      }
      case 'setFilePriority': {
        const e = this.entry(cmd.id);
        const count = e.meta ? e.meta.files.length : e.filePriorities.length;
        for (const f of cmd.files) if (f >= count) throw new ApiError('InvalidCommand', `file ${f} does not exist (the torrent has ${count})`);
        for (const f of cmd.files) e.filePriorities[f] = cmd.priority;
        this.applyPriorities(e);
        this.touch(e);
        return null;
      }
      case 'setTorrentOptions': {
        const e = this.entry(cmd.id);
        const o = cmd.options;
        if (o.downloadLimit !== undefined) e.downloadLimit = o.downloadLimit;
        if (o.uploadLimit !== undefined) e.uploadLimit = o.uploadLimit;
        if (o.sequential !== undefined) e.sequential = o.sequential;
        if (o.firstLastPiecesFirst !== undefined) e.firstLastPiecesFirst = o.firstLastPiecesFirst;
        if (o.ratioLimit !== undefined) e.ratioLimit = o.ratioLimit;
        if (o.seedTimeLimitMinutes !== undefined) e.seedTimeLimitMinutes = o.seedTimeLimitMinutes;
        if (o.maxConnections !== undefined) e.maxConnections = o.maxConnections;
        this.applyTorrentOptions(e);
        this.touch(e);
        return null;
      }
      case 'renameFile':
        await this.renameFile(this.entry(cmd.id), cmd.file, cmd.newPath);
        return null;
      case 'moveStorage':
        await this.moveStorage(this.entry(cmd.id), cmd.savePath);
        return null;
      case 'getInfo':
        return this.info(this.entry(cmd.id));
      case 'getSettings':
        return { ...this.settings };
      case 'setSettings':
        return this.updateSettings(cmd.settings);
      case 'inspect':
        return inspectSource(cmd.source, (id) => this.entries.has(id));
      case 'subscribe':
        if (cmd.id !== null) this.entry(cmd.id);
        this.stream.subscribe(streamOf(view), cmd.id, cmd.topics);
        return null;
      case 'snapshot': {
        const target = streamOf(view);
        // A batch first (to every view), so the snapshot is the base the next diffs apply to.
        this.emitBatch();
        this.stream.snapshot(target, this.entries.values(), this.globalStats(), { ...this.settings }, (e) => roundForWire(summarize(e)));
        return null;
      }
    }
  }

  // ---- commands ----

  private async add(cmd: Extract<Command, { type: 'add' }>): Promise<ResultOf['add']> {
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
      if (magnet.version === 2) throw new ApiError('InvalidCommand', 'v2-only magnet links (btmh without btih) cannot be downloaded yet');
      magnetUri = cmd.source.uri;
      id = magnet.infoHashHex;
      name = magnet.name ?? magnet.infoHashHex;
    }
    if (this.entries.has(id)) throw new ApiError('Conflict', `"${this.entries.get(id)!.name}" is already in the list`);
    const position = cmd.queueTop ? -1 : this.entries.size;
    const entry = newEntry({
      id,
      name,
      meta,
      magnetUri,
      savePath: cmd.savePath ?? this.settings.downloadDir,
      addedAt: Date.now(),
      position,
      paused: cmd.paused === true,
      filePriorities: cmd.filePriorities,
    });
    if (meta && cmd.filePriorities && cmd.filePriorities.length !== meta.files.length) {
      throw new ApiError('InvalidCommand', `filePriorities has ${cmd.filePriorities.length} entries; the torrent has ${meta.files.length} files`);
    }
    if (meta) this.fillFromMeta(entry, meta);
    else if (cmd.stopAfterMetadata) entry.metadataStop = 'armed';
    this.entries.set(id, entry);
    this.touch(entry);
    this.normalisePositions();
    if (meta && cmd.source.kind === 'torrent') await this.store.saveMetainfo(id, cmd.source.data);
    this.store.save(entryToRecord(entry));
    void this.store.flush();
    this.stream.added(id);
    this.applyQueue();
    return { id, name };
  }

  private fillFromMeta(entry: Entry, meta: Metainfo): void {
    for (const r of entry.fileRenames) if (r.file < meta.files.length) meta.files[r.file].path = [...r.path];
    entry.meta = meta;
    entry.name = meta.name;
    entry.totalBytes = meta.totalLength;
    if (entry.filePriorities.length !== meta.files.length) entry.filePriorities = meta.files.map(() => 'normal' as FilePriority);
    entry.wantedBytes = wantedBytes(meta.files, entry.filePriorities);
  }

  private async remove(entry: Entry, deleteData: boolean): Promise<void> {
    this.entries.delete(entry.id);
    this.changed.delete(entry);
    this.unsaved.delete(entry);
    this.baseTotals = null;
    this.stream.removed(entry.id);
    const torrent = entry.torrent;
    await this.deactivate(entry);
    if (deleteData && entry.meta) {
      const storage = torrent?.storage ?? (await this.offlineStorage(entry));
      await storage.deleteFiles();
    }
    await this.store.remove(entry.id);
    this.normalisePositions();
    this.applyQueue();
  }

  private setPaused(entry: Entry, paused: boolean): void {
    if (entry.paused === paused && (paused || entry.error === null)) return;
    entry.paused = paused;
    if (!paused) {
      if (entry.metadataStop === 'stopped') entry.metadataStop = null;
      entry.error = null;
      entry.stalled = false;
    } else entry.forceStart = false;
    this.touch(entry);
  }

  private async recheck(entry: Entry): Promise<void> {
    entry.fullRecheck = true;
    entry.error = null;
    if (entry.torrent) {
      await this.deactivate(entry);
      this.applyQueue();
      return;
    }
    if (!entry.meta) await this.loadMeta(entry);
    if (!entry.meta) return;
    entry.checkingOffline = true;
    this.touch(entry);
    const storage = await this.offlineStorage(entry);
    try {
      captureProgress(entry, await storage.verify(), true);
      entry.fullRecheck = false;
      this.updateDone(entry);
    } catch (err) {
      entry.error = (err as Error).message;
    } finally {
      storage.close();
      entry.checkingOffline = false;
      this.touch(entry);
      this.store.save(entryToRecord(entry));
    }
    this.applyQueue();
  }

  private async renameFile(entry: Entry, file: number, newPath: string): Promise<void> {
    if (!entry.meta) await this.loadMeta(entry);
    const meta = entry.meta;
    if (!meta) throw new ApiError('Conflict', 'the metadata is not known yet; try again once it has arrived');
    if (file >= meta.files.length) throw new ApiError('InvalidCommand', `file ${file} does not exist`);
    const parts = newPath.split('/').filter((p) => p !== '');
    const components = meta.multiFile ? [meta.files[0].path[0], ...parts] : parts;
    const storage = entry.torrent?.storage ?? (await this.offlineStorage(entry));
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
    this.store.save(entryToRecord(entry));
  }

  private async moveStorage(entry: Entry, savePath: string): Promise<void> {
    if (!entry.meta) await this.loadMeta(entry);
    const wasRunning = entry.torrent !== null;
    await this.deactivate(entry);
    const commit = async (): Promise<void> => {
      // The record must name the new folder before the old files go: a crash after this point resumes there.
      entry.savePath = savePath;
      if (entry.have && entry.meta) captureProgress(entry, entry.have, true);
      this.store.save(entryToRecord(entry));
      await this.store.flush();
    };
    if (entry.meta) {
      const storage = await this.offlineStorage(entry);
      try {
        await moveStorage(storage, savePath, undefined, { onCommit: commit });
      } catch (err) {
        throw asApiError(err);
      } finally {
        storage.close();
      }
    } else {
      await commit();
    }
    this.touch(entry);
    if (wasRunning) this.applyQueue();
  }

  private info(entry: Entry): TorrentInfo {
    const meta = entry.meta;
    return {
      id: entry.id,
      name: entry.name,
      infoHash: entry.id,
      pieceLength: meta?.pieceLength ?? 0,
      pieceCount: meta?.pieceCount ?? 0,
      totalBytes: entry.totalBytes,
      private: meta?.private ?? false,
      comment: meta?.comment ?? null,
      createdBy: meta?.createdBy ?? null,
      creationDate: meta?.creationDate ?? null,
      magnetUri: meta ? toMagnetUri(meta) : (entry.magnet ? toMagnetUri(entry.magnet) : `magnet:?xt=urn:btih:${entry.id}`),
      files: meta ? fileList(meta) : [],
      fileCount: meta?.files.length ?? 0,
      trackers: meta?.announce ?? entry.magnet?.trackers.map((t) => [t]) ?? [],
    };
  }

  private async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = mergeSettings(this.settings, patch);
    await this.store.saveSettings(this.settings);
    this.applyGlobalLimits();
    this.client.setEncryption(this.settings.encryption);
    for (const e of this.entries.values()) this.applyTorrentOptions(e);
    if (this.settings.dht && this.opts.dht) await this.dht.start({ ...this.opts.dht, port: this.client.port, host: this.opts.listenHost, clock: this.clock }, this.entries.values());
    else await this.dht.stop(this.entries.values());
    if (this.settings.lsd && this.opts.lsd) await this.lsd.start();
    else this.lsd.stop();
    this.applyQueue();
    this.queueDirty = true;
    return { ...this.settings };
  }

  // ---- running torrents ----

  private applyQueue(): void {
    if (this.closed) return;
    const decision = decideQueue(
      [...this.entries.values()].map((e) => ({
        id: e.id,
        position: e.position,
        wantsToRun: !e.paused && e.error === null && !e.checkingOffline,
        // From the record when the metainfo is not parsed yet (a record is all a stopped torrent has).
        complete: e.have !== null && e.doneBytes >= e.wantedBytes,
        forceStart: e.forceStart,
        stalled: e.stalled,
      })),
      { maxActiveDownloads: this.settings.maxActiveDownloads, maxActiveSeeds: this.settings.maxActiveSeeds },
    );
    for (const e of this.entries.values()) {
      const waiting = decision.waiting.get(e.id) ?? null;
      if (waiting?.reason !== e.waiting?.reason) {
        e.waiting = waiting;
        // Not saved state: thousands of torrents queueing at start must not mean thousands of record writes.
        this.show(e);
      }
      const shouldRun = decision.run.has(e.id);
      const running = e.torrent !== null || e.fetch !== null;
      if (shouldRun && !running) void this.activate(e);
      else if (!shouldRun && running) void this.deactivate(e).then(() => this.touch(e));
    }
  }

  private async activate(entry: Entry): Promise<void> {
    entry.activeSince = this.clock.now();
    entry.stalled = false;
    this.touch(entry);
    if (!entry.meta) await this.loadMeta(entry);
    if (!entry.meta) {
      if (entry.magnet) await this.fetchMetadata(entry);
      if (!entry.meta) return;
      if (entry.paused) {
        await this.deactivate(entry);
        this.touch(entry);
        this.applyQueue();
        return;
      }
    }
    if (entry.torrent || this.closed || !this.entries.has(entry.id)) return;
    const meta = entry.meta;
    let torrent;
    try {
      if (meta.version === 2) throw new Error('v2-only torrents (no v1 piece hashes) cannot be downloaded or seeded yet');
      torrent = this.client.add(meta, {
        downloadDir: entry.savePath,
        peers: [...(entry.magnet?.peers ?? []), ...entry.extraPeers],
        events: {
          onLog: (line) => this.log(line, entry),
          onTracker: (e) => this.log(`tracker ${e.url}: ${e.ok ? `ok, ${e.peers ?? 0} peers` : `error: ${e.message}`}`, entry),
          onPieceVerified: () => this.onProgress(entry),
          onStateChange: (state, reason) => this.onTorrentState(entry, state, reason),
        },
      });
    } catch (err) {
      entry.error = (err as Error).message;
      this.touch(entry);
      return;
    }
    entry.torrent = torrent;
    this.running.add(entry);
    this.dht.track(entry, this.client.port);
    if (!entry.meta?.private) this.lsd.track(entry.id);
    this.applyPriorities(entry);
    this.applyTorrentOptions(entry);
    const current = await statFiles(filePaths(entry));
    const missing = entry.fullRecheck ? null : missingFile(entry, current);
    if (missing !== null) {
      await this.client.remove(torrent);
      entry.torrent = null;
      entry.error = `files missing: ${missing} is gone. Put the files back and resume, move the torrent to where they are now, or recheck to download them again`;
      this.stream.notice({ type: 'error', id: entry.id, name: entry.name, message: entry.error });
      this.touch(entry);
      this.store.save(entryToRecord(entry));
      return;
    }
    const plan = entry.fullRecheck ? undefined : resumePlanFor(entry, current);
    if (plan) this.log(`fast resume: ${plan.reason}`, entry);
    await torrent.start(undefined, plan);
    if (entry.torrent !== torrent) return;
    entry.fullRecheck = false;
    if (torrent.state !== 'error' && !recordStillExact(entry, torrent.have, plan)) {
      captureProgress(entry, torrent.have, false);
      this.updateDone(entry);
      this.store.save(entryToRecord(entry));
      // Written now, so a crash in the next seconds does not cost this check again.
      void this.store.flush();
    }
    this.touch(entry);
    this.markSaved(entry);
  }

  private async deactivate(entry: Entry): Promise<void> {
    this.dht.untrack(entry);
    this.lsd.untrack(entry.id);
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
    await this.client.remove(torrent);
    // Stopped for good: no write can follow, so the stats are final.
    if (!wasChecking && torrent.have.length) captureProgress(entry, torrent.have, true);
    this.updateDone(entry);
    entry.stalled = false;
    this.store.save(entryToRecord(entry));
    this.markSaved(entry);
  }

  private captureTotals(entry: Entry, torrent: NonNullable<Entry['torrent']>): void {
    this.baseTotals = null;
    entry.downloadedBase += torrent.downloadMeter.total;
    entry.uploadedBase += torrent.uploadMeter.total;
    if (entry.seedingSince !== null) {
      entry.seedingSecondsBase += (this.clock.now() - entry.seedingSince) / 1000;
      entry.seedingSince = null;
    }
  }

  private async fetchMetadata(entry: Entry): Promise<void> {
    const magnet = entry.magnet;
    if (!magnet) return;
    this.touch(entry);
    try {
      const pending = this.client.fetchMetadataCancellable(magnet, magnet.peers, (l) => this.log(l, entry));
      entry.fetch = pending.fetch;
      this.running.add(entry);
      this.dht.track(entry, this.client.port);
    if (!entry.meta?.private) this.lsd.track(entry.id);
      this.touch(entry);
      const meta = await pending.result;
      if (entry.fetch !== pending.fetch) return;
      entry.fetch = null;
      this.dht.untrack(entry);
      this.fillFromMeta(entry, meta);
      await this.store.saveMetainfo(entry.id, torrentFileFromInfo(meta.infoBytes, magnet.trackers));
      this.stream.notice({ type: 'metadataReceived', id: entry.id, name: entry.name });
      if (entry.metadataStop === 'armed') {
        // The user chooses files first: pause before any data is fetched (activate() sees it).
        entry.metadataStop = 'stopped';
        entry.paused = true;
      }
      this.store.save(entryToRecord(entry));
    } catch (err) {
      if (entry.fetch) {
        entry.fetch = null;
        entry.error = `could not fetch the metadata: ${(err as Error).message}`;
      }
    }
    this.touch(entry);
  }

  private async loadMeta(entry: Entry): Promise<void> {
    if (entry.meta) return;
    const bytes = await this.store.loadMetainfo(entry.id);
    if (!bytes) return;
    try {
      this.fillFromMeta(entry, decodeMetainfo(bytes));
    } catch (err) {
      entry.error = `the saved torrent file is damaged (${(err as Error).message}): remove the torrent and add it again`;
      this.touch(entry);
    }
  }

  private async offlineStorage(entry: Entry): Promise<import('../storage/storage.js').Storage> {
    const { Storage } = await import('../storage/storage.js');
    if (!entry.meta) throw new ApiError('Conflict', 'the metadata is not known yet');
    return new Storage(entry.meta, entry.savePath);
  }

  private applyPriorities(entry: Entry): void {
    const meta = entry.meta;
    if (!meta) return;
    entry.wantedBytes = wantedBytes(meta.files, entry.filePriorities);
    entry.torrent?.setPiecePriorities(
      piecePrioritiesFor(meta.files, meta.pieceLength, meta.pieceCount, entry.filePriorities, { firstLastPiecesFirst: entry.firstLastPiecesFirst }),
    );
    this.updateDone(entry);
  }

  private applyTorrentOptions(entry: Entry): void {
    const t = entry.torrent;
    if (!t) return;
    t.picker.setSequential(entry.sequential);
    // The global connection cap is shared out among the running torrents.
    let running = 0;
    for (const e of this.entries.values()) if (e.torrent) running++;
    const share = Math.max(8, Math.floor(this.settings.maxConnections / Math.max(1, running)));
    t.setMaxPeers(Math.min(entry.maxConnections ?? this.settings.maxConnectionsPerTorrent, share));
    t.setUploadSlots(this.settings.uploadSlotsPerTorrent);
    t.setPexEnabled(this.settings.pex);
    t.setLimits({ download: unlimitedIfZero(entry.downloadLimit), upload: unlimitedIfZero(entry.uploadLimit) });
  }

  private applyGlobalLimits(): void {
    const alt = this.altLimitsActive();
    this.client.setGlobalLimits({
      download: unlimitedIfZero(alt ? this.settings.altDownloadLimit : this.settings.downloadLimit),
      upload: unlimitedIfZero(alt ? this.settings.altUploadLimit : this.settings.uploadLimit),
    });
  }

  private altLimitsActive(): boolean {
    if (this.settings.altLimitsEnabled) return true;
    const s = this.settings.altSchedule;
    if (!s) return false;
    const now = new Date();
    const minutes = now.getHours() * 60 + now.getMinutes();
    const inWindow = s.from <= s.to ? minutes >= s.from && minutes < s.to : minutes >= s.from || minutes < s.to;
    return s.days.includes(now.getDay()) && inWindow;
  }

  private onProgress(entry: Entry): void {
    const t = entry.torrent;
    if (!t) return;
    entry.have = t.have;
    this.updateDone(entry);
    this.touch(entry);
  }

  private onTorrentState(entry: Entry, state: string, reason?: string): void {
    if (state === 'seeding') {
      if (entry.seedingSince === null) entry.seedingSince = this.clock.now();
      if (entry.completedAt === null && entry.torrent && entry.torrent.have.count > 0) {
        entry.completedAt = Date.now();
        this.stream.notice({ type: 'completed', id: entry.id, name: entry.name, savePath: entry.savePath });
      }
      this.queueDirty = true;
    } else if (state === 'downloading' && entry.seedingSince !== null) {
      entry.seedingSecondsBase += (this.clock.now() - entry.seedingSince) / 1000;
      entry.seedingSince = null;
      this.queueDirty = true;
    } else if (state === 'error') {
      entry.error = reason ?? 'failed';
      this.stream.notice({ type: 'error', id: entry.id, name: entry.name, message: entry.error });
      void this.deactivate(entry).then(() => this.applyQueue());
    }
    this.touch(entry);
  }

  private updateDone(entry: Entry): void {
    const meta = entry.meta;
    if (!meta || !entry.have) {
      entry.doneBytes = 0;
      return;
    }
    const perFile = fileProgress(meta.files, meta.pieceLength, entry.have);
    let done = 0;
    meta.files.forEach((f, i) => {
      if (!f.padding && entry.filePriorities[i] !== 'skip') done += perFile[i];
    });
    entry.doneBytes = done;
  }

  // ---- the state stream ----

  private tick(): void {
    const now = this.clock.now();
    const stalledMs = this.settings.stalledAfterMinutes * 60_000;
    // Only a live torrent can stall or reach a seeding goal: records cost nothing here.
    for (const e of this.running) {
      const t = e.torrent;
      if (!t || this.entries.get(e.id) !== e) continue;
      if (t.state === 'downloading') {
        const idleSince = Math.max(t.lastPayloadAt, e.activeSince);
        const stalled = stalledMs > 0 && now - idleSince > stalledMs;
        if (stalled !== e.stalled) {
          e.stalled = stalled;
          this.queueDirty = true;
        }
      }
      this.checkSeedGoals(e, now);
    }
    if (this.queueDirty) {
      this.queueDirty = false;
      this.applyQueue();
      this.applyGlobalLimits();
    }
    const moved = this.emitBatch();
    this.quiet = !moved && !this.queueDirty && !this.anyLiveWork();
    if (now - this.lastFlush > FLUSH_INTERVAL_MS) {
      this.lastFlush = now;
      // The weekly schedule of the alternative limits moves with the wall clock.
      this.applyGlobalLimits();
      this.checkpoint();
      void this.refreshFreeDisk();
    }
  }

  private checkSeedGoals(e: Entry, now: number): void {
    const t = e.torrent;
    if (!t || t.state !== 'seeding' || e.forceStart) return;
    const ratioLimit = e.ratioLimit ?? this.settings.ratioLimit;
    const timeLimit = e.seedTimeLimitMinutes ?? this.settings.seedTimeLimitMinutes;
    if (ratioLimit === null && timeLimit === null) return;
    const seeded = e.seedingSecondsBase + (e.seedingSince !== null ? (now - e.seedingSince) / 1000 : 0);
    const s = summarize(e);
    const ratioMet = ratioLimit !== null && s.ratio >= ratioLimit;
    const timeMet = timeLimit !== null && seeded >= timeLimit * 60;
    if (!ratioMet && !timeMet) return;
    this.log(`seeding goal reached (${ratioMet ? `ratio ${s.ratio.toFixed(2)}` : `${Math.round(seeded / 60)} min`}): ${this.settings.seedGoalAction}`, e);
    if (this.settings.seedGoalAction === 'remove') void this.remove(e, false);
    else {
      this.setPaused(e, true);
      this.queueDirty = true;
    }
  }

  /**
   * Saves what changed since the last checkpoint: records marked changed, and running torrents
   * whose totals moved (or, for an idle seed, every ten minutes for its seeding time). A crash
   * loses at most a few seconds of records, never data; an idle session writes nothing. It looks
   * at the running torrents and those touched since, never the whole list.
   */
  private checkpoint(): void {
    const now = this.clock.now();
    const again: Entry[] = [];
    for (const e of this.unsaved) {
      if (this.entries.get(e.id) !== e || this.running.has(e)) continue;
      if (this.checkpointEntry(e, now)) again.push(e);
    }
    this.unsaved.clear();
    for (const e of again) this.unsaved.add(e);
    for (const e of this.running) if (this.entries.get(e.id) === e) this.checkpointEntry(e, now);
    if (this.store.pendingCount > 0) void this.store.flush().catch((err: Error) => this.log(`could not save resume data: ${err.message}`));
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
    if (live) captureProgress(e, t.have, false);
    const seeding = e.seedingSince !== null ? (now - e.seedingSince) / 1000 : 0;
    this.store.save(live ? entryToRecord(e, { downloaded: t.downloadMeter.total, uploaded: t.uploadMeter.total, seedingSeconds: seeding }) : entryToRecord(e));
    e.recordDirty = false;
    e.savedTotals = { down: live ? t.downloadMeter.total : 0, up: live ? t.uploadMeter.total : 0, at: now };
    return !t && !e.fileStatsFinal && e.have !== null && e.meta !== null;
  }

  private get batchMs(): number {
    return this.opts.batchIntervalMs ?? 333;
  }

  private scheduleTick(ms: number): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (this.closed) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      try {
        this.tick();
      } catch (err) {
        // A bug in one step must not stop the session's clock (and with it every torrent's updates).
        this.log(`session tick failed: ${(err as Error).stack ?? String(err)}`);
      }
      this.scheduleTick(this.quiet ? QUIET_TICK_MS : this.batchMs);
    }, ms);
  }

  /** Back to the batch rate after a quiet spell: something changed. */
  private wake(): void {
    if (!this.quiet) return;
    this.quiet = false;
    if (this.batchTimer) this.scheduleTick(this.batchMs);
  }

  /** A running torrent that may change without being touched: checking, downloading, fetching metadata, or with peers. */
  private anyLiveWork(): boolean {
    for (const e of this.running) {
      if (e.fetch) return true;
      const t = e.torrent;
      if (t && (t.state !== 'seeding' || t.peers.size > 0)) return true;
    }
    return false;
  }

  /** Sends the batch; true when it carried a change (not a heartbeat, not skipped). */
  private emitBatch(): boolean {
    for (const e of this.running) {
      if (e.torrent || e.fetch) continue;
      this.running.delete(e);
      // Stopped since the last checkpoint: it looks at the record once more.
      this.unsaved.add(e);
    }
    const moved = this.stream.batch(this.candidates(), (id) => this.entries.get(id), this.globalStats(), (e) => roundForWire(summarize(e)), this.clock.now());
    this.changed.clear();
    return moved;
  }

  /** The entries whose rows may have changed: the running ones, then those touched since the last batch. */
  private *candidates(): Generator<Entry> {
    yield* this.running;
    for (const e of this.changed) if (!this.running.has(e) && this.entries.get(e.id) === e) yield e;
  }

  private globalStats(): GlobalStats {
    if (!this.baseTotals) {
      let down = 0;
      let up = 0;
      for (const e of this.entries.values()) {
        down += e.downloadedBase;
        up += e.uploadedBase;
      }
      this.baseTotals = { down, up };
    }
    let downRate = 0;
    let upRate = 0;
    let downloaded = this.baseTotals.down;
    let uploaded = this.baseTotals.up;
    let peers = 0;
    const now = this.clock.now();
    for (const e of this.running) {
      const t = e.torrent;
      if (!t) continue;
      // Thousands of idle seeds: skip the meters that hold nothing rather than roll each of them.
      if (!t.downloadMeter.quietAt(now)) downRate += t.downloadMeter.rate();
      if (!t.uploadMeter.quietAt(now)) upRate += t.uploadMeter.rate();
      downloaded += t.downloadMeter.total;
      uploaded += t.uploadMeter.total;
      peers += t.peers.size;
    }
    const alt = this.altLimitsActive();
    return {
      downRate: Math.round(downRate),
      upRate: Math.round(upRate),
      downloadedTotal: downloaded,
      uploadedTotal: uploaded,
      connectedPeers: peers,
      dhtNodes: this.dht.nodeCount,
      freeDiskBytes: this.freeDisk,
      altLimitsActive: alt,
      downloadLimit: alt ? this.settings.altDownloadLimit : this.settings.downloadLimit,
      uploadLimit: alt ? this.settings.altUploadLimit : this.settings.uploadLimit,
    };
  }

  /** Free space where downloads go: of the download folder, or of the nearest folder above it that exists yet. */
  private async refreshFreeDisk(): Promise<void> {
    let dir = this.settings.downloadDir;
    for (;;) {
      try {
        const st = await statfs(dir);
        this.freeDisk = st.bavail * st.bsize;
        return;
      } catch {
        const up = dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    }
    this.freeDisk = 0;
  }

  // ---- helpers ----

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new ApiError('NotFound', `no torrent with id ${id}`);
    return e;
  }

  private select(ids: readonly string[] | 'all'): Entry[] {
    return ids === 'all' ? [...this.entries.values()] : ids.map((id) => this.entry(id));
  }

  private queueOrder(): string[] {
    return [...this.entries.values()].sort((a, b) => a.position - b.position).map((e) => e.id);
  }

  private normalisePositions(): void {
    this.queueOrder().forEach((id, i) => {
      const e = this.entries.get(id)!;
      if (e.position !== i) {
        e.position = i;
        this.touch(e);
      }
    });
  }

  /** The record was just saved: nothing for the next checkpoint unless something changes again. */
  private markSaved(entry: Entry): void {
    entry.recordDirty = false;
    const t = entry.torrent;
    entry.savedTotals = { down: t ? t.downloadMeter.total : 0, up: t ? t.uploadMeter.total : 0, at: this.clock.now() };
  }

  /** Something the UI shows changed; as it may be saved state too, the record is saved at the next checkpoint. */
  private touch(entry: Entry): void {
    this.show(entry);
    entry.recordDirty = true;
    this.unsaved.add(entry);
  }

  /** Something only the UI shows changed: the next batch carries the row, the record stays as it is. */
  private show(entry: Entry): void {
    entry.dirty = true;
    this.changed.add(entry);
    this.wake();
  }

  private log(line: string, entry?: Entry): void {
    this.opts.log?.(line, entry?.name);
  }

  /** Stops every torrent, saves resume data, and closes the listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    await Promise.all([...this.entries.values()].map((e) => this.deactivate(e)));
    await this.dht.stop(this.entries.values());
    await this.lsd.close();
    await this.store.flush();
    await this.client.close();
  }
}

/** A wanted file that had verified data when the record was saved and is now gone, or null. */
function missingFile(entry: Entry, current: readonly { size: number }[]): string | null {
  const meta = entry.meta;
  if (!meta || !entry.fileStats || entry.doneBytes === 0) return null;
  for (let i = 0; i < meta.files.length; i++) {
    const f = meta.files[i];
    if (f.padding || f.length === 0 || entry.filePriorities[i] === 'skip') continue;
    const recorded = entry.fileStats[i];
    if (recorded && recorded.size > 0 && current[i].size < 0) return f.path.join('/');
  }
  return null;
}

/** Storage refusals become errors the UI can show: a clash is a Conflict, a bad name an invalid command. */
function asApiError(err: unknown): Error {
  if (err instanceof ApiError) return err;
  if (err instanceof PathEscapeError) return new ApiError('InvalidCommand', err.message);
  if (err instanceof StorageError && err.code === 'EEXIST') return new ApiError('Conflict', err.message);
  if (err instanceof StorageError && err.code === 'EINVAL') return new ApiError('InvalidCommand', err.message);
  return err instanceof Error ? err : new Error(String(err));
}

function streamOf(view: StreamView | null): StreamView {
  if (!view) throw new ApiError('Conflict', 'this connection has no event stream');
  return view;
}

function parsePeer(s: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new ApiError('InvalidCommand', `peer ${JSON.stringify(s)} must look like host:port`);
  return { host: m[1], port: Number(m[2]) };
}

/** In settings and commands a limit of 0 means no limit, as in other clients' UIs. */
function unlimitedIfZero(limit: number | null): number | null {
  return limit === 0 ? null : limit;
}

