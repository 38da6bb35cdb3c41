// A uTP connection seen as the byte stream a peer connection reads and writes: the same shape as the TCP
// SocketTransport, so the wire codec, MSE, rate limits and statistics work over it unchanged.
import type { IncomingStream, StreamEncryption, StreamSink, TransportKind } from '../transport.js';
import type { UtpConnection } from './connection.js';
import type { PathMtuStats } from './mtu.js';

/** What a stream needs from the socket that carries it. */
export interface UtpStreamHost {
  now(): number;
  /** Sends what the connection has queued soon (batched: once per event-loop turn for all connections). */
  scheduleFlush(conn: UtpConnection): void;
}

export class UtpStream implements IncomingStream {
  readonly encryption: StreamEncryption = 'plaintext';
  readonly kind: TransportKind = 'utp';
  private sink: StreamSink | null = null;
  private pending: Uint8Array[] = [];
  private closedReason: string | null = null;
  private conn: UtpConnection | null = null;

  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly host: UtpStreamHost,
  ) {}

  /** Path MTU discovery of the connection under this stream (see UtpConnection.pathMtu); null before it exists. */
  get pathMtu(): PathMtuStats | null {
    return this.conn?.pathMtu ?? null;
  }

  /** Called once by the socket when the connection object exists. */
  bind(conn: UtpConnection): void {
    this.conn = conn;
  }

  attach(sink: StreamSink): void {
    this.sink = sink;
    while (this.pending.length > 0 && this.sink === sink) sink.receive(this.pending.shift()!);
    if (this.closedReason !== null && this.sink === sink) sink.transportClosed(this.closedReason);
  }

  requeue(chunk: Uint8Array): void {
    this.pending.push(Uint8Array.from(chunk));
  }

  write(data: Uint8Array): boolean {
    return this.queue(data, false);
  }

  /** The caller gives the buffer up: the connection keeps it instead of a copy. */
  writeOwned(data: Uint8Array): boolean {
    return this.queue(data, true);
  }

  private queue(data: Uint8Array, owned: boolean): boolean {
    const conn = this.conn;
    if (conn === null || this.closedReason !== null) return false;
    const ok = conn.write(data, owned);
    this.host.scheduleFlush(conn);
    return ok;
  }

  /** Ends the stream: unsent data and a FIN still go out (the socket keeps the connection until acknowledged). */
  destroy(): void {
    if (this.conn && this.conn.state !== 'closed') {
      this.conn.end(this.host.now());
      this.host.scheduleFlush(this.conn);
    }
    this.closed('connection closed');
  }

  pauseReading(): void {
    this.conn?.pauseReading();
  }

  resumeReading(): void {
    if (!this.conn) return;
    this.conn.resumeReading(this.host.now());
    this.host.scheduleFlush(this.conn);
  }

  // Events from the connection (through the socket).

  data(chunk: Uint8Array): void {
    if (this.closedReason !== null) return;
    if (this.sink) this.sink.receive(chunk);
    else this.pending.push(Uint8Array.from(chunk));
  }

  drained(): void {
    if (this.closedReason === null) this.sink?.drained();
  }

  closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.sink?.transportClosed(reason);
  }
}
