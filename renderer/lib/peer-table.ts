/** The Peers tab's model: flag letters in words, address order, and a row order that holds still while rates move. Pure. */
import type { PeerInfo } from '../../engine/api/types.js';

export interface PeerFlag {
  letter: string;
  label: string;
}

/** The letters the engine sends (libtorrent/qBittorrent style), in the order the legend lists them. */
export const PEER_FLAGS: readonly PeerFlag[] = [
  { letter: 'D', label: 'downloading from them' },
  { letter: 'd', label: 'we want their pieces, but they choke us' },
  { letter: 'U', label: 'uploading to them' },
  { letter: 'u', label: 'they want our pieces, but we choke them' },
  { letter: 'O', label: 'optimistic unchoke' },
  { letter: 'I', label: 'incoming connection' },
  { letter: 'S', label: 'snubbed: sent us nothing for a while' },
  { letter: 'E', label: 'encrypted connection (RC4, protocol encryption)' },
  { letter: 'e', label: 'encrypted handshake only: the data itself travels in plaintext' },
  { letter: 'P', label: 'uTP connection (µTP over UDP, yields to other traffic); without P: TCP' },
];

const BY_LETTER = new Map(PEER_FLAGS.map((f) => [f.letter, f] as const));

/** Unknown letters are kept (a newer engine may send more) and said to be unknown. */
export function parseFlags(flags: string): PeerFlag[] {
  return [...flags].filter((c) => c.trim() !== '').map((letter) => BY_LETTER.get(letter) ?? { letter, label: `flag ${letter} (unknown)` });
}

export function describeFlags(flags: string): string {
  const parsed = parseFlags(flags);
  return parsed.length === 0 ? 'no flags' : parsed.map((f) => `${f.letter}: ${f.label}`).join('; ');
}

export type PeerSortKey = 'address' | 'client' | 'flags' | 'downRate' | 'upRate' | 'progress' | 'downloaded' | 'uploaded';

export interface PeerSort {
  key: PeerSortKey;
  descending: boolean;
}

/** Columns whose values change with every batch: sorting by them re-orders rows only now and then. */
export function isVolatile(key: PeerSortKey): boolean {
  return key !== 'address' && key !== 'client' && key !== 'flags';
}

interface ParsedAddress {
  family: 4 | 6 | 0;
  host: string;
  /** IPv4 as a number; 0 otherwise. */
  v4: number;
  port: number;
}

export function parseAddress(address: string): ParsedAddress {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (v6) return { family: 6, host: expandV6(v6[1]), v4: 0, port: Number(v6[2]) };
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d+)$/.exec(address);
  if (v4) {
    const n = ((Number(v4[1]) * 256 + Number(v4[2])) * 256 + Number(v4[3])) * 256 + Number(v4[4]);
    return { family: 4, host: address.slice(0, address.lastIndexOf(':')), v4: n, port: Number(v4[5]) };
  }
  const colon = address.lastIndexOf(':');
  return { family: 0, host: colon < 0 ? address : address.slice(0, colon), v4: 0, port: colon < 0 ? 0 : Number(address.slice(colon + 1)) || 0 };
}

/** Zero-padded groups so IPv6 addresses compare as strings in numeric order. */
function expandV6(host: string): string {
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const a = head ? head.split(':') : [];
  const b = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? Array(Math.max(0, 8 - a.length - b.length)).fill('0') : [];
  return [...a, ...fill, ...b].map((g) => g.toLowerCase().padStart(4, '0')).join(':');
}

/** IPv4 before IPv6, each in numeric order, then port. */
export function compareAddress(a: string, b: string): number {
  const x = parseAddress(a);
  const y = parseAddress(b);
  const rank = (p: ParsedAddress): number => (p.family === 4 ? 0 : p.family === 6 ? 1 : 2);
  if (rank(x) !== rank(y)) return rank(x) - rank(y);
  if (x.family === 4 && x.v4 !== y.v4) return x.v4 - y.v4;
  if (x.host !== y.host) return x.host < y.host ? -1 : 1;
  return x.port - y.port;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function comparePeers(a: PeerInfo, b: PeerInfo, sort: PeerSort): number {
  let c: number;
  switch (sort.key) {
    case 'address':
      c = 0;
      break;
    case 'client':
      c = collator.compare(a.client, b.client);
      break;
    case 'flags':
      c = a.flags < b.flags ? -1 : a.flags > b.flags ? 1 : 0;
      break;
    default:
      c = a[sort.key] - b[sort.key];
  }
  if (sort.descending) c = -c;
  // The address breaks ties, so equal rows never swap places between batches.
  return c !== 0 ? c : compareAddress(a.address, b.address) * (sort.key === 'address' && sort.descending ? -1 : 1);
}

/**
 * The addresses in display order. With `resort` the peers are sorted afresh; without it rows keep the
 * places they had in `previous`, peers that left drop out and newcomers join at the end in sort order.
 */
export function orderPeers(previous: readonly string[], peers: readonly PeerInfo[], sort: PeerSort, resort: boolean): string[] {
  if (resort || previous.length === 0) return [...peers].sort((a, b) => comparePeers(a, b, sort)).map((p) => p.address);
  const present = new Set(peers.map((p) => p.address));
  const kept = previous.filter((a) => present.has(a));
  const known = new Set(kept);
  const added = peers.filter((p) => !known.has(p.address)).sort((a, b) => comparePeers(a, b, sort));
  return [...kept, ...added.map((p) => p.address)];
}
