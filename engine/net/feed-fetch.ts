/**
 * Fetching RSS/Atom feeds and the .torrent files they point at, over httpGet: bounded in size, time
 * and redirects. A feed is fetched with a conditional GET (ETag / Last-Modified from the last answer),
 * so an unchanged feed costs a 304 and no body.
 */
import { HttpGetError, httpGet } from './http-get.js';

const USER_AGENT = 'Tessera/1 (RSS)';
const TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

export interface FeedValidators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export type FeedFetch =
  | { readonly kind: 'notModified' }
  | { readonly kind: 'body'; readonly body: Uint8Array; readonly validators: FeedValidators };

/** GETs a feed (at most maxBytes); rejects with an Error whose message is one line a user can act on. */
export async function fetchFeed(url: string, last: FeedValidators, maxBytes: number, signal?: AbortSignal): Promise<FeedFetch> {
  const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1' };
  if (last.etag) headers['if-none-match'] = last.etag;
  if (last.lastModified) headers['if-modified-since'] = last.lastModified;
  const res = await get(url, maxBytes, headers, signal, `feed larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  if (res.status === 304) return { kind: 'notModified' };
  if (res.status < 200 || res.status > 299) throw new Error(`the server answered HTTP ${res.status}`);
  const header = (name: string): string | null => {
    const v = res.headers?.[name];
    return typeof v === 'string' && v.length <= 512 ? v : null;
  };
  return { kind: 'body', body: res.body, validators: { etag: header('etag'), lastModified: header('last-modified') } };
}

/** GETs a .torrent file a feed names (at most maxBytes). */
export async function fetchTorrentFile(url: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const res = await get(url, maxBytes, { accept: 'application/x-bittorrent, */*;q=0.5' }, signal, `.torrent larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  if (res.status < 200 || res.status > 299) throw new Error(`the server answered HTTP ${res.status} for the .torrent`);
  return res.body;
}

async function get(url: string, maxBytes: number, headers: Record<string, string>, signal: AbortSignal | undefined, tooLarge: string) {
  try {
    return await httpGet(url, { timeoutMs: TIMEOUT_MS, maxBytes, maxRedirects: MAX_REDIRECTS, userAgent: USER_AGENT, headers, signal });
  } catch (err) {
    if (err instanceof HttpGetError) {
      if (err.kind === 'protocol' && /exceeds the \d+-byte limit/.test(err.message)) throw new Error(tooLarge);
      throw new Error(err.kind === 'timeout' ? `no answer within ${TIMEOUT_MS / 1000} s` : err.message);
    }
    throw err;
  }
}
