/**
 * Compact peer format (BEP 23 IPv4, BEP 7 IPv6; also used by BEP 11 PEX and DHT): 4 or 16
 * address bytes followed by a big-endian port. Also plain IP text <-> bytes helpers.
 */
import { WireError } from './errors.js';

export type IpFamily = 4 | 6;

export interface CompactPeer {
  /** Dotted IPv4, or IPv6 in RFC 5952 form (lowercase, longest zero run as "::"; mapped IPv4 as ::ffff:a.b.c.d). */
  host: string;
  port: number;
}

/** Size of one compact entry: 6 bytes for IPv4, 18 for IPv6. */
export function compactPeerLength(family: IpFamily): number {
  return family === 4 ? 6 : 18;
}

/** IPv4 or IPv6 address bytes (4 or 16) -> text. Throws WireError for other lengths. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) throw new WireError(`wire: IP address must be 4 or 16 bytes, got ${bytes.length}`);
  let mapped = true;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) mapped = false;
  if (mapped && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // Longest run of two or more zero groups (the first one on a tie) becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function parseIpv4(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[offset + i] = v;
  }
  return true;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let body = text;
  let tail: number[] = [];
  // Embedded IPv4 in the last 32 bits.
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.indexOf('.', lastColon) > 0) {
    const v4 = new Uint8Array(4);
    if (!parseIpv4(body.slice(lastColon + 1), v4, 0)) return undefined;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    body = body.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::"; "a:b::c:1.2.3.4" leaves "a:b::c:" whose trailing ':' goes.
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  let groups: number[];
  const gap = body.indexOf('::');
  if (gap >= 0) {
    if (body.indexOf('::', gap + 1) >= 0) return undefined;
    const head = parseGroups(body.slice(0, gap));
    const rest = parseGroups(body.slice(gap + 2));
    if (!head || !rest) return undefined;
    const zeros = 8 - head.length - rest.length - tail.length;
    if (zeros < 1) return undefined;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...rest, ...tail];
  } else {
    const all = parseGroups(body);
    if (!all) return undefined;
    groups = [...all, ...tail];
    if (groups.length !== 8) return undefined;
  }
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >>> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

/**
 * IP text -> 4 or 16 bytes, or undefined when it is not a literal address. Accepts dotted
 * IPv4 (no leading zeros) and IPv6 (optionally in brackets, no zone id).
 */
export function parseIp(host: string): Uint8Array | undefined {
  if (host.length > 2 && host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.includes(':')) return parseIpv6(host);
  const out = new Uint8Array(4);
  return parseIpv4(host, out, 0) ? out : undefined;
}

/** One compact entry: 6 bytes (IPv4 host) or 18 bytes (IPv6 host). Throws WireError on bad input. */
export function encodeCompactPeer(host: string, port: number): Uint8Array {
  const ip = parseIp(host);
  if (!ip) throw new WireError(`wire: not an IP address: ${JSON.stringify(host.slice(0, 64))}`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new WireError(`wire: port ${port} out of range`);
  const out = new Uint8Array(ip.length + 2);
  out.set(ip, 0);
  out[ip.length] = port >>> 8;
  out[ip.length + 1] = port & 0xff;
  return out;
}

/** Concatenated compact entries of one family. A peer of the other family throws WireError. */
export function encodeCompactPeers(peers: readonly CompactPeer[], family: IpFamily): Uint8Array {
  const size = compactPeerLength(family);
  const out = new Uint8Array(peers.length * size);
  peers.forEach((p, i) => {
    const one = encodeCompactPeer(p.host, p.port);
    if (one.length !== size) throw new WireError(`wire: ${p.host} is not an IPv${family} address`);
    out.set(one, i * size);
  });
  return out;
}

/**
 * Compact entries -> peers, in order. Throws WireError when the length is not a multiple of the
 * entry size. Entries with port 0 are kept; filtering is the caller's policy.
 */
export function decodeCompactPeers(buf: Uint8Array, family: IpFamily): CompactPeer[] {
  const size = compactPeerLength(family);
  if (buf.length % size !== 0) {
    throw new WireError(`wire: compact IPv${family} peers length ${buf.length} is not a multiple of ${size}`);
  }
  const ipLength = size - 2;
  const peers: CompactPeer[] = [];
  for (let off = 0; off < buf.length; off += size) {
    peers.push({
      host: formatIp(buf.subarray(off, off + ipLength)),
      port: (buf[off + ipLength] << 8) | buf[off + ipLength + 1],
    });
  }
  return peers;
}
