/**
 * HTTP(S) tracker client over node:http / node:https: announce and scrape with an overall timeout, a response size cap,
 * at most 3 redirects and one-line errors naming the tracker ("tracker http://t/announce: HTTP 404").
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { TrackerError } from './errors.js';
import { buildAnnounceUrl, buildScrapeRequestUrl, buildScrapeUrl, parseAnnounceResponse, parseScrapeResponse, peekFailureReason } from './http-codec.js';
import type { AnnounceParams, AnnounceResponse, RequestOptions, ScrapeResponse, TrackerTransport } from './types.js';

export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
export const MAX_REDIRECTS = 3;
const USER_AGENT = 'Tessera/0.1';

export interface HttpRequestOptions extends RequestOptions {
  /** Response body cap in bytes (default 2 MiB). */
  maxBytes?: number;
}

/** "15 s", "0.2 s", "1.5 s". */
export function describeMs(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The tracker URL as shown in messages: without query string or fragment (passkeys and our parameters stay out of logs). */
export function displayUrl(url: string): string {
  const i = url.search(/[?#]/);
  return i >= 0 ? url.slice(0, i) : url;
}

export async function httpAnnounce(url: string, params: AnnounceParams, opts: HttpRequestOptions): Promise<AnnounceResponse> {
  const name = displayUrl(url);
  const full = wrap(name, () => buildAnnounceUrl(url, params));
  const { status, body } = await httpGet(name, full, opts);
  if (status !== 200) throw statusError(name, status, body);
  const res = wrap(name, () => parseAnnounceResponse(body));
  if (res.failureReason !== undefined) throw new TrackerError(`tracker ${name}: ${res.failureReason}`, 'failure');
  return res;
}

/** Scrape one info-hash through the scrape URL derived from `announceUrl`. */
export async function httpScrape(announceUrl: string, infoHash: Uint8Array, opts: HttpRequestOptions): Promise<ScrapeResponse> {
  const name = displayUrl(announceUrl);
  const scrapeUrl = buildScrapeUrl(announceUrl);
  if (scrapeUrl === undefined) throw new TrackerError(`tracker ${name}: does not support scrape`, 'unsupported');
  const full = wrap(name, () => buildScrapeRequestUrl(scrapeUrl, [infoHash]));
  const { status, body } = await httpGet(name, full, opts);
  if (status !== 200) throw statusError(name, status, body);
  return wrap(name, () => parseScrapeResponse(body, infoHash));
}

/** httpAnnounce/httpScrape as a TrackerTransport. */
export const httpTransport: TrackerTransport = {
  announce: (url, params, opts) => httpAnnounce(url, params, opts),
  scrape: (url, infoHash, opts) => httpScrape(url, infoHash, opts),
};

function wrap<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof TrackerError) throw new TrackerError(`tracker ${name}: ${err.message}`, err.kind, { cause: err });
    throw err;
  }
}

function statusError(name: string, status: number, body: Uint8Array): TrackerError {
  const reason = peekFailureReason(body);
  return reason !== undefined
    ? new TrackerError(`tracker ${name}: HTTP ${status}: ${reason}`, 'failure')
    : new TrackerError(`tracker ${name}: HTTP ${status}`, 'http');
}

/** GET with redirects, an overall deadline and a size cap. Resolves with the final status and body. */
export function httpGet(name: string, url: string, opts: HttpRequestOptions): Promise<{ status: number; body: Uint8Array }> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    let done = false;
    let current: http.ClientRequest | undefined;
    const finish = (err: TrackerError | undefined, value?: { status: number; body: Uint8Array }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      current?.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => finish(new TrackerError(`tracker ${name}: aborted`, 'aborted'));
    const timer = setTimeout(() => finish(new TrackerError(`tracker ${name}: timed out after ${describeMs(opts.timeoutMs)}`, 'timeout')), opts.timeoutMs);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const get = (target: string, redirects: number) => {
      let u: URL;
      try {
        u = new URL(target);
      } catch {
        return finish(new TrackerError(`tracker ${name}: invalid URL`, 'unsupported'));
      }
      const mod = u.protocol === 'http:' ? http : u.protocol === 'https:' ? https : undefined;
      if (!mod) return finish(new TrackerError(`tracker ${name}: unsupported scheme ${u.protocol}`, 'unsupported'));
      let req: http.ClientRequest;
      try {
        req = mod.get(u, { headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'gzip', connection: 'close' }, agent: false });
      } catch (err) {
        return finish(new TrackerError(`tracker ${name}: ${(err as Error).message}`, 'network', { cause: err }));
      }
      current = req;
      req.on('error', (err) => finish(new TrackerError(`tracker ${name}: ${err.message}`, 'network', { cause: err })));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          res.resume();
          if (redirects >= MAX_REDIRECTS) return finish(new TrackerError(`tracker ${name}: more than ${MAX_REDIRECTS} redirects`, 'http'));
          let next: string;
          try {
            next = new URL(location, u).toString();
          } catch {
            return finish(new TrackerError(`tracker ${name}: bad redirect location`, 'http'));
          }
          req.destroy();
          return get(next, redirects + 1);
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          return finish(new TrackerError(`tracker ${name}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`, 'protocol'));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return finish(new TrackerError(`tracker ${name}: response exceeds the ${maxBytes}-byte limit`, 'protocol'));
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(new TrackerError(`tracker ${name}: ${err.message}`, 'network', { cause: err })));
        res.on('end', () => {
          if (done) return;
          let body: Buffer = Buffer.concat(chunks, size);
          const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
          if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
            try {
              body = enc === 'deflate' ? zlib.inflateSync(body, { maxOutputLength: maxBytes }) : zlib.gunzipSync(body, { maxOutputLength: maxBytes });
            } catch (err) {
              return finish(new TrackerError(`tracker ${name}: cannot decompress the response: ${(err as Error).message}`, 'protocol', { cause: err }));
            }
          }
          finish(undefined, { status, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) });
        });
      });
    };
    get(url, 0);
  });
}
