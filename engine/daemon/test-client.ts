// Test helper: a protocol client over a real WebSocket (the `ws` package), mirroring the streamed list.
import { WebSocket } from 'ws';
import type { Command, EngineEvent, EngineMessage, Notice, Reply, ResultOf, TorrentSummary } from '../api/types.js';
import { applyListDiff, SequenceTracker } from '../api/diff.js';
import { decodeBinaryMessage, encodeMessage } from '../api/wire.js';
import { waitUntil } from '../testing/wait.js';

export class WsTestClient {
  list = new Map<string, TorrentSummary>();
  readonly events: EngineEvent[] = [];
  readonly replies: Reply[] = [];
  readonly notices: Notice[] = [];
  gaps = 0;
  closed = false;
  private readonly seq = new SequenceTracker();
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // The daemon sends binary frames (typed arrays outside the JSON), as the browser client reads them.
      if (!isBinary) throw new Error('the daemon sent a text frame');
      this.receive(decodeBinaryMessage(frameBytes(data)) as EngineMessage);
    });
    ws.on('close', () => (this.closed = true));
  }

  /** Opens a WebSocket; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new WsTestClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new RefusedError(res.statusCode ?? 0));
        ws.terminate();
      });
      ws.once('error', (err) => reject(err));
    });
  }

  private receive(m: EngineMessage): void {
    if (m.kind === 'reply') {
      this.replies.push(m);
      return;
    }
    this.events.push(m);
    if (this.seq.accept(m.seq, m.kind === 'snapshot') === 'gap') this.gaps++;
    if (m.kind === 'snapshot') {
      this.list = new Map(m.torrents.map((t) => [t.id, t]));
      return;
    }
    if (m.kind === 'settings') return;
    this.list = applyListDiff(this.list, m);
    this.notices.push(...m.notices);
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and waits for its reply (ok or not). */
  async request(command: Command | Record<string, unknown>, ms = 10_000): Promise<Reply> {
    const requestId = this.nextId++;
    this.sendRaw(encodeMessage({ kind: 'request', requestId, command: command as Command }));
    await waitUntil(() => this.replies.some((r) => r.requestId === requestId), ms, () => `no reply to ${JSON.stringify(command).slice(0, 200)}`);
    return this.replies.find((r) => r.requestId === requestId)!;
  }

  /** Sends a command; resolves with its result or rejects with the engine's error. */
  async send<C extends Command>(command: C): Promise<ResultOf[C['type']]> {
    const reply = await this.request(command);
    if (!reply.ok) throw new Error(`${reply.error.name}: ${reply.error.message}`);
    return reply.result as ResultOf[C['type']];
  }

  until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
    return waitUntil(cond, ms, () => `${what}; list: ${JSON.stringify([...this.list.values()].map((t) => [t.name, t.state, t.stateReason]))}`);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000).unref();
    });
  }
}

export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
