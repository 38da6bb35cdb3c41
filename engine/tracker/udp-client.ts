/**
 * UDP tracker client (BEP 15) over net/udp.ts's UdpSocket.
 * One client holds at most one socket per address family and can serve any number of trackers and torrents.
 * Connection ids are cached per tracker endpoint for 60 s; requests are retransmitted after base·2^n (n = 0..maxRetries),
 * base being 15 s per BEP 15 (configurable for tests); replies are matched by transaction id and source address.
 */
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../common/clock.js';
import { isIP, unmapIPv4 } from '../net/address.js';
import { UdpSocket, type DatagramSource } from '../net/udp.js';
import { TrackerError } from './errors.js';
import {
  UDP_ACTION,
  UDP_MAX_SCRAPE_HASHES,
  decodeAnnounceResponse,
  decodeConnectResponse,
  decodeErrorResponse,
  decodeScrapeResponse,
  encodeAnnounceRequest,
  encodeConnectRequest,
  encodeScrapeRequest,
  peekUdpResponse,
  type UdpFamily,
} from './udp-codec.js';
import type { AnnounceParams, AnnounceResponse, RequestOptions, ScrapeResponse, TrackerTransport } from './types.js';
import { systemTimers, type Timers } from './types.js';
import { describeMs } from './http-client.js';

export interface UdpTrackerClientOptions {
  /** First retransmission timeout; BEP 15 says 15 s. */
  baseTimeoutMs?: number;
  /** Highest n in base·2^n; BEP 15 says 8. After the attempt with n = maxRetries times out, the request fails. */
  maxRetries?: number;
  /** How long a connection id stays usable; BEP 15 says 1 minute. */
  connectionIdTtlMs?: number;
  clock?: Clock;
  timers?: Timers;
  /** Name resolution; defaults to dns.lookup. */
  resolve?: (host: string) => Promise<{ address: string; family: UdpFamily }>;
}

interface Endpoint {
  address: string;
  port: number;
  family: UdpFamily;
}

interface Pending {
  endpoint: Endpoint;
  onMessage: (buf: Uint8Array) => void;
}

interface CachedConnection {
  id: bigint;
  obtainedAt: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Host and port of a udp:// tracker URL. */
export function parseUdpTrackerUrl(url: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TrackerError(`tracker ${url}: not a valid URL`, 'unsupported');
  }
  if (u.protocol !== 'udp:') throw new TrackerError(`tracker ${url}: not a udp:// URL`, 'unsupported');
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(u.port);
  if (!host) throw new TrackerError(`tracker ${url}: no host`, 'unsupported');
  if (!u.port || !Number.isInteger(port) || port < 1 || port > 65535) throw new TrackerError(`tracker ${url}: no valid port`, 'unsupported');
  return { host, port };
}

async function defaultResolve(host: string): Promise<{ address: string; family: UdpFamily }> {
  const fam = isIP(host);
  if (fam === 4 || fam === 6) return { address: host, family: fam };
  const r = await lookup(host);
  return { address: r.address, family: r.family === 6 ? 6 : 4 };
}

export class UdpTrackerClient implements TrackerTransport {
  private readonly baseTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly resolve: (host: string) => Promise<{ address: string; family: UdpFamily }>;
  private readonly sockets = new Map<UdpFamily, Promise<UdpSocket>>();
  private readonly pending = new Map<number, Pending>();
  private readonly connections = new Map<string, CachedConnection>();
  private closed = false;

  constructor(opts: UdpTrackerClientOptions = {}) {
    this.baseTimeoutMs = opts.baseTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = opts.maxRetries ?? 8;
    this.ttlMs = opts.connectionIdTtlMs ?? 60_000;
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.resolve = opts.resolve ?? defaultResolve;
  }

  async announce(url: string, params: AnnounceParams, opts: RequestOptions): Promise<AnnounceResponse> {
    return this.withDeadline(url, opts, async (signal) => {
      const ep = await this.endpoint(url);
      const res = await this.exchange(url, ep, signal, (connId, tid) => encodeAnnounceRequest(connId, tid, params), UDP_ACTION.announce, (buf) =>
        decodeAnnounceResponse(buf, ep.family),
      );
      return { interval: res.interval, complete: res.seeders, incomplete: res.leechers, peers: res.peers };
    });
  }

  /** Scrape one info-hash (the TrackerTransport shape). */
  async scrape(url: string, infoHash: Uint8Array, opts: RequestOptions): Promise<ScrapeResponse> {
    const [r] = await this.scrapeMany(url, [infoHash], opts);
    return r;
  }

  /** Scrape up to 74 info-hashes at once; results in the order given. */
  async scrapeMany(url: string, infoHashes: readonly Uint8Array[], opts: RequestOptions): Promise<ScrapeResponse[]> {
    if (infoHashes.length === 0 || infoHashes.length > UDP_MAX_SCRAPE_HASHES) {
      throw new TrackerError(`tracker ${url}: a scrape carries 1 to ${UDP_MAX_SCRAPE_HASHES} info-hashes`, 'unsupported');
    }
    return this.withDeadline(url, opts, async (signal) => {
      const ep = await this.endpoint(url);
      const res = await this.exchange(url, ep, signal, (connId, tid) => encodeScrapeRequest(connId, tid, infoHashes), UDP_ACTION.scrape, (buf) =>
        decodeScrapeResponse(buf, infoHashes.length),
      );
      return res.files;
    });
  }

  /** Closes the sockets and fails every request in flight. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.onMessage(new Uint8Array(0));
    this.pending.clear();
    for (const s of this.sockets.values()) s.then((sock) => sock.close(), () => {});
    this.sockets.clear();
    this.connections.clear();
  }

  private async withDeadline<T>(url: string, opts: RequestOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) throw new TrackerError(`tracker ${url}: client closed`, 'aborted');
    const ac = new AbortController();
    let timedOut = false;
    const onAbort = () => ac.abort();
    if (opts.signal?.aborted) throw new TrackerError(`tracker ${url}: aborted`, 'aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.timers.setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, opts.timeoutMs);
    try {
      return await run(ac.signal);
    } catch (err) {
      if (timedOut) throw new TrackerError(`tracker ${url}: timed out after ${describeMs(opts.timeoutMs)}`, 'timeout');
      if (err instanceof TrackerError) throw err;
      throw new TrackerError(`tracker ${url}: ${(err as Error)?.message ?? String(err)}`, 'network', { cause: err });
    } finally {
      this.timers.clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async endpoint(url: string): Promise<Endpoint> {
    const { host, port } = parseUdpTrackerUrl(url);
    let r: { address: string; family: UdpFamily };
    try {
      r = await this.resolve(host);
    } catch (err) {
      throw new TrackerError(`tracker ${url}: cannot resolve ${host}: ${(err as Error)?.message ?? err}`, 'network', { cause: err });
    }
    return { address: r.address, port, family: r.family };
  }

  private socket(family: UdpFamily): Promise<UdpSocket> {
    let p = this.sockets.get(family);
    if (!p) {
      // Any port on all addresses; replies of any length up to the UDP maximum (a big peer list) are read.
      p = UdpSocket.bind({ family, port: 0, maxDatagram: 65_535 }).then((sock) => {
        sock.onMessage((msg, from) => this.onMessage(msg, from));
        sock.unref();
        return sock;
      });
      this.sockets.set(family, p);
      p.catch(() => this.sockets.delete(family));
    }
    return p;
  }

  private onMessage(msg: Buffer, from: DatagramSource): void {
    const head = peekUdpResponse(msg);
    if (!head) return;
    const p = this.pending.get(head.transactionId);
    if (!p) return;
    if (from.port !== p.endpoint.port || normalizeAddr(from.host) !== normalizeAddr(p.endpoint.address)) return;
    this.pending.delete(head.transactionId);
    p.onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
  }

  private newTransactionId(): number {
    for (;;) {
      const tid = randomBytes(4).readUInt32BE(0);
      if (!this.pending.has(tid)) return tid;
    }
  }

  /**
   * Sends `build(connectionId, tid)` (after a connect if no fresh connection id is cached) and resolves with the decoded reply.
   * One retransmission counter n covers the connect and the request, as BEP 15 describes.
   */
  private async exchange<T>(
    url: string,
    ep: Endpoint,
    signal: AbortSignal,
    build: (connectionId: bigint, tid: number) => Uint8Array,
    action: number,
    decode: (buf: Uint8Array) => T,
  ): Promise<T> {
    if (this.closed) throw new TrackerError(`tracker ${url}: client closed`, 'aborted');
    const sock = await this.socket(ep.family);
    const key = `${ep.family}|${ep.address}|${ep.port}`;
    for (let n = 0; n <= this.maxRetries; n++) {
      const timeout = this.baseTimeoutMs * 2 ** n;
      let conn = this.connections.get(key);
      if (conn && this.clock.now() - conn.obtainedAt >= this.ttlMs) {
        this.connections.delete(key);
        conn = undefined;
      }
      if (!conn) {
        const obtainedAt = this.clock.now();
        const got = await this.roundTrip(url, sock, ep, signal, timeout, (tid) => encodeConnectRequest(tid), UDP_ACTION.connect, decodeConnectResponse);
        if (got === undefined) continue;
        conn = { id: got.connectionId, obtainedAt };
        this.connections.set(key, conn);
      }
      const res = await this.roundTrip(url, sock, ep, signal, timeout, (tid) => build(conn.id, tid), action, decode);
      if (res !== undefined) return res;
      // No answer: the connection id may be what the tracker rejects silently; get a fresh one next time.
      this.connections.delete(key);
    }
    throw new TrackerError(`tracker ${url}: no response after ${this.maxRetries + 1} attempts`, 'timeout');
  }

  /** One send and wait; undefined on timeout (the caller retransmits). */
  private roundTrip<T>(
    url: string,
    sock: UdpSocket,
    ep: Endpoint,
    signal: AbortSignal,
    timeoutMs: number,
    build: (tid: number) => Uint8Array,
    action: number,
    decode: (buf: Uint8Array) => T,
  ): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      if (signal.aborted) return reject(new TrackerError(`tracker ${url}: aborted`, 'aborted'));
      if (this.closed) return reject(new TrackerError(`tracker ${url}: client closed`, 'aborted'));
      const tid = this.newTransactionId();
      let timer: unknown;
      const finish = () => {
        this.timers.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(tid);
      };
      const onAbort = () => {
        finish();
        reject(new TrackerError(`tracker ${url}: aborted`, 'aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(tid, {
        endpoint: ep,
        onMessage: (buf) => {
          finish();
          if (buf.length === 0) return reject(new TrackerError(`tracker ${url}: client closed`, 'aborted'));
          try {
            const head = peekUdpResponse(buf);
            if (head?.action === UDP_ACTION.error) {
              const msg = decodeErrorResponse(buf).message || 'error without a message';
              return reject(new TrackerError(`tracker ${url}: ${msg}`, 'failure'));
            }
            if (head?.action !== action) {
              return reject(new TrackerError(`tracker ${url}: unexpected action ${head?.action} in reply`, 'protocol'));
            }
            resolve(decode(buf));
          } catch (err) {
            reject(err instanceof TrackerError ? new TrackerError(`tracker ${url}: ${err.message.replace(/^udp tracker: /, '')}`, err.kind) : err);
          }
        },
      });
      timer = this.timers.setTimeout(() => {
        finish();
        resolve(undefined);
      }, timeoutMs);
      sock.send(build(tid), ep.address, ep.port, (err) => {
        if (this.pending.has(tid)) {
          finish();
          reject(new TrackerError(`tracker ${url}: send failed: ${err.message}`, 'network', { cause: err }));
        }
      });
    });
  }
}

function normalizeAddr(a: string): string {
  return unmapIPv4(a.toLowerCase());
}
