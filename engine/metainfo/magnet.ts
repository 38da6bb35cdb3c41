import { bytesToText } from '../bencode/index.js';
import { toHex } from '../common/hex.js';
import { formatEndpoint } from '../api/endpoint.js';
import { MagnetError } from './errors.js';

export interface HostPort {
  /** IPv4 literal, IPv6 literal (without brackets) or host name. */
  host: string;
  port: number;
}

export interface MagnetLink {
  /** The 20-byte id: the btih, or for a v2-only link (btmh alone) the v2 hash truncated to 20 bytes. */
  infoHash: Uint8Array;
  /** Hex of `infoHash`: the torrent id (first 40 hex digits of the v2 hash for a v2-only link). */
  infoHashHex: string;
  /** 1: btih only; 2: btmh only; 'hybrid': both (BEP 52 upgrade path). parseMagnet always sets it; absent means 1. */
  version?: 1 | 2 | 'hybrid';
  /** SHA-256 info-hash from `xt=urn:btmh:1220<64 hex>` (BEP 52). */
  infoHashV2?: Uint8Array;
  infoHashV2Hex?: string;
  /** dn */
  name?: string;
  /** tr and tr.N, in order of appearance, deduplicated; only http(s), udp, ws(s) URLs. */
  trackers: string[];
  /** x.pe (BEP 9); `[v6]:port` in the link. */
  peers: HostPort[];
  /** dht (libtorrent extension): DHT bootstrap nodes. */
  dhtNodes: HostPort[];
  /** ws (BEP 19) and as. */
  webSeeds: string[];
  /** so (BEP 53): sorted, unique file indices. */
  selectOnly?: number[];
}

/** File indices in `so` at or above this are ignored (no huge allocations from `so=0-4294967296`). */
export const MAX_SELECT_INDEX = 1 << 20;

function fail(msg: string): never {
  throw new MagnetError(`magnet: ${msg}`);
}

/** Percent-decodes to bytes. Returns undefined on a malformed escape. */
function pctBytes(s: string, plusIsSpace: boolean): Uint8Array | undefined {
  const out: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === 0x25) {
      const h = raw.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
      out.push(parseInt(h, 16));
      i += 2;
    } else if (c === 0x2b && plusIsSpace) out.push(0x20);
    else out.push(c);
  }
  return Uint8Array.from(out);
}

function decodeStrict(v: string, what: string, plusIsSpace = false): string {
  const b = pctBytes(v, plusIsSpace);
  if (b === undefined) fail(`invalid percent-escape in ${what}`);
  return bytesToText(b);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32ToBytes(s: string): Uint8Array | undefined {
  const out = new Uint8Array(20);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of s.toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return o === 20 ? out : undefined;
}

function parseBtih(v: string): Uint8Array {
  if (/^[0-9a-fA-F]{40}$/.test(v)) return Uint8Array.from(Buffer.from(v, 'hex'));
  if (v.length === 32) {
    const b = base32ToBytes(v);
    if (b) return b;
  }
  fail(`invalid info-hash '${v.length > 60 ? v.slice(0, 60) + '...' : v}' (need 40 hex or 32 base32 characters)`);
}

function parseHostPort(v: string): HostPort | undefined {
  let host: string;
  let portS: string;
  const m6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(v);
  if (m6) {
    host = m6[1];
    portS = m6[2];
    if (!host.includes(':')) return undefined;
  } else {
    const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
    if (!m) return undefined;
    host = m[1];
    portS = m[2];
    if (host.startsWith('.') || host.startsWith('-') || host.endsWith('-')) return undefined;
  }
  const port = Number(portS);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

function formatHostPort(p: HostPort): string {
  return formatEndpoint(p.host, p.port);
}

const TRACKER_SCHEME = /^(https?|udp|wss?):\/\/[^\s<>"]+$/i;
const WEBSEED_SCHEME = /^https?:\/\/[^\s<>"]+$/i;

function parseSelectOnly(v: string, into: Set<number>): void {
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b >= MAX_SELECT_INDEX) continue;
    for (let i = a; i <= b; i++) into.add(i);
  }
}

/**
 * Parses a magnet link (BEP 9 plus the common extensions tr.N, x.pe, ws, as, so, dht).
 * Parameter names are case-insensitive. Requires a v1 info-hash (`xt=urn:btih:`, 40 hex or 32
 * base32) and/or a v2 one (`xt=urn:btmh:1220` + 64 hex, SHA-256 multihash); BEP 46
 * (`xs=urn:btpk`) links are rejected, as are links with two different btih or btmh values.
 * Throws MagnetError.
 */
export function parseMagnet(uri: string): MagnetLink {
  if (typeof uri !== 'string' || !/^magnet:/i.test(uri)) fail('not a magnet link (must start with "magnet:?")');
  if (uri[7] !== '?') fail("missing '?' after 'magnet:'");
  const query = uri.slice(8);
  let infoHash: Uint8Array | undefined;
  let infoHashV2: Uint8Array | undefined;
  let sawBtpk = false;
  let name: string | undefined;
  const trackers: string[] = [];
  const webSeeds: string[] = [];
  const peers: HostPort[] = [];
  const dhtNodes: HostPort[] = [];
  const so = new Set<number>();
  let sawSo = false;
  const addUnique = <T>(list: T[], item: T, key: (x: T) => string) => {
    if (!list.some((x) => key(x) === key(item))) list.push(item);
  };

  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    const key = param.slice(0, eq).toLowerCase();
    const rawValue = param.slice(eq + 1);
    if (key === 'xt') {
      const v = decodeStrict(rawValue, 'xt');
      const lower = v.toLowerCase();
      if (lower.startsWith('urn:btih:')) {
        const h = parseBtih(v.slice(9));
        if (infoHash && toHex(infoHash) !== toHex(h)) fail('two different btih info-hashes');
        infoHash = h;
      } else if (lower.startsWith('urn:btmh:')) {
        if (!/^1220[0-9a-fA-F]{64}$/.test(v.slice(9))) fail(`invalid btmh info-hash '${v.slice(9, 80)}' (need 1220 and 64 hex digits: SHA-256)`);
        const h = Uint8Array.from(Buffer.from(v.slice(13), 'hex'));
        if (infoHashV2 && toHex(infoHashV2) !== toHex(h)) fail('two different btmh info-hashes');
        infoHashV2 = h;
      }
    } else if (key === 'xs') {
      const v = pctBytes(rawValue, false);
      if (v && bytesToText(v).toLowerCase().startsWith('urn:btpk:')) sawBtpk = true;
    } else if (key === 'dn') {
      const b = pctBytes(rawValue, true);
      name = b === undefined ? rawValue : bytesToText(b);
    } else if (key === 'tr' || /^tr\.\d+$/.test(key)) {
      const v = decodeStrict(rawValue, 'tr').trim();
      if (TRACKER_SCHEME.test(v) && !trackers.includes(v)) trackers.push(v);
    } else if (key === 'ws' || key === 'as') {
      const v = decodeStrict(rawValue, key).trim();
      if (WEBSEED_SCHEME.test(v) && !webSeeds.includes(v)) webSeeds.push(v);
    } else if (key === 'x.pe' || key === 'dht') {
      const hp = parseHostPort(decodeStrict(rawValue, key));
      if (hp) addUnique(key === 'x.pe' ? peers : dhtNodes, hp, formatHostPort);
    } else if (key === 'so') {
      sawSo = true;
      parseSelectOnly(decodeStrict(rawValue, 'so'), so);
    }
  }
  const version = infoHash && infoHashV2 ? 'hybrid' : infoHashV2 ? 2 : 1;
  infoHash ??= infoHashV2?.slice(0, 20);
  if (!infoHash) {
    if (sawBtpk) fail('BEP 46 mutable-torrent links (xs=urn:btpk) are not supported');
    fail('missing xt=urn:btih or xt=urn:btmh');
  }
  const link: MagnetLink = { infoHash, infoHashHex: toHex(infoHash), version, trackers, peers, dhtNodes, webSeeds };
  if (infoHashV2) {
    link.infoHashV2 = infoHashV2;
    link.infoHashV2Hex = toHex(infoHashV2);
  }
  if (name !== undefined && name !== '') link.name = name;
  if (sawSo && so.size > 0) link.selectOnly = [...so].sort((a, b) => a - b);
  return link;
}

function compressRanges(xs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(j > i ? `${xs[i]}-${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Builds a magnet link from parsed metainfo or a parsed magnet link. */
export function toMagnetUri(
  src:
    | { infoHashHex: string; version?: 1 | 2 | 'hybrid'; infoHashV2Hex?: string; name?: string; announce: string[][]; urlList: string[] }
    | MagnetLink,
): string {
  // a v2-only torrent's 20-byte id is a truncated SHA-256, not a btih
  const parts = src.version === 2 ? [] : [`xt=urn:btih:${src.infoHashHex}`];
  if (src.infoHashV2Hex) parts.push(`xt=urn:btmh:1220${src.infoHashV2Hex}`);
  if (src.name) parts.push(`dn=${encodeURIComponent(src.name)}`);
  const trackers = 'trackers' in src ? src.trackers : src.announce.flat();
  for (const t of trackers) parts.push(`tr=${encodeURIComponent(t)}`);
  const seeds = 'webSeeds' in src ? src.webSeeds : src.urlList;
  for (const w of seeds) parts.push(`ws=${encodeURIComponent(w)}`);
  if ('peers' in src) {
    for (const p of src.peers) parts.push(`x.pe=${formatHostPort(p)}`);
    for (const p of src.dhtNodes) parts.push(`dht=${formatHostPort(p)}`);
    if (src.selectOnly && src.selectOnly.length > 0) parts.push(`so=${compressRanges(src.selectOnly)}`);
  }
  return 'magnet:?' + parts.join('&');
}
