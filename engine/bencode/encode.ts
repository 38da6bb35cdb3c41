import { keyToBytes, type BValue } from './types.js';

/**
 * What `encode` accepts: every BValue, plus for convenience
 *  - JS strings (encoded as UTF-8 byte strings),
 *  - plain objects (keys are text, encoded as UTF-8; `undefined` values are skipped),
 *  - booleans (as i1e / i0e).
 * Map keys are raw latin1 key strings, exactly as the decoder produces them.
 * Dict keys are always written sorted by raw bytes, so output is canonical.
 */
export type Encodable =
  | BValue
  | string
  | boolean
  | Encodable[]
  | Map<string, Encodable>
  | { [key: string]: Encodable | undefined };

const enc = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

class Writer {
  chunks: Uint8Array[] = [];
  size = 0;
  ascii(s: string): void {
    const b = enc.encode(s);
    this.chunks.push(b);
    this.size += b.length;
  }
  raw(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  bytes(b: Uint8Array): void {
    this.ascii(`${b.length}:`);
    this.raw(b);
  }
  value(v: Encodable, depth: number): void {
    if (depth > 1000) throw new RangeError('bencode: value nested too deeply to encode');
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`bencode: cannot encode non-integer or unsafe number ${v}`);
      this.ascii(`i${Object.is(v, -0) ? 0 : v}e`);
    } else if (typeof v === 'boolean') {
      this.ascii(v ? 'i1e' : 'i0e');
    } else if (typeof v === 'string') {
      this.bytes(enc.encode(v));
    } else if (v instanceof Uint8Array) {
      this.bytes(v);
    } else if (Array.isArray(v)) {
      this.ascii('l');
      for (const x of v) this.value(x, depth + 1);
      this.ascii('e');
    } else if (v instanceof Map) {
      const entries = [...v.entries()].map(([k, x]) => [keyToBytes(k), x] as const);
      this.dict(entries, depth);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v)
        .filter((e): e is [string, Encodable] => e[1] !== undefined)
        .map(([k, x]) => [enc.encode(k), x] as const);
      this.dict(entries, depth);
    } else {
      throw new TypeError(`bencode: cannot encode value of type ${v === null ? 'null' : typeof v}`);
    }
  }
  dict(entries: (readonly [Uint8Array, Encodable])[], depth: number): void {
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    this.ascii('d');
    for (let i = 0; i < entries.length; i++) {
      if (i > 0 && compareBytes(entries[i - 1][0], entries[i][0]) === 0) {
        throw new RangeError('bencode: duplicate dict key');
      }
      this.bytes(entries[i][0]);
      this.value(entries[i][1], depth + 1);
    }
    this.ascii('e');
  }
}

/** Canonical bencode encoding (sorted keys). Throws TypeError/RangeError on unencodable input. */
export function encode(value: Encodable): Uint8Array {
  const w = new Writer();
  w.value(value, 0);
  const out = new Uint8Array(w.size);
  let off = 0;
  for (const c of w.chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
