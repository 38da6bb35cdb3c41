import { BencodeError, bytesToKey, type BDict, type BValue } from './types.js';

export interface DecodeOptions {
  /** Maximum nesting of lists/dicts (default 64). The top-level container is depth 1. */
  maxDepth?: number;
  /** Maximum number of values (ints, strings, lists, dicts) in the whole input (default 1,000,000). */
  maxItems?: number;
  /** Accept dict keys that are not in ascending raw-byte order (default false). */
  allowUnsortedKeys?: boolean;
  /** Ignore bytes after the first complete value (default false). */
  allowTrailing?: boolean;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_ITEMS = 1_000_000;

const C_I = 0x69; // i
const C_L = 0x6c; // l
const C_D = 0x64; // d
const C_E = 0x65; // e
const C_COLON = 0x3a;
const C_MINUS = 0x2d;
const C_0 = 0x30;
const C_9 = 0x39;

/** Internal knobs used by decodeWithInfoSpan; not part of the public options. */
interface Lenience {
  /** Unsorted and duplicate keys become warnings (duplicates: first one wins). */
  warnKeys: boolean;
  warnings: string[];
  /** Record the span of the value under this key of the top-level dict. */
  spanKey?: string;
  span?: { start: number; end: number };
}

function hexByte(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0');
}

function showKey(k: string): string {
  // keys are latin1; show printable ASCII as is, escape the rest
  let s = '';
  for (let i = 0; i < k.length && i < 40; i++) {
    const c = k.charCodeAt(i);
    s += c >= 0x20 && c < 0x7f ? k[i] : '\\x' + c.toString(16).padStart(2, '0');
  }
  return k.length > 40 ? s + '...' : s;
}

class Decoder {
  pos = 0;
  items = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
    readonly allowUnsorted: boolean,
    readonly len: Lenience | undefined,
  ) {}

  fail(msg: string, at = this.pos): never {
    throw new BencodeError(`bencode: ${msg} at byte ${at}`, at);
  }

  value(depth: number): BValue {
    const buf = this.buf;
    if (this.pos >= buf.length) this.fail('unexpected end of input');
    if (++this.items > this.maxItems) this.fail(`more than ${this.maxItems} items`);
    const c = buf[this.pos];
    if (c === C_I) return this.int();
    if (c >= C_0 && c <= C_9) return this.bytes();
    if (c === C_L || c === C_D) {
      if (depth + 1 > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
      return c === C_L ? this.list(depth + 1) : this.dict(depth + 1);
    }
    this.fail(`unexpected byte ${hexByte(c)}`);
  }

  int(): number {
    const buf = this.buf;
    const start = this.pos;
    let p = start + 1;
    let neg = false;
    if (p < buf.length && buf[p] === C_MINUS) {
      neg = true;
      p++;
    }
    const digitsStart = p;
    while (p < buf.length && buf[p] >= C_0 && buf[p] <= C_9) p++;
    if (p >= buf.length) this.fail('unterminated integer', start);
    if (buf[p] !== C_E) this.fail(`invalid character ${hexByte(buf[p])} in integer`, p);
    const nd = p - digitsStart;
    if (nd === 0) this.fail('empty integer', start);
    if (buf[digitsStart] === C_0 && nd > 1) this.fail('leading zero in integer', start);
    if (neg && buf[digitsStart] === C_0) this.fail('negative zero integer', start);
    if (nd > 16) this.fail('integer out of safe range', start);
    let v = 0;
    for (let i = digitsStart; i < p; i++) v = v * 10 + (buf[i] - C_0);
    if (v > Number.MAX_SAFE_INTEGER) this.fail('integer out of safe range', start);
    this.pos = p + 1;
    return neg ? -v : v;
  }

  /** Reads `<len>:` and returns [start, end) of the string bytes. */
  strSpan(): [number, number] {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    while (p < buf.length && buf[p] >= C_0 && buf[p] <= C_9) p++;
    if (p >= buf.length) this.fail('unterminated string length', start);
    if (buf[p] !== C_COLON) this.fail(`invalid character ${hexByte(buf[p])} in string length`, p);
    const nd = p - start;
    if (nd === 0) this.fail('expected string length', start);
    if (buf[start] === C_0 && nd > 1) this.fail('leading zero in string length', start);
    if (nd > 16) this.fail('string length exceeds remaining input', start);
    let n = 0;
    for (let i = start; i < p; i++) n = n * 10 + (buf[i] - C_0);
    const s = p + 1;
    if (n > buf.length - s) this.fail(`string length ${n} exceeds remaining input`, start);
    this.pos = s + n;
    return [s, s + n];
  }

  bytes(): Uint8Array {
    const [s, e] = this.strSpan();
    return this.buf.subarray(s, e);
  }

  list(depth: number): BValue[] {
    const start = this.pos;
    this.pos++;
    const out: BValue[] = [];
    for (;;) {
      if (this.pos >= this.buf.length) this.fail('unterminated list', start);
      if (this.buf[this.pos] === C_E) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth));
    }
  }

  dict(depth: number): BDict {
    const buf = this.buf;
    const start = this.pos;
    const top = depth === 1;
    this.pos++;
    const out: BDict = new Map();
    let prev: string | undefined;
    for (;;) {
      if (this.pos >= buf.length) this.fail('unterminated dict', start);
      const c = buf[this.pos];
      if (c === C_E) {
        this.pos++;
        return out;
      }
      if (c < C_0 || c > C_9) this.fail('dict key is not a string');
      const keyAt = this.pos;
      const [ks, ke] = this.strSpan();
      if (++this.items > this.maxItems) this.fail(`more than ${this.maxItems} items`, keyAt);
      const key = bytesToKey(buf.subarray(ks, ke));
      if (this.pos >= buf.length || buf[this.pos] === C_E) this.fail('dict key without value');
      const valueStart = this.pos;
      const v = this.value(depth);
      let keep = true;
      if (prev !== undefined && key <= prev) {
        if (key === prev || out.has(key)) {
          if (!this.len?.warnKeys) this.fail(`duplicate dict key '${showKey(key)}'`, keyAt);
          this.len.warnings.push(`duplicate dict key '${showKey(key)}' at byte ${keyAt} ignored`);
          keep = false;
        } else if (!this.allowUnsorted) {
          if (!this.len?.warnKeys) this.fail(`unsorted dict key '${showKey(key)}'`, keyAt);
          this.len.warnings.push(`unsorted dict key '${showKey(key)}' at byte ${keyAt}`);
        }
      } else if (out.has(key)) {
        // only reachable with unsorted keys: an earlier key equal to this one
        if (!this.len?.warnKeys) this.fail(`duplicate dict key '${showKey(key)}'`, keyAt);
        this.len.warnings.push(`duplicate dict key '${showKey(key)}' at byte ${keyAt} ignored`);
        keep = false;
      }
      if (keep) {
        out.set(key, v);
        if (top && this.len && this.len.spanKey === key) {
          this.len.span = { start: valueStart, end: this.pos };
        }
      }
      if (prev === undefined || key > prev) prev = key;
    }
  }
}

/**
 * Strict bencode decoder (BEP 3): no leading zeros, no `i-0e`, sorted unique keys, exactly one
 * value. Byte strings are returned as views into `buf` (no copy). Throws BencodeError.
 */
export function decode(buf: Uint8Array, opts: DecodeOptions = {}): BValue {
  const d = new Decoder(
    buf,
    opts.maxDepth ?? DEFAULT_MAX_DEPTH,
    opts.maxItems ?? DEFAULT_MAX_ITEMS,
    opts.allowUnsortedKeys ?? false,
    undefined,
  );
  if (buf.length === 0) d.fail('empty input', 0);
  const v = d.value(0);
  if (d.pos !== buf.length && !opts.allowTrailing) {
    d.fail(`${buf.length - d.pos} trailing bytes after top-level value`);
  }
  return v;
}

export interface DecodedTorrentFile {
  value: BDict;
  /** Exact byte span of the top-level `info` value (for the info-hash), if present. */
  infoSpan: { start: number; end: number } | undefined;
  warnings: string[];
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x00;
}

/**
 * Decoder for .torrent files and info dicts as found in the wild. The top level must be a dict.
 * Compared with `decode`: unsorted and duplicate dict keys (anywhere; duplicates keep the first)
 * and trailing whitespace/NUL bytes after the top-level dict are warnings, not errors. Everything
 * else (leading zeros, truncation, garbage) is still an error. The info-hash must be computed over
 * `buf.subarray(infoSpan.start, infoSpan.end)`, never over a re-encoding.
 */
export function decodeWithInfoSpan(buf: Uint8Array, opts: { maxDepth?: number; maxItems?: number } = {}): DecodedTorrentFile {
  const len: Lenience = { warnKeys: true, warnings: [], spanKey: 'info' };
  const d = new Decoder(buf, opts.maxDepth ?? DEFAULT_MAX_DEPTH, opts.maxItems ?? DEFAULT_MAX_ITEMS, false, len);
  if (buf.length === 0) d.fail('empty input', 0);
  if (buf[0] !== C_D) {
    if (buf[0] === C_I || buf[0] === C_L || (buf[0] >= C_0 && buf[0] <= C_9)) {
      throw new BencodeError('bencode: top-level value is not a dict at byte 0', 0);
    }
    d.fail(`unexpected byte ${hexByte(buf[0])}`, 0);
  }
  const v = d.value(0) as BDict;
  if (d.pos !== buf.length) {
    for (let i = d.pos; i < buf.length; i++) {
      if (!isSpace(buf[i])) d.fail(`${buf.length - d.pos} trailing bytes after top-level value`, d.pos);
    }
    len.warnings.push(`${buf.length - d.pos} trailing whitespace bytes after the top-level dict ignored`);
  }
  return { value: v, infoSpan: len.span, warnings: len.warnings };
}
