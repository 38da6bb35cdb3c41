// KRPC transactions (BEP 5) over an injected datagram transport, with injected Clock and timers.
//
// Outgoing: `query()` gives each query a transaction id, sends it, and settles when the response (or error reply)
// comes back from the address the query went to: a reply with a known tid from any other address is ignored.
// A query that gets no answer within `timeoutMs` is sent once more (same tid, `onRetry` is told), then fails with
// 'timeout'. At most `maxOutstanding` queries are in flight or queued; past that, `query()` fails with 'overloaded'
// at once. Outgoing queries pass a token bucket (`queriesPerSecond`): over the rate they wait in a FIFO queue.
//
// Incoming: each datagram is decoded; queries pass a second token bucket (`incomingPerSecond`) and the excess is
// dropped without a reply. The handler's answer gets the query's tid and, per BEP 42, the requester's address in `ip`.
// Malformed queries get error 203; nothing is ever thrown at the transport.
import type { Clock } from '../common/clock.js';
import { TokenBucket } from '../common/token-bucket.js';
import type { CompactPeer } from '../wire/compact.js';
import {
  decodeKrpc,
  encodeKrpc,
  KrpcError,
  KrpcErrorCode,
  type AnnouncePeerQuery,
  type FindNodeQuery,
  type GetPeersQuery,
  type KrpcErrorMessage,
  type KrpcMessage,
  type KrpcQuery,
  type KrpcResponse,
  type PingQuery,
} from './krpc.js';
import { defaultRandomBytes, type RandomBytes } from './node-id.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** What the RPC layer needs from a UDP socket (engine/net/udp.ts's UdpSocket is one). */
export interface DatagramTransport {
  send(data: Uint8Array, host: string, port: number): void;
  onMessage(fn: (data: Uint8Array, from: Address) => void): () => void;
}

/** Timer functions (same shape as net/bandwidth's Scheduler), so tests run on a fake clock. */
export interface RpcTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** An outgoing query without the envelope the RPC layer fills in (tid, version). */
export type OutgoingQuery =
  | Omit<PingQuery, 'y' | 'tid' | 'clientVersion' | 'ip'>
  | Omit<FindNodeQuery, 'y' | 'tid' | 'clientVersion' | 'ip'>
  | Omit<GetPeersQuery, 'y' | 'tid' | 'clientVersion' | 'ip'>
  | Omit<AnnouncePeerQuery, 'y' | 'tid' | 'clientVersion' | 'ip'>;

/** A handler's answer to a query: a response body or an error; the RPC layer adds tid, version and `ip`. */
export type QueryAnswer = { y: 'r'; body: Omit<KrpcResponse, 'y' | 'tid' | 'clientVersion' | 'ip'> } | { y: 'e'; code: number; message: string };

/** Called for each incoming query that passed the rate limit; return null to send nothing. */
export type QueryHandler = (query: KrpcQuery, from: Address) => QueryAnswer | null;

export type RpcFailureReason =
  /** No answer after the retry. */
  | 'timeout'
  /** The remote answered with a KRPC error (`code`, `message`). */
  | 'remote-error'
  /** The answer could not be decoded. */
  | 'malformed'
  /** Too many queries outstanding. */
  | 'overloaded'
  /** The RPC layer was closed. */
  | 'closed';

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly reason: RpcFailureReason,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface RpcReply {
  readonly response: KrpcResponse;
  readonly from: Address;
  /** Round-trip time of the attempt that was answered, milliseconds. */
  readonly rttMs: number;
}

export interface QueryOptions {
  /** Called once when the first attempt timed out and the query is being re-sent. */
  onRetry?: () => void;
}

export interface RpcOptions {
  readonly transport: DatagramTransport;
  readonly clock: Clock;
  readonly timers: RpcTimers;
  /** Per-attempt timeout. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** Re-sends after a timeout. Default 1. */
  readonly retries?: number;
  /** Queries in flight plus queued. Default 256. */
  readonly maxOutstanding?: number;
  /** Outgoing query rate (burst = one second's worth); null = unlimited. Default 100/s. */
  readonly queriesPerSecond?: number | null;
  /** Incoming query rate; the excess is dropped. null = unlimited. Default 250/s. */
  readonly incomingPerSecond?: number | null;
  /** `v` in every message we send. Default "TS" 0 1. */
  readonly clientVersion?: Uint8Array;
  readonly random?: RandomBytes;
}

export interface RpcStats {
  sent: number;
  received: number;
  timeouts: number;
  retries: number;
  droppedIncoming: number;
  /** Replies that matched no transaction, or came from the wrong address. */
  unmatched: number;
  malformed: number;
  outstanding: number;
  queued: number;
}

interface Transaction {
  readonly key: string;
  readonly tid: Uint8Array;
  readonly to: Address;
  readonly bytes: Uint8Array;
  attemptsLeft: number;
  sentAt: number;
  /** False while waiting in the rate-limit queue. */
  sent: boolean;
  timer: unknown;
  readonly onRetry: (() => void) | undefined;
  readonly resolve: (r: RpcReply) => void;
  readonly reject: (e: RpcError) => void;
}

const DEFAULT_VERSION = new Uint8Array([0x54, 0x53, 0x00, 0x01]); // "TS" 0.1

/** One whole token, without going into debt (TokenBucket.take lets a transfer overdraw). */
function takeOne(bucket: TokenBucket): boolean {
  if (bucket.available() < 1) return false;
  bucket.consume(1);
  return true;
}

function tidKey(tid: Uint8Array): string {
  let s = '';
  for (const b of tid) s += b.toString(16).padStart(2, '0');
  return s;
}

export class KrpcRpc {
  private readonly transport: DatagramTransport;
  private readonly clock: Clock;
  private readonly timers: RpcTimers;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxOutstanding: number;
  private readonly outBucket: TokenBucket;
  private readonly inBucket: TokenBucket;
  private readonly version: Uint8Array;
  private readonly inflight = new Map<string, Transaction>();
  /** Transactions waiting for the outgoing rate limit. */
  private readonly queue: Transaction[] = [];
  private drainTimer: unknown = null;
  private handler: QueryHandler | null = null;
  private readonly unsubscribe: () => void;
  private nextTid: number;
  private closed = false;
  readonly stats: RpcStats = { sent: 0, received: 0, timeouts: 0, retries: 0, droppedIncoming: 0, unmatched: 0, malformed: 0, outstanding: 0, queued: 0 };

  constructor(opts: RpcOptions) {
    this.transport = opts.transport;
    this.clock = opts.clock;
    this.timers = opts.timers;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.retries = Math.max(0, opts.retries ?? 1);
    this.maxOutstanding = Math.max(1, opts.maxOutstanding ?? 256);
    const out = opts.queriesPerSecond === undefined ? 100 : opts.queriesPerSecond;
    const inc = opts.incomingPerSecond === undefined ? 250 : opts.incomingPerSecond;
    this.outBucket = new TokenBucket(this.clock, out, out === null || out === 0 ? undefined : Math.max(1, out));
    this.inBucket = new TokenBucket(this.clock, inc, inc === null || inc === 0 ? undefined : Math.max(1, inc));
    this.version = opts.clientVersion ?? DEFAULT_VERSION;
    const r = (opts.random ?? defaultRandomBytes)(2);
    this.nextTid = ((r[0] << 8) | r[1]) & 0xffff;
    this.unsubscribe = this.transport.onMessage((data, from) => this.onDatagram(data, from));
  }

  /** Sets the handler for incoming queries (one at a time). */
  onQuery(handler: QueryHandler | null): void {
    this.handler = handler;
  }

  /** Queries in flight or waiting for the rate limit. */
  get outstanding(): number {
    return this.inflight.size + this.queue.length;
  }

  /** Sends a query to `to`; resolves with the response, rejects with RpcError. */
  query(to: Address, q: OutgoingQuery, opts: QueryOptions = {}): Promise<RpcReply> {
    if (this.closed) return Promise.reject(new RpcError('closed', 'rpc closed'));
    if (this.outstanding >= this.maxOutstanding) return Promise.reject(new RpcError('overloaded', `${this.outstanding} queries outstanding`));
    const tid = this.allocTid();
    let bytes: Uint8Array;
    try {
      bytes = encodeKrpc({ ...q, y: 'q', tid, clientVersion: this.version } as KrpcMessage);
    } catch (err) {
      return Promise.reject(err instanceof KrpcError ? new RpcError('malformed', err.message) : err);
    }
    return new Promise<RpcReply>((resolve, reject) => {
      const tx: Transaction = {
        key: tidKey(tid),
        tid,
        to: { host: to.host, port: to.port },
        bytes,
        attemptsLeft: this.retries,
        sentAt: 0,
        sent: false,
        timer: null,
        onRetry: opts.onRetry,
        resolve,
        reject,
      };
      this.inflight.set(tx.key, tx);
      if (this.queue.length === 0 && takeOne(this.outBucket)) this.transmit(tx);
      else {
        this.queue.push(tx);
        this.scheduleDrain();
      }
      this.updateCounts();
    });
  }

  /** Fails every outstanding query with 'closed', stops listening and cancels timers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.drainTimer !== null) this.timers.clearTimeout(this.drainTimer);
    this.drainTimer = null;
    const all = [...this.inflight.values()];
    this.inflight.clear();
    this.queue.length = 0;
    for (const tx of all) {
      if (tx.timer !== null) this.timers.clearTimeout(tx.timer);
      tx.reject(new RpcError('closed', 'rpc closed'));
    }
    this.updateCounts();
  }

  // ---------------------------------------------------------------------------------------------

  private allocTid(): Uint8Array {
    // 2 bytes, counting from a random start; skip ids still in use (after 65536 queries).
    for (let i = 0; i < 0x10000; i++) {
      const n = this.nextTid;
      this.nextTid = (this.nextTid + 1) & 0xffff;
      const tid = new Uint8Array([n >> 8, n & 0xff]);
      if (!this.inflight.has(tidKey(tid))) return tid;
    }
    throw new RpcError('overloaded', 'no free transaction id');
  }

  private transmit(tx: Transaction): void {
    tx.sentAt = this.clock.now();
    tx.sent = true;
    this.stats.sent++;
    tx.timer = this.timers.setTimeout(() => this.onTimeout(tx), this.timeoutMs);
    this.transport.send(tx.bytes, tx.to.host, tx.to.port);
  }

  private onTimeout(tx: Transaction): void {
    if (this.inflight.get(tx.key) !== tx) return;
    tx.timer = null;
    if (tx.attemptsLeft > 0) {
      tx.attemptsLeft--;
      this.stats.retries++;
      // A retry is charged to the bucket but not queued behind new queries.
      this.outBucket.consume(1);
      this.transmit(tx);
      tx.onRetry?.();
      return;
    }
    this.stats.timeouts++;
    this.finish(tx);
    tx.reject(new RpcError('timeout', `no answer from ${tx.to.host}:${tx.to.port}`));
  }

  private finish(tx: Transaction): void {
    this.inflight.delete(tx.key);
    if (tx.timer !== null) this.timers.clearTimeout(tx.timer);
    tx.timer = null;
    this.updateCounts();
  }

  private scheduleDrain(): void {
    if (this.drainTimer !== null || this.queue.length === 0 || this.closed) return;
    const rate = this.outBucket.rate;
    const missing = 1 - this.outBucket.available();
    const wait = rate === null || rate === 0 ? 1000 : Math.max(1, Math.min(1000, Math.ceil((missing * 1000) / rate)));
    this.drainTimer = this.timers.setTimeout(() => {
      this.drainTimer = null;
      this.drain();
    }, wait);
  }

  private drain(): void {
    while (this.queue.length > 0 && takeOne(this.outBucket)) {
      const tx = this.queue.shift() as Transaction;
      if (this.inflight.get(tx.key) === tx) this.transmit(tx);
    }
    this.updateCounts();
    this.scheduleDrain();
  }

  private updateCounts(): void {
    this.stats.queued = this.queue.length;
    this.stats.outstanding = this.inflight.size;
  }

  private onDatagram(data: Uint8Array, from: Address): void {
    if (this.closed) return;
    this.stats.received++;
    let msg: KrpcMessage;
    try {
      msg = decodeKrpc(data);
    } catch (err) {
      this.stats.malformed++;
      if (!(err instanceof KrpcError) || err.tid === undefined) return;
      if (err.kind === 'q') {
        if (!takeOne(this.inBucket)) {
          this.stats.droppedIncoming++;
          return;
        }
        this.sendRaw({ y: 'e', tid: err.tid, code: KrpcErrorCode.Protocol, message: 'malformed query' }, from);
      } else if (err.kind === 'r' || err.kind === 'e') {
        const tx = this.match(err.tid, from);
        if (tx) {
          this.finish(tx);
          tx.reject(new RpcError('malformed', `bad reply from ${from.host}:${from.port}: ${err.message}`));
        }
      }
      return;
    }
    switch (msg.y) {
      case 'q':
        this.onIncomingQuery(msg, from);
        return;
      case 'r': {
        const tx = this.match(msg.tid, from);
        if (!tx) return;
        this.finish(tx);
        tx.resolve({ response: msg, from, rttMs: this.clock.now() - tx.sentAt });
        return;
      }
      case 'e': {
        const tx = this.match(msg.tid, from);
        if (!tx) return;
        this.finish(tx);
        tx.reject(new RpcError('remote-error', `${from.host}:${from.port} answered error ${msg.code}: ${msg.message.slice(0, 200)}`, msg.code));
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  /** The transaction for `tid` if it went to `from`; counts the mismatch otherwise. */
  private match(tid: Uint8Array, from: Address): Transaction | undefined {
    const tx = this.inflight.get(tidKey(tid));
    // Queued transactions were never sent: nothing can be a reply to them.
    if (!tx || !tx.sent || tx.to.host !== from.host || tx.to.port !== from.port) {
      this.stats.unmatched++;
      return undefined;
    }
    return tx;
  }

  private onIncomingQuery(q: KrpcQuery, from: Address): void {
    if (!takeOne(this.inBucket)) {
      this.stats.droppedIncoming++;
      return;
    }
    const handler = this.handler;
    if (!handler) return;
    let answer: QueryAnswer | null;
    try {
      answer = handler(q, from);
    } catch {
      answer = { y: 'e', code: KrpcErrorCode.Server, message: 'server error' };
    }
    if (answer === null) return;
    const ip: CompactPeer = { host: from.host, port: from.port };
    if (answer.y === 'r') this.sendRaw({ ...answer.body, y: 'r', tid: q.tid, ip }, from);
    else this.sendRaw({ y: 'e', tid: q.tid, code: answer.code, message: answer.message, ip }, from);
  }

  private sendRaw(msg: KrpcResponse | KrpcErrorMessage, to: Address): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeKrpc({ ...msg, clientVersion: this.version });
    } catch {
      this.stats.malformed++;
      return;
    }
    this.transport.send(bytes, to.host, to.port);
  }
}
