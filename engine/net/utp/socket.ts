// Many uTP connections over one UDP socket (the one the DHT uses too: it takes only datagrams shaped like uTP).
// Connections are keyed by the peer's address and the connection id they send to us. One timer per socket drives
// every connection's timers, and ACKs and small writes are batched: datagrams received in one event-loop turn are
// answered together at its end (setImmediate), not one by one. When a turn's read stopped at libuv's per-turn limit,
// the socket still holds datagrams: the answer waits for them (libtorrent likewise acks once its read loop has
// drained the socket), so a fast peer's burst costs one ACK, not one per 32 datagrams.
import { randomInt } from 'node:crypto';
import { UtpConnection, type UtpConnectionEvents, type UtpConnectionOptions } from './connection.js';
import { maxDatagramTo } from './link-mtu.js';
import { ST_RESET, ST_SYN, decodePacketInto, emptyPacket, encodeHeader, HEADER_SIZE, looksLikeUtp } from './packet.js';
import { UtpStream, type UtpStreamHost } from './stream.js';

/** What a UtpSocket needs from a UDP socket (net/udp.ts's UdpSocket is one). */
export interface UtpDatagramPort {
  send(data: Uint8Array, host: string, port: number): void;
  /** Subscribes `fn` to the datagrams `accepts` takes, the sender's address as arguments (no object per datagram). */
  onDatagram(fn: (data: Uint8Array, host: string, port: number) => void, accepts?: (data: Uint8Array) => boolean): () => void;
}

export interface UtpSocketOptions extends UtpConnectionOptions {
  /** Timer period for retransmissions, timeouts and keep-alives (default 50 ms). */
  readonly tickMillis?: number;
  /** Most connections at once, incoming and outgoing (default 1000); more SYNs get a RESET. */
  readonly maxConnections?: number;
  /** Largest datagram path MTU discovery may try, for every peer; default: per peer, from its interface's MTU (link-mtu.ts). */
  readonly maxDatagram?: number;
}

/** libuv reads at most this many datagrams from a socket per event-loop turn (uv__udp_recvmsg's loop). */
const READS_PER_TURN = 32;
/** Turns the flush may wait for a socket that is still full: at most (1 + this) × 32 datagrams per ACK. */
const MAX_DEFERRED_TURNS = 3;

interface Entry {
  readonly conn: UtpConnection;
  readonly stream: UtpStream;
  readonly host: string;
  readonly port: number;
}

/** Monotonic microseconds (performance.now has sub-microsecond resolution and, unlike hrtime.bigint, allocates nothing). */
function nowMicros(): number {
  return Math.floor(performance.now() * 1000);
}

export class UtpSocket implements UtpStreamHost {
  private readonly connections = new ConnectionTable();
  private dirty = new Set<UtpConnection>();
  /** The other of two sets flushDirty alternates between (see there). */
  private flushing = new Set<UtpConnection>();
  private flushScheduled = false;
  /** uTP datagrams read since the last flush ran, and how many turns in a row it waited for more (see flushDirty). */
  private receivedThisTurn = 0;
  private deferredTurns = 0;
  private timer: NodeJS.Timeout | null = null;
  private incoming: ((stream: UtpStream) => void) | null = null;
  private readonly unsubscribe: () => void;
  private readonly packet = emptyPacket();
  private readonly resetBuf = new Uint8Array(HEADER_SIZE);
  private closed = false;
  /** Datagrams that were not valid uTP, and RESETs sent for unknown connections. */
  malformed = 0;
  resetsSent = 0;

  constructor(
    private readonly udp: UtpDatagramPort,
    private readonly opts: UtpSocketOptions = {},
  ) {
    this.unsubscribe = udp.onDatagram(this.onDatagram, looksLikeUtp);
  }

  now(): number {
    return nowMicros();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Accept incoming connections; without a handler (or with null: uTP switched off), SYNs are answered with RESET. */
  onConnection(fn: ((stream: UtpStream) => void) | null): void {
    this.incoming = fn;
  }

  /**
   * Opens a connection; resolves when the peer answers the SYN, rejects on RESET or when the SYN retries run
   * out, or after `timeoutMs` (the connection is then aborted: a dialler falls back to TCP sooner).
   */
  connect(host: string, port: number, timeoutMs?: number): Promise<UtpStream> {
    if (this.closed) return Promise.reject(new Error('uTP socket closed'));
    let recvId = randomInt(0x10000);
    while (this.connections.get(host, port, recvId)) recvId = (recvId + 1) & 0xffff;
    return new Promise((resolve, reject) => {
      const stream = new UtpStream(host, port, this);
      let settled = false;
      let timer: NodeJS.Timeout | null = null;
      const events = this.eventsFor(stream, host, port, () => recvId, {
        connected: () => {
          if (timer) clearTimeout(timer);
          settled = true;
          resolve(stream);
        },
        closed: (reason) => {
          if (timer) clearTimeout(timer);
          if (!settled) reject(new Error(`uTP connect to ${host}:${port}: ${reason}`));
          settled = true;
        },
      });
      const conn = UtpConnection.connect(recvId, randomInt(0x10000), events, this.connectionOptions(host), nowMicros());
      this.add(conn, stream, host, port);
      if (timeoutMs !== undefined && !settled) {
        timer = setTimeout(() => conn.abort('timed out', nowMicros()), timeoutMs);
        timer.unref();
      }
    });
  }

  /** Closes every connection with a RESET and stops listening; the UDP socket stays open (its owner closes it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const now = nowMicros();
    for (const e of this.connections.all()) e.conn.abort('uTP socket closed', now);
    this.connections.clear();
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  scheduleFlush(conn: UtpConnection): void {
    this.dirty.add(conn);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushDirty);
  }

  /**
   * Flushes every connection marked dirty. A flush may emit `drained`, and the writer's answer marks its connection
   * dirty again: that lands in the fresh set and gets a flush of its own, instead of being wiped by a clear() after
   * the loop (which left freshly written data waiting for the 50 ms tick, one window per tick).
   */
  private readonly flushDirty = (): void => {
    const socketStillFull = this.receivedThisTurn >= READS_PER_TURN;
    this.receivedThisTurn = 0;
    if (socketStillFull && this.deferredTurns < MAX_DEFERRED_TURNS) {
      // The next turn's poll reads the rest at once (a pending immediate makes it not block); an immediate queued
      // from an immediate runs after that poll, so this adds no waiting, only answers the whole burst once.
      this.deferredTurns++;
      setImmediate(this.flushDirty);
      return;
    }
    this.deferredTurns = 0;
    this.flushScheduled = false;
    const now = nowMicros();
    const batch = this.dirty;
    this.dirty = this.flushing;
    this.flushing = batch;
    for (const conn of batch) conn.flush(now);
    batch.clear();
  };

  private readonly onDatagram = (data: Uint8Array, host: string, port: number): void => {
    const p = this.packet;
    if (decodePacketInto(data, p) !== null) {
      this.malformed++;
      return;
    }
    const now = nowMicros();
    // A SYN names the id it will send with; we receive on that plus one, as for every later packet.
    const recvId = p.type === ST_SYN ? (p.connectionId + 1) & 0xffff : p.connectionId;
    const entry = this.connections.get(host, port, recvId) ?? (p.type === ST_RESET ? this.resetTarget(host, port, p.connectionId) : undefined);
    if (entry) {
      this.receivedThisTurn++;
      entry.conn.receive(p, data, now);
      this.scheduleFlush(entry.conn);
      return;
    }
    if (p.type === ST_SYN && this.incoming && !this.closed && this.connections.size < (this.opts.maxConnections ?? 1000)) {
      const stream = new UtpStream(host, port, this);
      const events = this.eventsFor(stream, host, port, () => recvId, {});
      const conn = UtpConnection.accept(p, randomInt(0x10000), events, this.connectionOptions(host), now);
      this.add(conn, stream, host, port);
      this.incoming(stream);
      return;
    }
    if (p.type !== ST_RESET) this.sendReset(p.connectionId, p.seqNr, host, port);
  };

  private connectionOptions(host: string): UtpConnectionOptions {
    return { ...this.opts, maxDatagram: this.opts.maxDatagram ?? maxDatagramTo(host) };
  }

  /** Implementations differ in which id a RESET for an unknown connection carries: also take our send id. */
  private resetTarget(host: string, port: number, id: number): Entry | undefined {
    for (const delta of [-1, 1]) {
      const e = this.connections.get(host, port, (id + delta) & 0xffff);
      if (e && e.conn.sendId === id) return e;
    }
    return undefined;
  }

  /** Tells a peer that a connection does not exist (BEP 29: answer packets of unknown connections with RESET). */
  private sendReset(sendId: number, ackNr: number, host: string, port: number): void {
    this.resetsSent++;
    const buf = Buffer.allocUnsafe(HEADER_SIZE);
    encodeHeader(
      buf,
      { type: ST_RESET, connectionId: sendId & 0xffff, timestampMicros: nowMicros() >>> 0, timestampDiffMicros: 0, windowSize: 0, seqNr: randomInt(0x10000), ackNr },
      null,
      0,
    );
    this.udp.send(buf, host, port);
  }

  private add(conn: UtpConnection, stream: UtpStream, host: string, port: number): void {
    if (conn.state === 'closed') return;
    stream.bind(conn);
    this.connections.add({ conn, stream, host, port });
    if (this.timer === null) {
      this.timer = setInterval(this.tick, this.opts.tickMillis ?? 50);
      this.timer.unref();
    }
  }

  private readonly tick = (): void => {
    const now = nowMicros();
    for (const e of this.connections.all()) e.conn.tick(now);
    if (this.connections.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  };

  private eventsFor(
    stream: UtpStream,
    host: string,
    port: number,
    recvId: () => number,
    extra: { connected?: () => void; closed?: (reason: string) => void },
  ): UtpConnectionEvents {
    return {
      send: (d) => this.udp.send(d, host, port),
      data: (chunk) => stream.data(chunk),
      connected: () => extra.connected?.(),
      drained: () => stream.drained(),
      closed: (reason) => {
        this.connections.remove(host, port, recvId());
        extra.closed?.(reason);
        stream.closed(reason);
      },
    };
  }
}

/**
 * Connections by (peer address, the id they send to us). Looked up by the 16-bit id first, so finding the
 * connection of an arriving packet builds no key string: no allocation per packet.
 */
class ConnectionTable {
  private readonly byId = new Map<number, Entry[]>();
  size = 0;

  get(host: string, port: number, recvId: number): Entry | undefined {
    const list = this.byId.get(recvId);
    if (list === undefined) return undefined;
    for (const e of list) if (e.port === port && e.host === host) return e;
    return undefined;
  }

  add(e: Entry): void {
    const list = this.byId.get(e.conn.recvId);
    if (list) list.push(e);
    else this.byId.set(e.conn.recvId, [e]);
    this.size++;
  }

  remove(host: string, port: number, recvId: number): void {
    const list = this.byId.get(recvId);
    const i = list ? list.findIndex((e) => e.port === port && e.host === host) : -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.byId.delete(recvId);
    this.size--;
  }

  /** A snapshot: callers may close connections while walking it. */
  all(): Entry[] {
    const out: Entry[] = [];
    for (const list of this.byId.values()) out.push(...list);
    return out;
  }

  clear(): void {
    this.byId.clear();
    this.size = 0;
  }
}
