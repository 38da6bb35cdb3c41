/**
 * BEP 40 canonical peer priority: a number both ends of a connection compute alike from the two
 * addresses, so that when connection slots run out every peer in a swarm keeps (and dials) the same
 * connections, and a newcomer or an attacker gets no better slot than the formula gives it.
 *
 * - Same IP: CRC-32C of the two ports (16-bit big-endian), smaller first.
 * - Otherwise CRC-32C of the two IPs masked, smaller first. IPv4: same /24 unmasked, same /16 masked
 *   by FF.FF.FF.55, else by FF.FF.55.55. IPv6: the top 48 bits kept, the next 16 kept or masked by
 *   0x55 depending on how far the addresses agree, the low 64 bits masked by 0x55 (as libtorrent
 *   does, whose published test vectors the tests check).
 * Higher is better. Addresses of different families (or not literal IPs) get 0: no preference.
 */
import { crc32c } from '../common/crc32c.js';
import { parseIp } from '../wire/compact.js';
import type { PeerAddress } from './address-book.js';

/** Scratch for the bytes hashed: two masked IPv6 addresses at most. Reused: no allocation per call. */
const scratch = new Uint8Array(32);
const V4_DIFFERENT_16 = [0xff, 0xff, 0x55, 0x55];
const V4_SAME_16 = [0xff, 0xff, 0xff, 0x55];
const V4_SAME_24 = [0xff, 0xff, 0xff, 0xff];

export function peerPriority(a: PeerAddress, b: PeerAddress): number {
  const ipA = ipBytes(a.host);
  const ipB = ipBytes(b.host);
  if (!ipA || !ipB || ipA.length !== ipB.length) return 0;
  const differAt = firstDifference(ipA, ipB);
  if (differAt === ipA.length) {
    const [lo, hi] = a.port <= b.port ? [a.port, b.port] : [b.port, a.port];
    scratch[0] = lo >>> 8;
    scratch[1] = lo & 0xff;
    scratch[2] = hi >>> 8;
    scratch[3] = hi & 0xff;
    return crc32c(scratch.subarray(0, 4));
  }
  const n = ipA.length;
  // The smaller masked address first, so that both ends hash the same bytes.
  maskInto(ipA, differAt, scratch, 0);
  maskInto(ipB, differAt, scratch, n);
  if (compare(scratch, 0, n, n) > 0) {
    maskInto(ipB, differAt, scratch, 0);
    maskInto(ipA, differAt, scratch, n);
  }
  return crc32c(scratch.subarray(0, 2 * n));
}

/** 4 bytes for IPv4 (also IPv4-mapped IPv6), 16 for IPv6, undefined when not a literal IP. */
function ipBytes(host: string): Uint8Array | undefined {
  const b = parseIp(host);
  if (b?.length !== 16) return b;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return b;
  return b[10] === 0xff && b[11] === 0xff ? b.subarray(12) : b;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** `ip` masked as BEP 40 says for a pair first differing at byte `differAt`, written at out[at]. */
function maskInto(ip: Uint8Array, differAt: number, out: Uint8Array, at: number): void {
  if (ip.length === 4) {
    const mask = differAt >= 3 ? V4_SAME_24 : differAt === 2 ? V4_SAME_16 : V4_DIFFERENT_16;
    for (let i = 0; i < 4; i++) out[at + i] = ip[i] & mask[i];
    return;
  }
  // bytes 6 and 7: kept as far as the addresses agree beyond the fifth byte
  const keep = differAt >= 6 ? 8 : differAt === 5 ? 7 : 6;
  for (let i = 0; i < 16; i++) out[at + i] = i < keep ? ip[i] : ip[i] & 0x55;
}

function compare(buf: Uint8Array, a: number, b: number, n: number): number {
  for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return buf[a + i] - buf[b + i];
  return 0;
}
