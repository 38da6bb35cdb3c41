/**
 * Internal: bencode access for the extension codecs, with every failure as a WireError.
 * Peer dicts are decoded strictly except that unsorted keys are tolerated (some clients send
 * them and they harm nothing here).
 */
import { BencodeError, decode, type BDict, type BValue } from '../bencode/index.js';
import { WireError } from './errors.js';

const MAX_DEPTH = 16;
const MAX_ITEMS = 10_000;

/** Decodes `buf` (exactly one value) and requires a dict. */
export function decodeDict(buf: Uint8Array, what: string): BDict {
  let v: BValue;
  try {
    v = decode(buf, { maxDepth: MAX_DEPTH, maxItems: MAX_ITEMS, allowUnsortedKeys: true });
  } catch (err) {
    if (err instanceof BencodeError) throw new WireError(`wire: ${what}: ${err.message}`);
    throw err;
  }
  if (!(v instanceof Map)) throw new WireError(`wire: ${what} is not a dict`);
  return v;
}

const C_0 = 0x30;
const C_9 = 0x39;

/**
 * Length of the bencoded value at the start of `buf`, found by scanning its structure (the
 * content is validated later by decodeDict). Throws WireError when it is truncated or garbage.
 */
export function bencodedLength(buf: Uint8Array, what: string): number {
  let pos = 0;
  let depth = 0;
  const bad = (why: string): never => {
    throw new WireError(`wire: ${what}: ${why} at byte ${pos}`);
  };
  do {
    if (pos >= buf.length) bad('truncated bencode');
    const c = buf[pos];
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65 /* e */, pos + 1);
      if (end < 0) bad('unterminated integer');
      pos = end + 1;
    } else if (c === 0x6c /* l */ || c === 0x64 /* d */) {
      if (++depth > MAX_DEPTH) bad('nesting too deep');
      pos++;
    } else if (c === 0x65 /* e */) {
      if (depth === 0) bad('unexpected end marker');
      depth--;
      pos++;
    } else if (c >= C_0 && c <= C_9) {
      let length = 0;
      let i = pos;
      while (i < buf.length && buf[i] >= C_0 && buf[i] <= C_9 && i - pos < 10) length = length * 10 + (buf[i++] - C_0);
      if (buf[i] !== 0x3a /* : */) bad('bad string length');
      pos = i + 1 + length;
      if (pos > buf.length) bad('truncated string');
    } else {
      bad(`unexpected byte 0x${c.toString(16).padStart(2, '0')}`);
    }
  } while (depth > 0);
  return pos;
}

/** Optional integer field: absent -> undefined, wrong type -> WireError. */
export function optInt(d: BDict, key: string, what: string): number | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new WireError(`wire: ${what}: "${key}" is not an integer`);
  return v;
}

/** Optional byte-string field: absent -> undefined, wrong type -> WireError. */
export function optBytes(d: BDict, key: string, what: string): Uint8Array | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new WireError(`wire: ${what}: "${key}" is not a byte string`);
  return v;
}

/** Optional dict field: absent -> undefined, wrong type -> WireError. */
export function optDict(d: BDict, key: string, what: string): BDict | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof Map)) throw new WireError(`wire: ${what}: "${key}" is not a dict`);
  return v;
}
