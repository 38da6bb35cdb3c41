/**
 * HTTP(S) tracker client over net/http-get.ts: announce and scrape with an overall timeout, a response size cap,
 * at most 3 redirects and one-line errors naming the tracker ("tracker http://t/announce: HTTP 404").
 */
import { HttpGetError, httpGet, type HttpGetResult } from '../net/http-get.js';
import { globalIPv6Address } from '../net/local-ipv6.js';
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
  const { status, body } = await trackerGet(name, full, opts);
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
  const { status, body } = await trackerGet(name, full, opts);
  if (status !== 200) throw statusError(name, status, body);
  return wrap(name, () => parseScrapeResponse(body, infoHash));
}

/**
 * httpAnnounce/httpScrape as a TrackerTransport. One announce per tracker, over whichever family the system
 * resolves its host to, with `ipv6=` our global IPv6 address when we listen on IPv6 and have one (as Transmission
 * does; libtorrent instead announces once per listen socket, which doubles every announce): a tracker reached over
 * IPv4 then lists us for IPv6 peers too, and one reached over IPv6 sees our IPv6 address as the source.
 */
export const httpTransport: TrackerTransport = {
  announce: (url, params, opts) => httpAnnounce(url, params.ipv6 !== undefined ? params : withIpv6(params, globalIPv6Address()), opts),
  scrape: (url, infoHash, opts) => httpScrape(url, infoHash, opts),
};

function withIpv6(params: AnnounceParams, ipv6: string | undefined): AnnounceParams {
  return ipv6 === undefined ? params : { ...params, ipv6 };
}

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

/** net/http-get.ts's GET, its failures as TrackerErrors naming the tracker. */
async function trackerGet(name: string, url: string, opts: HttpRequestOptions): Promise<HttpGetResult> {
  try {
    return await httpGet(url, { timeoutMs: opts.timeoutMs, signal: opts.signal, maxBytes: opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES, maxRedirects: MAX_REDIRECTS, userAgent: USER_AGENT });
  } catch (err) {
    if (!(err instanceof HttpGetError)) throw err;
    const reason = err.kind === 'timeout' ? `timed out after ${describeMs(opts.timeoutMs)}` : err.message;
    throw new TrackerError(`tracker ${name}: ${reason}`, err.kind, err.cause === undefined ? undefined : { cause: err.cause });
  }
}
