import { bytesToKey, decodeWithInfoSpan, encode, keyToBytes, type BDict } from '../bencode/index.js';
import { MetainfoError } from './errors.js';

/**
 * A .torrent file with `piece layers` (BEP 52) added: a v2 torrent from a magnet gets its layers from
 * peers, and keeping them makes the stored file a complete torrent (a restart does not fetch them
 * again; the file can be shared as is). `layers` are keyed by hex pieces root, as Metainfo keeps them;
 * layers already in the file stay. Every other key, and the info dict's raw bytes (its hash), are kept.
 */
export function withPieceLayers(torrentFile: Uint8Array, layers: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const { value: top, infoSpan } = decodeWithInfoSpan(torrentFile);
  if (!infoSpan) throw new MetainfoError('the torrent file has no info dict');
  const existing = top.get('piece layers');
  const merged: BDict = existing instanceof Map ? new Map(existing) : new Map();
  for (const [rootHex, layer] of layers) merged.set(bytesToKey(Buffer.from(rootHex, 'hex')), layer);
  top.set('piece layers', merged);
  // Rebuilt key by key (bencode order: raw bytes, which latin1 key strings compare as), the info dict
  // copied byte for byte rather than re-encoded.
  const parts: Uint8Array[] = [Buffer.from('d')];
  for (const [key, value] of [...top].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    parts.push(encode(keyToBytes(key)));
    parts.push(key === 'info' ? torrentFile.subarray(infoSpan.start, infoSpan.end) : encode(value));
  }
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}
