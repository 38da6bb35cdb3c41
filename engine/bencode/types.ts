import { InputError } from '../common/errors.js';

/**
 * A decoded bencode value. Integers are JS numbers (values outside the safe-integer range are
 * rejected by the decoder); byte strings stay bytes; dict keys are the raw key bytes as a latin1
 * string (one char per byte, so `d.get('piece length')` works for ASCII keys).
 */
export type BValue = number | Uint8Array | BValue[] | BDict;
export type BDict = Map<string, BValue>;

/** Malformed bencode. `offset` is the byte position where decoding failed. */
export class BencodeError extends InputError {
  override name = 'BencodeError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}
export function isList(v: BValue | undefined): v is BValue[] {
  return Array.isArray(v);
}
export function isBytes(v: BValue | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}
export function isInt(v: BValue | undefined): v is number {
  return typeof v === 'number';
}

/** Raw bytes -> latin1 key string (one char per byte), as used for BDict keys. */
export function bytesToKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 4096)));
  }
  return s;
}

/** latin1 key string -> raw bytes. */
export function keyToBytes(k: string): Uint8Array {
  const out = new Uint8Array(k.length);
  for (let i = 0; i < k.length; i++) out[i] = k.charCodeAt(i) & 0xff;
  return out;
}
