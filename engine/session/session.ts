import { join } from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import type { Command, EngineEvent, GlobalStats, Reply, Request, ResultOf, Settings } from '../api/types.js';
import { roundForWire } from '../api/diff.js';
import { mergeSettings, parseRequest } from '../api/validate.js';
import { settingsConflict } from '../api/validate.js';
import { ResumeStore } from '../storage/resume/resume-store.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import type { Client } from './client.js';
import { applyClientSettings, clientFor } from './client-settings.js';
import { decideQueue } from './queue.js';
import { queueItemOf, summarize, type Entry } from './entry.js';
import { StateStream, StreamView } from './stream.js';
import { entryToRecord } from './persist.js';
import { ApiError, errorShape } from './api-error.js';
import { offlineStorage } from './entry-files.js';
import { TorrentRunner } from './torrent-runner.js';
import { Checkpoints } from './checkpoint.js';
import { GlobalTotals } from './global-stats.js';
import { freeDiskBytes } from './free-disk.js';
import { globalLimits } from './limits.js';
import { checkSeedGoals, type SeedGoalHost } from './seed-goals.js';
import { TickScheduler } from './scheduler.js';
import { applyTorrentOptions } from './options-table.js';
import { CHANGES_RECORDS, entryToAdd, moveStorage, type TorrentCommandDeps } from './torrent-commands.js';
import { queueOrder, setQueueOrder } from './queue-order.js';
import { PeerDiscovery } from './discovery.js';
import { RowActivity } from './activity.js';
import { loadEntries, loadSettings } from './restore.js';
import type { SessionOptions } from './session-options.js';
import { effectiveSettings, savedWatchFolders, type EffectiveSettings } from './effective-settings.js';
import { WatchFolders } from './watch-folders.js';
import { watchHost } from './watch-host.js';
import { watchFolderProblem } from './watch-settings.js';
import { MoreCommands } from './more-commands.js';
import { RssService } from './rss-service.js';
import { downloadsPausedUntil, schedulePauseReason } from './schedules.js';
import { diagnose } from './doctor.js';
import { gatherFacts, refreshWhy, type DoctorContext } from './doctor-facts.js';
import { Categories } from './categories.js';
import { streamFile, streamUrl, type StreamFile, type StreamLinks } from './stream-files.js';
import { BannedPeers } from './banned-peers.js';
import { dispatch, type DispatchHost } from './dispatch.js';

export { ApiError } from './api-error.js';
export type { SessionOptions } from './session-options.js';

const FLUSH_INTERVAL_MS = 5_000;
/** How often the doctor's summary (TorrentSummary.why) of running torrents is refreshed. */
const WHY_INTERVAL_MS = 1_000;

/**
 * Many torrents: command dispatch, the queue, global limits and the protocol's state stream. One
 * torrent's start and stop are TorrentRunner's; saving records is Checkpoints' (over ResumeData).
 */
export class Session {
  private readonly clock: Clock;
  private readonly client: Client;
  private readonly entries = new Map<string, Entry>();
  private settings: Settings;
  private readonly scheduler: TickScheduler;
  private lastFlush = 0;
  private lastWhy = 0;
  private readonly stream = new StateStream();
  private readonly defaultView: StreamView | null;
  private readonly activity = new RowActivity();
  private readonly totals = new GlobalTotals();
  private freeDisk = 0;
  private closed = false;
  private queueDirty = true;
  /** While the pause schedule holds downloads: the end of its window ("07:00"). */
  private downloadsPausedUntil: string | null = null;
  private readonly store: ResumeData;
  private readonly checkpoints: Checkpoints;
  private readonly runner: TorrentRunner;
  private readonly discovery: PeerDiscovery;
  private readonly commandDeps: TorrentCommandDeps;
  private readonly more: MoreCommands;
  private readonly bannedPeers: BannedPeers;
  private readonly seedGoalHost: SeedGoalHost;
  /** RSS feeds and rules; opened in open(), before any request. */
  private rss!: RssService;
  private readonly watch: WatchFolders;
  private readonly categories: Categories;
  private readonly dispatchHost: DispatchHost;

  private constructor(private readonly opts: SessionOptions, settings: Settings) {
    this.clock = opts.clock ?? systemClock;
    this.settings = settings;
    this.defaultView = opts.onEvent ? this.stream.open(opts.onEvent) : null;
    this.discovery = new PeerDiscovery({
      dataDir: opts.dataDir, dht: opts.dht, lsd: opts.lsd, listenHost: opts.listenHost,
      clock: this.clock,
      listenPort: () => this.client.port,
      datagrams: () => this.client.datagrams, datagrams6: () => this.client.datagrams6, endpoint: () => this.client.endpoint,
      find: (id) => this.entries.get(id),
      log: (line) => this.log(line),
    });
    this.store = new ResumeStore(opts.dataDir, { onProblem: (m) => this.log(`resume data: ${m}`) });
    this.bannedPeers = new BannedPeers(join(opts.dataDir, 'banned-peers.json'), (line) => this.log(line));
    this.client = clientFor(opts, settings, this.clock, (line) => this.log(line));
    this.checkpoints = new Checkpoints(this.store, this.clock, (line) => this.log(line), opts.dataSync !== false);
    this.runner = new TorrentRunner({
      dataSync: opts.dataSync !== false,
      clock: this.clock,
      client: this.client,
      store: this.store,
      discovery: this.discovery,
      isCurrent: (e) => !this.closed && this.entries.has(e.id),
      started: (e) => {
        this.activity.started(e);
        this.more.applyBans(e);
      },
      touch: (e) => this.touch(e),
      markSaved: (e) => this.checkpoints.markSaved(e),
      totalsChanged: () => this.totals.invalidate(),
      applyQueue: () => this.applyQueue(),
      queueChanged: () => (this.queueDirty = true),
      applyTorrentOptions: (e) => this.applyTorrentOptions(e),
      notice: (n) => this.stream.notice(n),
      uploadGoalReached: (e) => checkSeedGoals(e, this.settings, this.clock.now(), this.seedGoalHost),
      stateChanged: () => this.scheduler.soon(),
      log: (line, e) => this.log(line, e),
    });
    this.commandDeps = { runner: this.runner, store: this.store, touch: (e) => this.touch(e), applyQueue: () => this.applyQueue(), show: (e) => this.show(e) };
    this.more = new MoreCommands(
      {
        entry: (id) => this.entry(id),
        entries: () => this.entries.values(),
        notice: (n) => this.stream.notice(n),
        add: (data, savePath) => this.add({ type: 'add', source: { kind: 'torrent', data }, savePath }),
        log: (line) => this.log(line),
      },
      this.bannedPeers,
    );
    this.seedGoalHost = { remove: (e) => void this.remove(e, false), touch: (e) => this.touch(e), applyQueue: () => this.applyQueue(), log: (line, e) => this.log(line, e) };
    this.watch = new WatchFolders({
      dataDir: opts.dataDir,
      host: watchHost({ request: (req) => this.request(req), closed: () => this.closed, notice: (n) => this.stream.notice(n), log: (line) => this.log(line) }),
    });
    this.categories = new Categories({
      settings: () => this.settings,
      updateSettings: (patch) => this.updateSettings(patch),
      entries: () => this.entries.values(),
      isCurrent: this.isCurrent,
      touch: (e) => this.touch(e),
      move: (e, savePath) => moveStorage(e, savePath, this.commandDeps),
      notice: (n) => this.stream.notice(n),
      log: (line, e) => this.log(line, e),
    });
    this.scheduler = new TickScheduler(opts.batchIntervalMs ?? 333, () => this.tick(), (line) => this.log(line));
    this.dispatchHost = {
      entries: this.entries, commandDeps: this.commandDeps, categories: this.categories, more: this.more, stream: this.stream,
      rss: () => this.rss,
      entry: (id) => this.entry(id),
      select: (ids) => this.select(ids),
      touch: (e) => this.touch(e),
      applyQueue: () => this.applyQueue(),
      applyTorrentOptions: (e) => this.applyTorrentOptions(e),
      add: (cmd) => this.add(cmd),
      remove: (e, deleteData) => this.remove(e, deleteData),
      updateSettings: (patch) => this.updateSettings(patch),
      effective: () => this.effective(),
      streamUrl: (e, file) => streamUrl(e, file, this.streamLinks),
      diagnose: (e) => diagnose(gatherFacts(e, this.doctorContext())),
      snapshot: (view) => this.snapshot(view),
    };
  }

  static async open(opts: SessionOptions): Promise<Session> {
    const { settings, problem } = await loadSettings(new ResumeStore(opts.dataDir), opts.defaultDownloadDir);
    const session = new Session(opts, settings);
    if (problem) session.log(problem);
    // Before any torrent starts: each refuses the banned peers from its first connection.
    await session.bannedPeers.load();
    for (const entry of await loadEntries(session.store, settings.downloadDir, (line) => session.log(line))) {
      session.entries.set(entry.id, entry);
      session.activity.changedRow(entry);
    }
    session.normalisePositions();
    session.rss = await RssService.open(opts.dataDir, { add: (cmd) => session.add(cmd), notice: (n) => session.stream.notice(n), log: (line) => session.log(line), now: () => Date.now() });
    // Before anything runs: it cannot fail (a damaged ledger is logged and starts empty).
    await session.watch.load();
    try {
      await session.client.listen();
    } catch (err) {
      session.log(`${(err as Error).message}; listening on a random port instead`);
      await session.client.listenOn(0);
    }
    await session.discovery.start(settings, session.entries.values());
    session.scheduler.start();
    session.followPauseSchedule();
    session.applyQueue();
    void session.refreshFreeDisk();
    await session.watch.apply(session.effective().settings.watchFolders);
    return session;
  }

  get port(): number {
    return this.client.port;
  }

  private streamLinks: StreamLinks | null = null;

  /** The host's stream server, for `streamUrl` (engine/daemon/stream-server.ts). */
  setStreamLinks(links: StreamLinks | null): void {
    this.streamLinks = links;
  }

  /** A file to stream, by info hash (hex) and index; null when there is no such torrent or file. */
  streamFile(infoHashHex: string, fileIndex: number): StreamFile | null {
    const e = this.entries.get(infoHashHex);
    return e ? streamFile(e, fileIndex, (x) => this.touch(x)) : null;
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
    this.scheduler.wake();
    try {
      const result = await dispatch(req.command, view ?? this.defaultView, this.dispatchHost);
      if (CHANGES_RECORDS.has(req.command.type)) await this.persistChanged();
      return { kind: 'reply', requestId: req.requestId, ok: true, result };
    } catch (err) {
      return { kind: 'reply', requestId: req.requestId, ok: false, error: errorShape(err) };
    }
  }

  /** A batch first (to every view), so the snapshot is the base the next diffs apply to. */
  private snapshot(target: StreamView): void {
    this.emitBatch();
    const { settings, hostFixed } = this.effective();
    this.stream.snapshot(target, this.entries.values(), this.globalStats(), settings, (e) => roundForWire(summarize(e)), hostFixed);
  }

  // ---- commands that change the list or the settings ----

  /** Writes the records the command just changed; a record that cannot be written fails the command. */
  private async persistChanged(): Promise<void> {
    const failed = await this.checkpoints.persistChanged(this.isCurrent);
    if (failed.length > 0) throw new ApiError('Failed', `the change was made but could not be saved (${failed.length} record${failed.length === 1 ? '' : 's'}): see the log; it is retried at the next checkpoint`);
  }

  private async add(cmd: Extract<Command, { type: 'add' }>): Promise<ResultOf['add']> {
    const assertNew = (id: string): void => {
      const existing = this.entries.get(id);
      if (existing) throw new ApiError('Conflict', `"${existing.name}" is already in the list`);
    };
    const entry = entryToAdd(cmd, assertNew, this.categories.savePathForAdd(cmd), cmd.queueTop ? -1 : this.entries.size);
    await this.categories.labelNew(entry, cmd);
    assertNew(entry.id);
    const { id, name } = entry;
    this.entries.set(id, entry);
    this.touch(entry);
    this.normalisePositions();
    if (entry.meta && cmd.source.kind === 'torrent') await this.store.saveMetainfo(id, cmd.source.data);
    this.store.save(entryToRecord(entry));
    this.stream.added(id);
    this.applyQueue();
    return { id, name };
  }

  private async remove(entry: Entry, deleteData: boolean): Promise<void> {
    this.entries.delete(entry.id);
    this.activity.forget(entry);
    this.checkpoints.forget(entry);
    this.totals.invalidate();
    this.stream.removed(entry.id);
    const torrent = entry.torrent;
    await this.runner.deactivate(entry);
    if (deleteData && entry.meta) {
      const storage = torrent?.storage ?? (await offlineStorage(entry));
      await storage.deleteFiles();
    }
    await this.store.remove(entry.id);
    this.normalisePositions();
    this.applyQueue();
  }

  private async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.watchFolders) {
      const problem = await watchFolderProblem(patch.watchFolders);
      if (problem) throw new ApiError('InvalidCommand', problem);
      patch = { ...patch, watchFolders: savedWatchFolders(patch.watchFolders, this.opts.watchFolders) };
    }
    const conflict = settingsConflict(mergeSettings(this.settings, patch));
    if (conflict) throw new ApiError('InvalidCommand', conflict);
    const encryptionChanged = patch.encryption !== undefined && patch.encryption !== this.settings.encryption;
    const categoriesBefore = this.settings.categories;
    this.settings = mergeSettings(this.settings, patch);
    await this.store.saveSettings(this.settings);
    this.followPauseSchedule();
    this.categories.settingsChanged(categoriesBefore, this.settings.categories);
    applyClientSettings(this.client, this.settings, this.opts);
    // Peers the old policy refused may connect now (the doctor's "allow unencrypted peers").
    if (encryptionChanged) for (const e of this.entries.values()) e.torrent?.retryPeers();
    for (const e of this.entries.values()) this.applyTorrentOptions(e);
    await this.discovery.apply(this.settings, this.entries.values());
    this.applyQueue();
    this.queueDirty = true;
    const { settings, hostFixed } = this.effective();
    await this.watch.apply(settings.watchFolders);
    this.stream.settings(settings, hostFixed);
    return settings;
  }

  /** The settings in effect (the host's flags over the saved values); see effective-settings.ts. */
  private effective(): EffectiveSettings {
    return effectiveSettings(this.settings, this.opts, this.client.port);
  }

  // ---- the queue and limits ----

  private applyQueue(): void {
    if (this.closed) return;
    const { maxActiveDownloads, maxActiveSeeds } = this.settings;
    const downloadsPausedReason = this.downloadsPausedUntil === null ? null : schedulePauseReason(this.downloadsPausedUntil);
    const decision = decideQueue([...this.entries.values()].map(queueItemOf), { maxActiveDownloads, maxActiveSeeds, downloadsPausedReason });
    for (const e of this.entries.values()) {
      const waiting = decision.waiting.get(e.id) ?? null;
      if (waiting?.reason !== e.waiting?.reason || waiting?.bySchedule !== e.waiting?.bySchedule) {
        e.waiting = waiting;
        // Not saved state: thousands of torrents queueing at start must not mean thousands of record writes.
        this.show(e);
      }
      const shouldRun = decision.run.has(e.id);
      const running = e.torrent !== null || e.fetch !== null;
      if (shouldRun && !running) void this.runner.activate(e);
      else if (!shouldRun && running) void this.runner.deactivate(e).then(() => this.touch(e));
    }
  }

  /** The pause schedule's window opened or closed (wall clock, or its settings changed): the queue decides again. */
  private followPauseSchedule(): void {
    const until = downloadsPausedUntil(this.settings, new Date());
    if (until === this.downloadsPausedUntil) return;
    this.downloadsPausedUntil = until;
    this.queueDirty = true;
  }

  private applyTorrentOptions(entry: Entry): void {
    if (!entry.torrent) return;
    // The global connection cap is shared out among the running torrents.
    let running = 0;
    for (const e of this.entries.values()) if (e.torrent) running++;
    applyTorrentOptions(entry, this.settings, running);
  }

  private applyGlobalLimits(): void {
    this.client.setGlobalLimits(globalLimits(this.settings));
  }

  // ---- the clock and the state stream ----

  /** One step of the session's clock; true when nothing moves (the scheduler slows down). */
  private tick(): boolean {
    const now = this.clock.now();
    const stalledMs = this.settings.stalledAfterMinutes * 60_000;
    // Only a live torrent can stall or reach a seeding goal: records cost nothing here.
    for (const e of this.activity.running) {
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
      checkSeedGoals(e, this.settings, now, this.seedGoalHost);
    }
    this.checkpoints.syncAhead(this.activity.running);
    if (this.queueDirty) {
      this.queueDirty = false;
      this.applyQueue();
      this.applyGlobalLimits();
    }
    if (now - this.lastWhy >= WHY_INTERVAL_MS) {
      this.lastWhy = now;
      refreshWhy(this.activity.running, this.doctorContext(), (e) => this.show(e));
    }
    const moved = this.emitBatch();
    const quiet = !moved && !this.queueDirty && !this.activity.anyLiveWork();
    if (now - this.lastFlush > FLUSH_INTERVAL_MS) {
      this.lastFlush = now;
      // The weekly schedules (alternative limits, download pause) move with the wall clock.
      this.applyGlobalLimits();
      this.followPauseSchedule();
      this.checkpoints.run(this.activity.running, this.isCurrent);
      void this.refreshFreeDisk();
    }
    return quiet;
  }

  /** Sends the batch; true when it carried a change (not a heartbeat, not skipped). */
  private emitBatch(): boolean {
    // Stopped since the last checkpoint: it looks at the record once more.
    this.activity.pruneStopped((e) => this.checkpoints.lookAt(e));
    const moved = this.stream.batch(this.activity.candidates(this.isCurrent), (id) => this.entries.get(id), this.globalStats(), (e) => roundForWire(summarize(e)), this.clock.now());
    this.activity.batchSent();
    return moved;
  }

  private globalStats(): GlobalStats {
    return this.totals.stats(() => this.entries.values(), this.activity.running, this.clock.now(), { settings: this.settings, dhtNodes: this.discovery.dhtNodes, dhtNodes6: this.discovery.dhtNodes6, freeDiskBytes: this.freeDisk, portMapping: this.opts.portMapping ? this.client.reachability.status() : undefined });
  }

  private doctorContext(): DoctorContext {
    return {
      settings: this.settings,
      client: this.client,
      dhtNodes: this.discovery.dhtNodes,
      dhtEnabled: this.settings.dht && this.opts.dht !== undefined,
      portMapping: this.opts.portMapping ? this.client.reachability.status() : undefined,
      now: this.clock.now(),
    };
  }

  private async refreshFreeDisk(): Promise<void> {
    this.freeDisk = await freeDiskBytes(this.settings.downloadDir);
  }

  // ---- helpers ----

  /** Still in the list (not removed, not replaced by a torrent added again). */
  private readonly isCurrent = (e: Entry): boolean => this.entries.get(e.id) === e;

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new ApiError('NotFound', `no torrent with id ${id}`);
    return e;
  }

  private select(ids: readonly string[] | 'all'): Entry[] {
    return ids === 'all' ? [...this.entries.values()] : ids.map((id) => this.entry(id));
  }

  private normalisePositions(): void {
    setQueueOrder(this.entries, queueOrder(this.entries.values()), (e) => this.touch(e));
  }

  /** Something the UI shows changed; as it may be saved state too, the record is saved at the next checkpoint. */
  private touch(entry: Entry): void {
    this.show(entry);
    entry.recordDirty = true;
    this.checkpoints.lookAt(entry);
  }


  /** Something only the UI shows changed: the next batch carries the row, the record stays as it is. */
  private show(entry: Entry): void {
    entry.dirty = true;
    this.activity.changedRow(entry);
    this.scheduler.wake();
  }

  private log(line: string, entry?: Entry): void {
    this.opts.log?.(line, entry?.name);
  }

  /** Stops every torrent, saves resume data, and closes the listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.stop();
    await this.rss?.close();
    await this.watch.close();
    await Promise.all([...this.entries.values()].map((e) => this.runner.deactivate(e)));
    await this.discovery.close(this.entries.values());
    await this.store.flush();
    await this.client.close();
  }
}
