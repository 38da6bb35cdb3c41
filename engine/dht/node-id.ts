/**
 * Node ids (160-bit): XOR distance, ordering, Kademlia bucket arithmetic, and BEP 42 ids derived
 * from the node's external IP. Pure; randomness comes from an injectable source.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { parseIp } from '../wire/compact.js';

export const ID_BYTES = 20;
export const ID_BITS = 160;

/** n random bytes. Injected so tests are deterministic. */
export type RandomBytes = (n: number) => Uint8Array;
export const defaultRandomBytes: RandomBytes = (n) => new Uint8Array(cryptoRandomBytes(n));

export function isNodeId(v: Uint8Array): boolean {
  return v.length === ID_BYTES;
}

export function randomNodeId(random: RandomBytes = defaultRandomBytes): Uint8Array {
  return random(ID_BYTES).slice(0, ID_BYTES);
}

export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Unsigned big-endian comparison of two ids (or distances): negative, 0, positive. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function idsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareIds(a, b) === 0;
}

/** Which of `a`, `b` is closer to `target` by XOR: negative when `a` is. No allocation. */
export function compareDistance(target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i] ^ target[i];
    const db = b[i] ^ target[i];
    if (da !== db) return da - db;
  }
  return 0;
}

/** Number of leading bits `a` and `b` share (0..160). */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/**
 * Bucket of `other` in a fully split table around `own`: the number of leading bits they share,
 * 0..159 (bucket 0 is the far half of the id space). `own` itself maps to 159.
 */
export function bucketIndex(own: Uint8Array, other: Uint8Array): number {
  return Math.min(commonPrefixLength(own, other), ID_BITS - 1);
}

function bit(id: Uint8Array, i: number): number {
  return (id[i >> 3] >> (7 - (i & 7))) & 1;
}

/**
 * A random id sharing exactly `prefixBits` leading bits with `own` (bit `prefixBits` differs),
 * or, with `atLeast`, sharing at least that many (the last, unsplit bucket of a table).
 */
export function randomIdInBucket(own: Uint8Array, prefixBits: number, random: RandomBytes = defaultRandomBytes, atLeast = false): Uint8Array {
  if (!Number.isInteger(prefixBits) || prefixBits < 0 || prefixBits > ID_BITS) throw new RangeError(`prefix of ${prefixBits} bits`);
  const id = randomNodeId(random);
  for (let i = 0; i < prefixBits; i++) setBit(id, i, bit(own, i));
  if (!atLeast && prefixBits < ID_BITS) setBit(id, prefixBits, bit(own, prefixBits) ^ 1);
  return id;
}

function setBit(id: Uint8Array, i: number, v: number): void {
  const mask = 0x80 >> (i & 7);
  if (v) id[i >> 3] |= mask;
  else id[i >> 3] &= ~mask;
}

// ---------------------------------------------------------------------------------------------
// BEP 42

// CRC-32C (Castagnoli), as BEP 42 uses; shared with BEP 40 (peer priority), so it lives in common/.
export { crc32c } from '../common/crc32c.js';
import { crc32c } from '../common/crc32c.js';

const V4_MASK = [0x03, 0x0f, 0x3f, 0xff];
const V6_MASK = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/** IP text -> 4 bytes (IPv4, also for IPv4-mapped IPv6) or 16; undefined if not an address. */
function ipBytes(ip: string): Uint8Array | undefined {
  const b = parseIp(ip);
  if (b && b.length === 16) {
    let mapped = b[10] === 0xff && b[11] === 0xff;
    for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
    if (mapped) return b.slice(12);
  }
  return b;
}

function bep42Crc(ip: Uint8Array, r: number): number {
  const mask = ip.length === 4 ? V4_MASK : V6_MASK;
  const data = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) data[i] = ip[i] & mask[i];
  data[0] |= (r & 0x07) << 5;
  return crc32c(data);
}

/**
 * Addresses BEP 42 exempts from the id check: loopback, private and link-local ranges (IPv4:
 * 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8; IPv6: ::1, fc00::/7, fe80::/10). Unparsable
 * text is not exempt.
 */
export function isBep42Exempt(ip: string): boolean {
  const b = ipBytes(ip);
  if (!b) return false;
  if (b.length === 4) {
    return b[0] === 10 || b[0] === 127 || (b[0] === 172 && (b[1] & 0xf0) === 16) || (b[0] === 192 && b[1] === 168) || (b[0] === 169 && b[1] === 254);
  }
  let loopback = b[15] === 1;
  for (let i = 0; i < 15; i++) if (b[i] !== 0) loopback = false;
  return loopback || (b[0] & 0xfe) === 0xfc || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80);
}

/**
 * A BEP 42 node id for external address `ip`: the first 21 bits come from crc32c of the masked
 * address and the low 3 bits of `rand`, the last byte is `rand` (0..255), the rest is random.
 * Throws RangeError when `ip` is not an IP address or `rand` is not a byte.
 */
export function nodeIdFor(ip: string, rand: number, random: RandomBytes = defaultRandomBytes): Uint8Array {
  const b = ipBytes(ip);
  if (!b) throw new RangeError(`not an IP address: ${JSON.stringify(ip.slice(0, 64))}`);
  if (!Number.isInteger(rand) || rand < 0 || rand > 255) throw new RangeError(`rand must be 0..255, got ${rand}`);
  const crc = bep42Crc(b, rand);
  const id = randomNodeId(random);
  id[0] = (crc >>> 24) & 0xff;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2] & 0x07);
  id[19] = rand;
  return id;
}

/**
 * Whether `id` is a valid BEP 42 id for a node at `ip`. Exempt (local) addresses always pass;
 * text that is not an IP address never does.
 */
export function isValidNodeIdFor(id: Uint8Array, ip: string): boolean {
  if (id.length !== ID_BYTES) return false;
  const b = ipBytes(ip);
  if (!b) return false;
  if (isBep42Exempt(ip)) return true;
  const crc = bep42Crc(b, id[19]);
  return id[0] === ((crc >>> 24) & 0xff) && id[1] === ((crc >>> 16) & 0xff) && (id[2] & 0xf8) === ((crc >>> 8) & 0xf8);
}
