/**
 * HTTP tracker announce/scrape: URL building and response parsing (BEP 3, BEP 23 compact peers, BEP 7 peers6,
 * BEP 24 external ip, BEP 48 scrape). Pure: no sockets, no timers.
 *
 * Parsing is lenient where real trackers are sloppy (dict key order, trailing whitespace) and strict on types:
 * a known key holding the wrong type is an error. Every failure is a one-line TrackerError.
 */
import { BencodeError, bytesToKey, bytesToText, decode, isBytes, isDict, isInt, isList, keyToBytes, type BDict, type BValue } from '../bencode/index.js';
import { TrackerError } from './errors.js';
import { decodeCompactPeers, formatIp } from '../wire/compact.js';
import type { AnnounceParams, AnnounceResponse, PeerAddress, ScrapeResponse } from './types.js';

/** Interval assumed when a response has none (libtorrent does the same). */
export const DEFAULT_INTERVAL_S = 1800;

const HEX = '0123456789ABCDEF';

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e // ~
  );
}

/** Percent-encodes raw bytes one by one: RFC 3986 unreserved characters stay, every other byte becomes %XX (so '+' and '*' are escaped). */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const c of bytes) s += isUnreserved(c) ? String.fromCharCode(c) : `%${HEX[c >> 4]}${HEX[c & 15]}`;
  return s;
}

function checkInt(n: number, what: string): number {
  if (!Number.isFinite(n)) throw new TrackerError(`announce: ${what} must be a finite number`, 'protocol');
  return Math.max(0, Math.trunc(n));
}

/**
 * The announce URL with the BEP 3 query appended. An existing query string (private-tracker passkeys) is kept;
 * a fragment is dropped. `key` is sent as 8 hex digits; `trackerId` as its latin1 bytes.
 */
export function buildAnnounceUrl(announceUrl: string, params: AnnounceParams): string {
  if (params.infoHash.length !== 20) throw new TrackerError('announce: info_hash must be 20 bytes', 'protocol');
  if (params.peerId.length !== 20) throw new TrackerError('announce: peer_id must be 20 bytes', 'protocol');
  if (!Number.isInteger(params.port) || params.port < 0 || params.port > 65535) throw new TrackerError('announce: port out of range', 'protocol');
  const q = [
    `info_hash=${percentEncodeBytes(params.infoHash)}`,
    `peer_id=${percentEncodeBytes(params.peerId)}`,
    `port=${params.port}`,
    `uploaded=${checkInt(params.uploaded, 'uploaded')}`,
    `downloaded=${checkInt(params.downloaded, 'downloaded')}`,
    `left=${checkInt(params.left, 'left')}`,
    'compact=1',
  ];
  if (params.event) q.push(`event=${params.event}`);
  if (params.numwant !== undefined) q.push(`numwant=${checkInt(params.numwant, 'numwant')}`);
  if (params.key !== undefined) {
    if (!Number.isInteger(params.key) || params.key < 0 || params.key > 0xffffffff) throw new TrackerError('announce: key must be a 32-bit unsigned integer', 'protocol');
    q.push(`key=${params.key.toString(16).toUpperCase().padStart(8, '0')}`);
  }
  if (params.trackerId !== undefined) q.push(`trackerid=${percentEncodeBytes(keyToBytes(params.trackerId))}`);
  if (params.ipv6 !== undefined) {
    if (!/^[0-9a-fA-F:.]+$/.test(params.ipv6) || !params.ipv6.includes(':')) throw new TrackerError('announce: ipv6 must be an IPv6 address', 'protocol');
    q.push(`ipv6=${percentEncodeBytes(keyToBytes(params.ipv6))}`);
  }
  return appendQuery(announceUrl, q.join('&'));
}

function appendQuery(url: string, query: string): string {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  if (!base.includes('?')) return `${base}?${query}`;
  return base.endsWith('?') || base.endsWith('&') ? `${base}${query}` : `${base}&${query}`;
}

/**
 * The scrape URL by the usual convention: the last path segment must start with "announce", which becomes "scrape"
 * (`/announce.php?x` -> `/scrape.php?x`). Undefined when the URL does not follow it or is not http(s)://.
 */
export function buildScrapeUrl(announceUrl: string): string | undefined {
  if (!/^https?:\/\//i.test(announceUrl)) return undefined;
  const hash = announceUrl.indexOf('#');
  const noHash = hash >= 0 ? announceUrl.slice(0, hash) : announceUrl;
  const qi = noHash.indexOf('?');
  const path = qi >= 0 ? noHash.slice(0, qi) : noHash;
  const query = qi >= 0 ? noHash.slice(qi) : '';
  const slash = path.lastIndexOf('/');
  if (slash < 'https://'.length - 1) return undefined;
  const last = path.slice(slash + 1);
  if (!last.startsWith('announce')) return undefined;
  return `${path.slice(0, slash + 1)}scrape${last.slice('announce'.length)}${query}`;
}

/** The scrape URL with `info_hash` appended (several allowed). */
export function buildScrapeRequestUrl(scrapeUrl: string, infoHashes: readonly Uint8Array[]): string {
  for (const h of infoHashes) if (h.length !== 20) throw new TrackerError('scrape: info_hash must be 20 bytes', 'protocol');
  return appendQuery(scrapeUrl, infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&'));
}

function decodeBody(body: Uint8Array, what: string): BDict {
  // Some trackers end the body with a newline: tolerate trailing whitespace only.
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d || body[end - 1] === 0x20)) end--;
  if (end === 0) throw new TrackerError(`${what}: empty response`, 'protocol');
  let v: BValue;
  try {
    v = decode(body.subarray(0, end), { allowUnsortedKeys: true });
  } catch (err) {
    if (err instanceof BencodeError) throw new TrackerError(`${what}: invalid bencode: ${err.message}`, 'protocol', { cause: err });
    throw err;
  }
  if (!isDict(v)) throw new TrackerError(`${what}: response is not a dictionary`, 'protocol');
  return v;
}

function optInt(d: BDict, key: string, what: string, min = 0): number | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!isInt(v)) throw new TrackerError(`${what}: '${key}' is not an integer`, 'protocol');
  if (v < min) throw new TrackerError(`${what}: '${key}' is negative`, 'protocol');
  return v;
}

function optBytes(d: BDict, key: string, what: string): Uint8Array | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!isBytes(v)) throw new TrackerError(`${what}: '${key}' is not a byte string`, 'protocol');
  return v;
}

/**
 * BEP 23 / BEP 7 compact peers: 6 bytes (IPv4) or 18 bytes (IPv6) each, port big-endian. Port-0 entries are dropped.
 * A list whose length is not a multiple of the entry size keeps its whole entries and drops the trailing partial one:
 * a sloppy tracker's good peers are still worth dialling (libtorrent rejects the whole HTTP reply; see
 * engine/conformance/DIFFERENCES.md).
 */
export function decodeCompactPeerList(buf: Uint8Array, family: 4 | 6): PeerAddress[] {
  const size = family === 4 ? 6 : 18;
  return decodeCompactPeers(buf.subarray(0, buf.length - (buf.length % size)), family)
    .filter((p) => p.port !== 0)
    .map((p) => ({ host: p.host, port: p.port }));
}

/** One entry of a dictionary-model peer list: `ip` (address or hostname) and `port` required, `peer id` optional. */
export function parsePeerDict(v: BValue, what = 'announce'): PeerAddress {
  if (!isDict(v)) throw new TrackerError(`${what}: peer list entry is not a dictionary`, 'protocol');
  const ip = v.get('ip');
  const port = v.get('port');
  if (!isBytes(ip) || ip.length === 0) throw new TrackerError(`${what}: peer entry without a valid 'ip'`, 'protocol');
  if (!isInt(port) || port < 0 || port > 65535) throw new TrackerError(`${what}: peer entry without a valid 'port'`, 'protocol');
  const pid = v.get('peer id');
  if (pid !== undefined && !isBytes(pid)) throw new TrackerError(`${what}: peer entry 'peer id' is not a byte string`, 'protocol');
  const host = bytesToText(ip);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\ufffd/?#@]/.test(host)) throw new TrackerError(`${what}: peer entry 'ip' is not an address or hostname`, 'protocol');
  return { host, port };
}

export function parseAnnounceResponse(body: Uint8Array): AnnounceResponse {
  const W = 'announce';
  const d = decodeBody(body, W);
  const failure = optBytes(d, 'failure reason', W);
  if (failure !== undefined) {
    const r: AnnounceResponse = { failureReason: bytesToText(failure) || 'failure without a reason', interval: 0, peers: [] };
    // Some trackers tell failing clients when to come back; keep it if well-formed, never fail on it.
    const min = d.get('min interval');
    if (isInt(min) && min >= 0) r.minInterval = min;
    const interval = d.get('interval');
    if (isInt(interval) && interval >= 0) r.interval = interval;
    return r;
  }
  const res: AnnounceResponse = { interval: optInt(d, 'interval', W) ?? DEFAULT_INTERVAL_S, peers: [] };
  const minInterval = optInt(d, 'min interval', W);
  if (minInterval !== undefined) res.minInterval = minInterval;
  const warning = optBytes(d, 'warning message', W);
  if (warning !== undefined) res.warningMessage = bytesToText(warning);
  const trackerId = optBytes(d, 'tracker id', W);
  if (trackerId !== undefined) res.trackerId = bytesToKey(trackerId);
  const complete = optInt(d, 'complete', W);
  if (complete !== undefined) res.complete = complete;
  const incomplete = optInt(d, 'incomplete', W);
  if (incomplete !== undefined) res.incomplete = incomplete;

  const peers = d.get('peers');
  if (peers !== undefined) {
    if (isBytes(peers)) res.peers.push(...decodeCompactPeerList(peers, 4));
    else if (isList(peers)) for (const p of peers) res.peers.push(parsePeerDict(p, W));
    else throw new TrackerError(`${W}: 'peers' is neither a byte string nor a list`, 'protocol');
  }
  const peers6 = d.get('peers6');
  if (peers6 !== undefined) {
    if (isBytes(peers6)) res.peers.push(...decodeCompactPeerList(peers6, 6));
    else if (isList(peers6)) for (const p of peers6) res.peers.push(parsePeerDict(p, W));
    else throw new TrackerError(`${W}: 'peers6' is neither a byte string nor a list`, 'protocol');
  }
  const ext = optBytes(d, 'external ip', W);
  if (ext !== undefined) {
    if (ext.length === 4 || ext.length === 16) res.externalIp = formatIp(ext);
    // other lengths: ignored, it is advisory
  }
  return res;
}

/**
 * The scrape entry for `infoHash` from a scrape response (`files` is keyed by the raw 20-byte info-hash).
 * A `failure reason` or a missing entry is a TrackerError (kind `failure` / `protocol`).
 */
export function parseScrapeResponse(body: Uint8Array, infoHash: Uint8Array): ScrapeResponse {
  const W = 'scrape';
  const d = decodeBody(body, W);
  const failure = optBytes(d, 'failure reason', W);
  if (failure !== undefined) throw new TrackerError(bytesToText(failure) || 'failure without a reason', 'failure');
  const files = d.get('files');
  if (!isDict(files)) throw new TrackerError(`${W}: 'files' is ${files === undefined ? 'missing' : 'not a dictionary'}`, 'protocol');
  const entry = files.get(bytesToKey(infoHash));
  if (entry === undefined) throw new TrackerError(`${W}: the response has no entry for this info-hash`, 'protocol');
  if (!isDict(entry)) throw new TrackerError(`${W}: the entry for this info-hash is not a dictionary`, 'protocol');
  const r: ScrapeResponse = {
    complete: optInt(entry, 'complete', W) ?? 0,
    incomplete: optInt(entry, 'incomplete', W) ?? 0,
    downloaded: optInt(entry, 'downloaded', W) ?? 0,
  };
  const downloaders = optInt(entry, 'downloaders', W);
  if (downloaders !== undefined) r.downloaders = downloaders;
  return r;
}

/** The failure reason of a body, if it is a bencoded dict carrying one; never throws. Used for non-200 replies. */
export function peekFailureReason(body: Uint8Array): string | undefined {
  try {
    return parseAnnounceResponse(body).failureReason;
  } catch {
    return undefined;
  }
}
