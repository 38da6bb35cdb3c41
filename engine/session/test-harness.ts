// Test helper: a Session driven only through the protocol, with a mirror of the state it streams.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, EngineEvent, GlobalStats, Notice, ResultOf, Settings, TorrentDetails, TorrentSummary } from '../api/types.js';
import { applyPatch, SequenceTracker } from '../api/diff.js';
import { Session, type SessionOptions } from './session.js';
import { waitUntil } from '../testing/wait.js';

export class SessionHarness {
  readonly list = new Map<string, TorrentSummary>();
  global: GlobalStats | null = null;
  /** The settings as the last snapshot or settings event told them. */
  settings: Settings | null = null;
  details: TorrentDetails | null = null;
  readonly notices: Notice[] = [];
  readonly log: string[] = [];
  readonly events: EngineEvent[] = [];
  gaps = 0;
  private readonly seq = new SequenceTracker();
  private nextRequest = 1;
  session!: Session;

  private constructor(readonly dataDir: string, readonly downloadDir: string, private readonly tempRoot: string) {}

  static async open(opts: { dataDir?: string; downloadDir?: string; extra?: Partial<SessionOptions> } = {}): Promise<SessionHarness> {
    const root = mkdtempSync(join(tmpdir(), 'tessera-session-'));
    const h = new SessionHarness(opts.dataDir ?? join(root, 'data'), opts.downloadDir ?? join(root, 'downloads'), root);
    h.session = await Session.open({
      dataDir: h.dataDir,
      defaultDownloadDir: h.downloadDir,
      listenHost: '127.0.0.1',
      listenPort: 0,
      batchIntervalMs: 50,
      onEvent: (e) => h.onEvent(e),
      log: (l) => h.log.push(l),
      ...opts.extra,
    });
    await h.send({ type: 'snapshot' });
    return h;
  }

  private onEvent(e: EngineEvent): void {
    this.events.push(e);
    if (this.seq.accept(e.seq, e.kind === 'snapshot') === 'gap') this.gaps++;
    if (e.kind === 'snapshot') {
      this.list.clear();
      for (const t of e.torrents) this.list.set(t.id, t);
      this.global = e.global;
      this.settings = e.settings;
      return;
    }
    if (e.kind === 'settings') {
      this.settings = e.settings;
      return;
    }
    for (const t of e.added) this.list.set(t.id, t);
    for (const p of e.changed) {
      const prev = this.list.get(p.id);
      if (prev) this.list.set(p.id, applyPatch(prev, p));
    }
    for (const id of e.removed) this.list.delete(id);
    this.global = e.global;
    if (e.details) this.details = e.details;
    this.notices.push(...e.notices);
  }

  /** Sends a command; resolves with the result or rejects with the engine's error message. */
  async send<C extends Command>(command: C): Promise<ResultOf[C['type']]> {
    const reply = await this.session.request({ kind: 'request', requestId: this.nextRequest++, command });
    if (!reply.ok) throw new Error(`${reply.error.name}: ${reply.error.message}`);
    return reply.result as ResultOf[C['type']];
  }

  /** Resolves once the streamed state satisfies `cond`. */
  until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
    const safe = (): boolean => {
      try {
        return cond();
      } catch {
        return false;
      }
    };
    return waitUntil(safe, ms, () => `${what}; list: ${JSON.stringify([...this.list.values()].map((t) => [t.name, t.state, t.stateReason, t.progress]))}`);
  }

  get(id: string): TorrentSummary {
    const t = this.list.get(id);
    if (!t) throw new Error(`torrent ${id} not in the streamed list`);
    return t;
  }

  async close(remove = true): Promise<void> {
    await this.session.close();
    // Only the harness's own temporary folder: a caller's dataDir may outlive this session.
    if (remove) rmSync(this.tempRoot, { recursive: true, force: true });
  }
}
