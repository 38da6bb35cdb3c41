/**
 * The relay between the engine worker and the renderer. It validates every request from the renderer
 * with parseRequest (a bad one gets an InvalidCommand reply and never reaches the engine), gives each
 * request an id of its own so main can send commands too (tray, add-without-asking) without clashing
 * with the renderer's ids, and passes events through untouched. It reads only `global` and `notices`
 * of batches (for the tray and notifications); it keeps no torrent state.
 */
import { parseRequest } from '../engine/api/validate.js';
import type { ApiErrorShape, Command, EngineEvent, EngineMessage, GlobalStats, Notice, Reply, UiMessage } from '../engine/api/types.js';
import type { WorkerToHost } from '../engine/worker/messages.js';

/** The engine side: what engine/worker's EngineWorker offers. */
export interface EngineSide {
  send(message: UiMessage): void;
  onMessage(listener: (message: WorkerToHost) => void): () => void;
}

/** The renderer side: a MessagePort (Electron's MessagePortMain in the app, node's in tests) behind an adapter. */
export interface RendererSide {
  post(message: EngineMessage): void;
  onMessage(listener: (data: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

export interface RelayHooks {
  /** Every snapshot and batch's global stats. */
  onGlobal?(global: GlobalStats): void;
  onNotices?(notices: readonly Notice[]): void;
  log?(line: string): void;
}

/** Sent for a request that could not even yield an id. */
export const NO_REQUEST_ID = -1;

type Pending = { from: 'renderer'; side: RendererSide; requestId: number } | { from: 'main'; resolve: (reply: Reply) => void };

export class EngineRelay {
  private renderer: RendererSide | null = null;
  private accepting = true;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly engine: EngineSide,
    private readonly hooks: RelayHooks = {},
  ) {
    this.unsubscribe = engine.onMessage((m) => this.fromEngine(m));
  }

  /** Connects a (new) renderer port; a previous one is closed and its outstanding replies dropped. */
  attachRenderer(side: RendererSide): void {
    const previous = this.renderer;
    this.renderer = side;
    if (previous) {
      this.dropPendingOf(previous);
      previous.close();
    }
    side.onMessage((data) => this.fromRenderer(side, data));
    side.onClose(() => {
      if (this.renderer === side) this.renderer = null;
      this.dropPendingOf(side);
    });
  }

  /** A command from main itself. Resolves with the engine's reply (or a typed error). */
  request(command: Command): Promise<Reply> {
    if (!this.accepting) return Promise.resolve(errorReply(NO_REQUEST_ID, { name: 'ShuttingDown', message: 'Tessera is quitting' }));
    const parsed = parseRequest({ kind: 'request', requestId: 0, command });
    if (!parsed.ok) return Promise.resolve(errorReply(NO_REQUEST_ID, parsed.error));
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { from: 'main', resolve });
      this.engine.send({ ...parsed.request, requestId: id });
    });
  }

  /** Shutdown step one: new requests get a ShuttingDown error; events still flow. */
  stopAccepting(): void {
    this.accepting = false;
  }

  close(): void {
    this.stopAccepting();
    this.unsubscribe();
    this.renderer?.close();
    this.renderer = null;
    for (const [id, p] of this.pending) if (p.from === 'main') p.resolve(errorReply(id, { name: 'ShuttingDown', message: 'Tessera is quitting' }));
    this.pending.clear();
  }

  private fromRenderer(side: RendererSide, data: unknown): void {
    if (side !== this.renderer) return;
    const parsed = parseRequest(data);
    if (!parsed.ok) {
      side.post(errorReply(parsed.requestId ?? NO_REQUEST_ID, parsed.error));
      return;
    }
    const { request } = parsed;
    if (!this.accepting) {
      side.post(errorReply(request.requestId, { name: 'ShuttingDown', message: 'Tessera is quitting' }));
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, { from: 'renderer', side, requestId: request.requestId });
    this.engine.send({ ...request, requestId: id });
  }

  private fromEngine(m: WorkerToHost): void {
    switch (m.kind) {
      case 'reply': {
        const p = this.pending.get(m.requestId);
        if (!p) return;
        this.pending.delete(m.requestId);
        if (p.from === 'main') p.resolve(m);
        else if (p.side === this.renderer) p.side.post({ ...m, requestId: p.requestId });
        return;
      }
      case 'settings':
        this.renderer?.post(m);
        return;
      case 'snapshot':
      case 'batch':
        this.tap(m);
        this.renderer?.post(m);
        return;
      case 'log':
        this.hooks.log?.(m.torrent ? `[${m.torrent}] ${m.line}` : m.line);
        return;
      case 'ready':
      case 'fatal':
      case 'shutdown-complete':
        return; // the host's business (engine/worker/host.ts)
      default: {
        const never: never = m;
        void never;
      }
    }
  }

  private tap(e: Extract<EngineEvent, { kind: 'snapshot' | 'batch' }>): void {
    try {
      this.hooks.onGlobal?.(e.global);
      if (e.kind === 'batch' && e.notices.length) this.hooks.onNotices?.(e.notices);
    } catch (err) {
      this.hooks.log?.(`relay hook failed: ${(err as Error).message}`);
    }
  }

  private dropPendingOf(side: RendererSide): void {
    for (const [id, p] of this.pending) if (p.from === 'renderer' && p.side === side) this.pending.delete(id);
  }
}

function errorReply(requestId: number, error: ApiErrorShape): Reply {
  return { kind: 'reply', requestId, ok: false, error: { name: error.name, message: error.message } };
}
