/**
 * HTTP(S) range GETs for web seeds (BEP 19): one byte range of one URL, streamed straight into the caller's buffer,
 * over a keep-alive agent that bounds the connections to one server. Only net/ opens sockets.
 *
 * Everything the server says is checked: the status, Content-Range (must be exactly the range asked for),
 * Content-Length, the body length (a body longer than asked ends the request), the header size. A 503 carries its
 * Retry-After. Redirects are followed up to a bound; a 200 (Range ignored) is accepted only for a range starting at
 * byte 0, reading what was asked and then dropping the connection.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { cancelWait, chargeChain, waitOnChain, type BandwidthLimiter, type BandwidthWaiter, type LimiterChain } from './bandwidth.js';

export type HttpRangeFailure = 'timeout' | 'aborted' | 'network' | 'http' | 'busy' | 'protocol' | 'unsupported';

/** A failed range GET: a one-line reason (the caller names the URL), its kind, and what the server asked of us. */
export class HttpRangeError extends Error {
  override name = 'HttpRangeError';
  constructor(
    message: string,
    readonly kind: HttpRangeFailure,
    /** 503 / 429: how long the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface RangeRequest {
  readonly url: string;
  /** First byte of the range in the resource. */
  readonly start: number;
  readonly length: number;
  /** The body lands in `into[intoOffset, intoOffset + length)`. */
  readonly into: Uint8Array;
  readonly intoOffset: number;
  /** After each chunk: how many bytes of the range are in `into` so far. */
  readonly onProgress?: (received: number) => void;
  readonly signal?: AbortSignal;
  /** Download limits the body passes (e.g. torrent, then global): reading pauses while one is in debt. */
  readonly limiters?: LimiterChain;
}

/** Pauses a response while a download limit is in debt, and resumes it when the limit has bandwidth again. */
class ResponseWaiter implements BandwidthWaiter {
  waitingOn: BandwidthLimiter | null = null;
  res: http.IncomingMessage | null = null;
  req: http.ClientRequest | null = null;
  constructor(
    readonly chain: LimiterChain,
    private readonly idleTimeoutMs: number,
  ) {}
  bandwidthAvailable(): void {
    // The idle timeout is for a silent server, not for our own limit holding the body back.
    this.req?.setTimeout(this.idleTimeoutMs);
    this.res?.resume();
  }
  charge(bytes: number): void {
    chargeChain(this.chain, bytes);
    this.holdWhileInDebt();
  }
  /**
   * Pauses the body while a limit of the chain is in debt. Called for each chunk, and once when the
   * response starts: the debt earlier requests ran up delays this one too (a body that fits in one
   * chunk would otherwise never wait, and a run of small ranges would pass the limit unchecked).
   */
  holdWhileInDebt(): void {
    if (this.waitingOn === null && waitOnChain(this)) {
      this.res?.pause();
      this.req?.setTimeout(0);
    }
  }
}

export interface HttpRangeClientOptions {
  /** Connections to the server at most (requests beyond wait for one). */
  readonly maxConnections: number;
  /** No byte for this long ends the request. */
  readonly idleTimeoutMs: number;
  readonly maxRedirects: number;
  /** Response header bytes at most (a hostile server's endless headers end the request). */
  readonly maxHeaderBytes: number;
  readonly userAgent: string;
  /** Certificates to trust for HTTPS besides the system's (PEM), e.g. a private mirror's own CA. */
  readonly trustedCa?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Retry-After beyond this is taken as this (a server cannot park a web seed for days). */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Range GETs against one web seed, over its own bounded set of keep-alive connections. */
export class HttpRangeClient {
  private readonly opts: HttpRangeClientOptions;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(opts: HttpRangeClientOptions) {
    this.opts = opts;
    const agentOpts = { keepAlive: true, maxSockets: opts.maxConnections, maxFreeSockets: opts.maxConnections };
    this.httpAgent = new http.Agent(agentOpts);
    this.httpsAgent = new https.Agent(opts.trustedCa ? { ...agentOpts, ca: [...tls.rootCertificates, opts.trustedCa] } : agentOpts);
  }

  /** Resolves once `length` bytes from `start` are in the buffer; rejects with an HttpRangeError. */
  fetch(req: RangeRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      let done = false;
      let current: http.ClientRequest | undefined;
      const waiter = req.limiters && req.limiters.length > 0 ? new ResponseWaiter(req.limiters, this.opts.idleTimeoutMs) : null;
      const finish = (err?: HttpRangeError, dropConnection = false) => {
        if (done) return;
        done = true;
        if (waiter) cancelWait(waiter);
        req.signal?.removeEventListener('abort', onAbort);
        if (err || dropConnection) current?.destroy();
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new HttpRangeError('aborted', 'aborted'));
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.length === 0) return finish();

      const get = (target: string, redirects: number) => {
        let u: URL;
        try {
          u = new URL(target);
        } catch {
          return finish(new HttpRangeError('invalid URL', 'unsupported'));
        }
        const mod = u.protocol === 'http:' ? http : u.protocol === 'https:' ? https : undefined;
        if (!mod) return finish(new HttpRangeError(`unsupported scheme ${u.protocol}`, 'unsupported'));
        const last = req.start + req.length - 1;
        let r: http.ClientRequest;
        try {
          r = mod.get(u, {
            agent: mod === http ? this.httpAgent : this.httpsAgent,
            maxHeaderSize: this.opts.maxHeaderBytes,
            headers: { 'user-agent': this.opts.userAgent, range: `bytes=${req.start}-${last}`, 'accept-encoding': 'identity' },
          });
        } catch (err) {
          return finish(new HttpRangeError((err as Error).message, 'network'));
        }
        current = r;
        r.setTimeout(this.opts.idleTimeoutMs, () => finish(new HttpRangeError(`no data for ${this.opts.idleTimeoutMs / 1000} s`, 'timeout')));
        r.on('error', (err: NodeJS.ErrnoException) => {
          const overflow = err.code === 'HPE_HEADER_OVERFLOW';
          finish(new HttpRangeError(overflow ? `response headers exceed ${this.opts.maxHeaderBytes} bytes` : err.message, overflow ? 'protocol' : 'network'));
        });
        r.on('response', (res) => {
          if (done) return void res.destroy();
          const status = res.statusCode ?? 0;
          if (REDIRECTS.has(status) && res.headers.location) {
            res.resume();
            if (redirects >= this.opts.maxRedirects) return finish(new HttpRangeError(`more than ${this.opts.maxRedirects} redirects`, 'http'));
            let next: string;
            try {
              next = new URL(res.headers.location, u).toString();
            } catch {
              return finish(new HttpRangeError('bad redirect location', 'http'));
            }
            return get(next, redirects + 1);
          }
          if (status === 503 || status === 429) {
            res.resume();
            return finish(new HttpRangeError(`HTTP ${status}`, 'busy', parseRetryAfter(res.headers['retry-after'], Date.now())), true);
          }
          const problem = checkRangeResponse(res, req.start, req.length);
          if (problem) {
            res.destroy();
            return finish(new HttpRangeError(problem, status === 206 || status === 200 ? 'protocol' : 'http'), true);
          }
          // A 200 is the whole resource: take the range's bytes, then close rather than read the rest.
          const whole = status === 200;
          let received = 0;
          if (waiter) {
            waiter.res = res;
            waiter.req = r;
          }
          res.on('data', (chunk: Buffer) => {
            if (done) return;
            waiter?.charge(chunk.length);
            const room = req.length - received;
            if (chunk.length > room && !whole) return finish(new HttpRangeError(`body longer than the ${req.length} bytes asked for`, 'protocol'));
            const take = Math.min(room, chunk.length);
            req.into.set(take === chunk.length ? chunk : chunk.subarray(0, take), req.intoOffset + received);
            received += take;
            req.onProgress?.(received);
            if (whole && received === req.length) finish(undefined, true);
          });
          res.on('error', (err) => finish(new HttpRangeError(err.message, 'network')));
          waiter?.holdWhileInDebt();
          res.on('aborted', () => finish(new HttpRangeError('connection closed mid-body', 'network')));
          res.on('end', () => {
            if (received < req.length) finish(new HttpRangeError(`body ended after ${received} of ${req.length} bytes`, 'protocol'));
            else finish();
          });
        });
      };
      get(req.url, 0);
    });
  }

  /** Closes every connection (requests in flight fail). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Why a response cannot be the range asked for, or null when it can. */
function checkRangeResponse(res: http.IncomingMessage, start: number, length: number): string | null {
  const status = res.statusCode ?? 0;
  if (status === 404 || status === 410) return `HTTP ${status}: the file is not there`;
  if (status !== 206 && status !== 200) return `HTTP ${status}`;
  const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return `unexpected content-encoding ${encoding}`;
  const declared = res.headers['content-length'];
  if (status === 200) {
    if (start !== 0) return 'the server ignores Range (HTTP 200 for a range not at the start)';
    if (declared !== undefined && Number(declared) < length) return `the file is ${declared} bytes, shorter than the torrent says`;
    return null;
  }
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? '').trim());
  if (!m) return `bad or missing Content-Range '${String(res.headers['content-range'] ?? '').slice(0, 80)}'`;
  if (Number(m[1]) !== start || Number(m[2]) !== start + length - 1) return `Content-Range ${m[1]}-${m[2]} is not the range asked for (${start}-${start + length - 1})`;
  if (declared !== undefined && Number(declared) !== length) return `Content-Length ${declared} does not match the range (${length} bytes)`;
  return null;
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `nowMs`, capped; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
