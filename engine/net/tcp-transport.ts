import { connect, createServer, type Socket } from 'node:net';
import { unmapIPv4 } from './address.js';
import { BindError } from './bind-error.js';
import { formatEndpoint } from '../api/endpoint.js';
import type { Acceptor, IncomingStream, StreamSink } from './transport.js';

/**
 * Reads after a rate-limit pause that use small buffers (see connectTcp): a limited
 * socket then takes its bytes in slices of 64 KiB instead of up to 1 MiB at once,
 * so the limit is met smoothly rather than in half-second gulps.
 */
const SMALL_READS_AFTER_PAUSE = 64;

/** Piece messages gathered into one writev at most (then writeBlock says "wait for drain"): 16 blocks of 16 KiB. */
const BLOCK_BATCH_BYTES = 256 * 1024;

/** The TCP transport: adapts a socket to the stream a peer connection reads and writes. */
export class TcpTransport implements IncomingStream {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private sink: StreamSink | null = null;
  private pending: Uint8Array[] = [];
  private closedReason: string | null = null;
  private paused = false;
  private smallReadsLeft = 0;
  /** Piece messages are being gathered for one writev (see writeBlock). */
  private corked = false;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? '?');
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    socket.on('drain', () => this.sink?.drained());
    socket.on('error', (err) => this.end(err.message));
    socket.on('close', () => this.end('connection closed'));
    socket.on('end', () => this.end('peer closed the connection'));
  }

  /** Holds bytes for the next sink (those that followed a handshake read by someone else). */
  requeue(chunk: Uint8Array): void {
    this.pending.push(Buffer.from(chunk));
  }

  attach(sink: StreamSink): void {
    this.sink = sink;
    // A sink may attach the next one while it takes these (a handshake ends): that one gets the rest.
    while (this.pending.length > 0 && this.sink === sink) sink.receive(this.pending.shift()!);
    if (this.closedReason !== null && this.sink === sink) sink.transportClosed(this.closedReason);
  }

  /** Delivers bytes from the socket; `chunk` may be a reused buffer. */
  deliver(chunk: Uint8Array): void {
    if (this.smallReadsLeft > 0) this.smallReadsLeft--;
    if (this.sink) this.sink.receive(chunk);
    else this.pending.push(Buffer.from(chunk));
  }

  write(data: Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(data);
  }

  /**
   * Piece messages written in one turn of the event loop go to the kernel together: the socket is corked at the
   * first and uncorked on the next tick, so Node hands them to one writev (each payload from where it lies) instead
   * of one write per 16 KiB block. The answer is false once BLOCK_BATCH_BYTES are queued (this turn's and any the
   * kernel has not taken yet); the socket's 'drain' follows, as for write().
   */
  writeBlock(header: Uint8Array, payload: Uint8Array, onSent?: () => void): boolean {
    const socket = this.socket;
    if (socket.destroyed) {
      onSent?.();
      return false;
    }
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.uncork);
    }
    socket.write(header);
    // Node calls back once libuv has written the bytes (or with an error when the socket is destroyed first).
    socket.write(payload, onSent);
    return socket.writableLength < BLOCK_BATCH_BYTES;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  destroy(): void {
    this.socket.destroy();
  }

  /** Stops reading from the socket (a download limit is in debt); the kernel buffer then fills and TCP slows the sender. */
  pauseReading(): void {
    this.smallReadsLeft = SMALL_READS_AFTER_PAUSE;
    if (this.paused || this.socket.destroyed) return;
    this.paused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.socket.destroyed) this.socket.resume();
  }

  get readingPaused(): boolean {
    return this.paused;
  }

  /** True while recently rate-limited: connectTcp() then reads in small slices. */
  get smallReads(): boolean {
    return this.smallReadsLeft > 0;
  }

  private end(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.sink?.transportClosed(reason);
  }
}

/** One read buffer shared by every outgoing socket: reads never allocate. */
const READ_BUFFER = Buffer.allocUnsafe(1 << 20);
/** The first 64 KiB of it, for sockets under a download limit (see TcpTransport.smallReads). */
const SMALL_READ_BUFFER = READ_BUFFER.subarray(0, 1 << 16);

/**
 * Opens a TCP connection. Bytes are read into a shared buffer and handed to the
 * transport's sink synchronously, so the sink must copy what it keeps.
 */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<TcpTransport> {
  return new Promise((resolve, reject) => {
    let transport: TcpTransport | null = null;
    const socket = connect({
      host,
      port,
      onread: {
        // Called before each read: no allocation, just a choice between two views.
        buffer: () => (transport !== null && transport.smallReads ? SMALL_READ_BUFFER : READ_BUFFER),
        callback: (n: number, buf: Uint8Array) => {
          transport?.deliver(buf.subarray(0, n));
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${formatEndpoint(host, port)} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      transport = new TcpTransport(socket);
      resolve(transport);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      if (!transport) reject(err);
    });
  });
}

/**
 * Accepts TCP connections on host:port; incoming sockets' bytes arrive as 'data' events. `ipv6Only` keeps an IPv6
 * socket off IPv4 (the listener binds IPv4 on its own socket with the same port number).
 */
export function listenTcp(port: number, host: string, onStream: (stream: IncomingStream) => void, maxConnections: number, ipv6Only = false): Promise<Acceptor> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket: Socket) => {
      const transport = new TcpTransport(socket);
      socket.on('data', (chunk: Buffer) => transport.deliver(chunk));
      onStream(transport);
    });
    server.maxConnections = maxConnections;
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new BindError(err.code === 'EADDRINUSE' ? `port ${port} is already in use: choose another with --port` : err.message, err.code));
    });
    server.listen({ port, host, ipv6Only }, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
