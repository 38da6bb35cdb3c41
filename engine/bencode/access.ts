import { isBytes, isDict, isInt, isList, type BDict, type BValue } from './types.js';

/**
 * Typed reads from a BDict. Each returns `undefined` when the key is absent OR holds a value of
 * another type; callers that must tell the two apart use `dict.has(key)`.
 * Keys are raw latin1 strings; for ASCII keys that is just the key text.
 */
export function getInt(d: BDict, key: string): number | undefined {
  const v = d.get(key);
  return isInt(v) ? v : undefined;
}

export function getBytes(d: BDict, key: string): Uint8Array | undefined {
  const v = d.get(key);
  return isBytes(v) ? v : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes -> text; invalid UTF-8 sequences become U+FFFD. */
export function bytesToText(b: Uint8Array): string {
  return utf8.decode(b);
}

/** Bytes -> text, or undefined if the bytes are not valid UTF-8. */
export function bytesToTextStrict(b: Uint8Array): string | undefined {
  try {
    return utf8Fatal.decode(b);
  } catch {
    return undefined;
  }
}

/** A byte string decoded as UTF-8 (invalid sequences replaced by U+FFFD). */
export function getString(d: BDict, key: string): string | undefined {
  const b = getBytes(d, key);
  return b === undefined ? undefined : utf8.decode(b);
}

export function getList(d: BDict, key: string): BValue[] | undefined {
  const v = d.get(key);
  return isList(v) ? v : undefined;
}

export function getDict(d: BDict, key: string): BDict | undefined {
  const v = d.get(key);
  return isDict(v) ? v : undefined;
}
