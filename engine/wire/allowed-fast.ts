/** BEP 6 allowed-fast set generation. */
import { createHash } from 'node:crypto';
import { parseIp } from './compact.js';
import { WireError } from './errors.js';

/**
 * The canonical allowed-fast set for a peer (BEP 6): the IPv4 address masked to /24,
 * followed by the info hash, is hashed with SHA-1 repeatedly; each digest yields five
 * 32-bit big-endian numbers taken modulo `pieceCount`, until `k` distinct pieces are found.
 * Returns pieces in generation order. `k` is capped at `pieceCount`.
 *
 * BEP 6 defines the set for IPv4 only. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * treated as its IPv4 address; for other IPv6 addresses the set is empty.
 */
export function allowedFastSet(ip: string, infoHash: Uint8Array, pieceCount: number, k = 10): number[] {
  if (infoHash.length !== 20) throw new WireError(`wire: info hash must be 20 bytes, got ${infoHash.length}`);
  if (!Number.isInteger(pieceCount) || pieceCount < 0 || pieceCount > 0xffffffff) {
    throw new WireError(`wire: piece count ${pieceCount} invalid`);
  }
  const addr = parseIp(ip);
  if (!addr) throw new WireError(`wire: not an IP address: ${JSON.stringify(ip.slice(0, 64))}`);
  let v4: Uint8Array;
  if (addr.length === 4) v4 = addr;
  else if (addr.subarray(0, 10).every((b) => b === 0) && addr[10] === 0xff && addr[11] === 0xff) v4 = addr.subarray(12);
  else return [];
  const want = Math.min(Math.max(0, Math.floor(k)), pieceCount);
  const result: number[] = [];
  if (want === 0) return result;
  const seen = new Set<number>();
  let x: Uint8Array = new Uint8Array(24);
  x.set(v4.subarray(0, 3), 0); // last byte masked off (0xffffff00)
  x.set(infoHash, 4);
  while (result.length < want) {
    x = createHash('sha1').update(x).digest();
    for (let i = 0; i < 5 && result.length < want; i++) {
      const j = i * 4;
      const y = ((x[j] << 24) | (x[j + 1] << 16) | (x[j + 2] << 8) | x[j + 3]) >>> 0;
      const index = y % pieceCount;
      if (!seen.has(index)) {
        seen.add(index);
        result.push(index);
      }
    }
  }
  return result;
}
