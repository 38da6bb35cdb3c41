/**
 * The protocol over WebSocket to `tessera daemon` (web mode). Text frames in the engine/api/wire codec.
 * Reconnects with back-off; the daemon sends a snapshot to every new connection.
 */
import type { EngineMessage, UiMessage } from '../../engine/api/types.js';
import { decodeBinaryMessage, encodeMessage } from '../../engine/api/wire.js';
import { Listeners, type ConnectionStatus, type Transport } from './transport.js';

const TOKEN_KEY = 'tessera.token';

/**
 * The daemon's token: from the URL fragment the daemon printed (`#token=…`), remembered for this tab so
 * a reload works, and removed from the address bar so it does not end up in screenshots or history.
 */
export function takeToken(location: Location, storage: Storage, history: History): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match) {
    storage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return storage.getItem(TOKEN_KEY);
}

export function apiUrl(location: Location, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export class WebSocketTransport implements Transport {
  private socket: WebSocket | null = null;
  private readonly messages = new Listeners<EngineMessage>();
  private readonly statuses = new Listeners<ConnectionStatus>();
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private everOpened = false;

  constructor(private readonly url: string) {
    queueMicrotask(() => this.connect());
  }

  send(message: UiMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeMessage(message));
    else throw new Error('not connected to the Tessera daemon');
  }

  onMessage(listener: (message: EngineMessage) => void): () => void {
    return this.messages.add(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  private connect(): void {
    if (this.closed) return;
    this.statuses.emit({ state: 'connecting' });
    const ws = new WebSocket(this.url);
    this.socket = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      this.everOpened = true;
      this.statuses.emit({ state: 'open' });
    };
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev: MessageEvent) => {
      // The daemon only sends what the engine produced; a frame that does not decode is a bug there, not
      // something to act on.
      let message: EngineMessage;
      try {
        // Binary frames only: typed arrays (piece maps) travel outside the JSON.
        if (!(ev.data instanceof ArrayBuffer)) return;
        message = decodeBinaryMessage(new Uint8Array(ev.data)) as EngineMessage;
      } catch {
        return;
      }
      this.messages.emit(message);
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.closed) return;
      const retryInMs = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      const reason = this.everOpened
        ? 'Lost the connection to the Tessera daemon. Is it still running?'
        : 'Cannot reach the Tessera daemon. Check that it is running and open the link it printed (ending in #token=…).';
      this.statuses.emit({ state: 'closed', reason, retryInMs });
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    };
  }
}
