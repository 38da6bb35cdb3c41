/**
 * A protocol client of a running daemon over its WebSocket (/api?token=…), for CLI commands that ask a daemon
 * something (`tessera doctor`): connect, send requests, read their replies. The state stream the daemon also
 * sends is ignored. Lives in net/ because it opens a socket.
 */
import { WebSocket, type RawData } from 'ws';
import type { Command, EngineMessage, ResultOf } from '../api/types.js';
import { decodeBinaryMessage, encodeMessage } from '../api/wire.js';

const CONNECT_TIMEOUT_MS = 5_000;
const REPLY_TIMEOUT_MS = 15_000;

export class DaemonRequestError extends Error {
  constructor(readonly errorName: string, message: string) {
    super(message);
    this.name = 'DaemonRequestError';
  }
}

export class ApiClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      let msg: EngineMessage;
      try {
        msg = decodeBinaryMessage(bytesOf(data)) as EngineMessage;
      } catch {
        return;
      }
      if (msg.kind !== 'reply') return;
      const w = this.waiting.get(msg.requestId);
      if (!w) return;
      this.waiting.delete(msg.requestId);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new DaemonRequestError(msg.error.name, msg.error.message));
    });
    ws.on('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('the daemon closed the connection'));
      this.waiting.clear();
    });
  }

  /** Connects to `url` (ws://host:port/api?token=…); rejects with one line saying why not. */
  static connect(url: string): Promise<ApiClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: CONNECT_TIMEOUT_MS });
      ws.once('open', () => resolve(new ApiClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        ws.terminate();
        reject(new Error(status === 401 ? 'the daemon refused the token (401): pass --token, or the daemon\'s --data-dir so its saved token is read' : `the daemon refused the connection (HTTP ${status})`));
      });
      ws.once('error', (err) => reject(new Error(`cannot reach the daemon at ${redact(url)}: ${err.message}`)));
    });
  }

  request<C extends Command>(command: C): Promise<ResultOf[C['type']]> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new Error(`the daemon did not answer ${command.type} within ${REPLY_TIMEOUT_MS / 1000} s`));
      }, REPLY_TIMEOUT_MS);
      this.waiting.set(requestId, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as ResultOf[C['type']]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(encodeMessage({ kind: 'request', requestId, command }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** The URL without its token, for error messages. */
function redact(url: string): string {
  return url.replace(/token=[^&]*/, 'token=…');
}
