/**
 * A codec for transports that carry only text (JSON over WebSocket). MessagePort and worker_threads
 * carry typed arrays natively and skip it.
 *
 * Plain JSON, except values JSON cannot hold, which become one-key tagged objects:
 *   Uint8Array          -> {"$u8": "<base64>"}
 *   Uint16Array         -> {"$u16": "<base64 of the elements, little-endian>"}
 *   NaN, ±Infinity      -> {"$num": "NaN" | "Infinity" | "-Infinity"}
 * A data object whose only key is a tag, e.g. {"$u8": 1}, is escaped with one more '$' ({"$$u8": 1}),
 * so every encodable value decodes to itself (except -0, which JSON turns into 0).
 * No Node APIs (no Buffer): base64 is implemented here.
 */
import type { EngineMessage, UiMessage } from './types.js';

export class WireError extends Error {
  override name = 'WireError';
}

/**
 * Encodes a message as JSON text. Throws a WireError for values the codec cannot carry (other typed
 * arrays, ArrayBuffer, bigint, cycles), which means a bug in the sender.
 */
export function encodeMessage(msg: UiMessage | EngineMessage): string {
  try {
    return JSON.stringify(msg, replacer);
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`cannot encode message: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Decodes text (or UTF-8 bytes) from encodeMessage. Returns `unknown`: messages from a UI must still go
 * through parseRequest. Throws a WireError on malformed input; see tryDecodeMessage.
 */
export function decodeMessage(data: string | Uint8Array): unknown {
  let text: string;
  try {
    text = typeof data === 'string' ? data : utf8.decode(data);
  } catch {
    throw new WireError('message is not valid UTF-8');
  }
  try {
    return JSON.parse(text, reviver) as unknown;
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`message is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** decodeMessage without throwing. */
export function tryDecodeMessage(data: string | Uint8Array): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: decodeMessage(data) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : 'message could not be decoded' };
  }
}

// ---------------------------------------------------------------------------------------------

/** Keys of one-key objects the codec reserves: "$u8", "$u16", "$num", and their escapes "$$u8", "$$$u8", ... */
const TAG_LIKE = /^\$+(?:u8|u16|num)$/;
const ESCAPED = /^\$\$+(?:u8|u16|num)$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)?.get;

function replacer(this: unknown, key: string, value: unknown): unknown {
  // Look at the holder's raw value, not `value`: a Node Buffer (a Uint8Array) has a toJSON that has
  // already turned `value` into {type: 'Buffer', data: [...]}.
  const raw: unknown = (this as Record<string, unknown>)[key];
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? raw : { $num: String(raw) };
  }
  if (typeof raw === 'object' && raw !== null) {
    if (ArrayBuffer.isView(raw)) {
      const kind: unknown = typedArrayTag?.call(raw);
      if (kind === 'Uint8Array') return { $u8: bytesToBase64(raw as Uint8Array) };
      if (kind === 'Uint16Array') return { $u16: bytesToBase64(u16ToBytes(raw as Uint16Array)) };
      throw new WireError(`cannot encode ${String(kind ?? 'DataView')} at ${JSON.stringify(key)}`);
    }
    if (raw instanceof ArrayBuffer) throw new WireError(`cannot encode ArrayBuffer at ${JSON.stringify(key)}`);
    if (!Array.isArray(raw) && value === raw) {
      // A data object that looks like a tag ({"$u8": ...}, or an escaped one) gets one more '$'.
      const k = soleKey(raw);
      if (k !== null && k.charCodeAt(0) === 36 && TAG_LIKE.test(k)) return { ['$' + k]: (raw as Record<string, unknown>)[k] };
    }
  }
  return value;
}

/** The key of a one-key object, or null. */
function soleKey(o: object): string | null {
  let only: string | null = null;
  for (const k in o) {
    if (only !== null) return null;
    only = k;
  }
  return only;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const tag = soleKey(value);
  if (tag === null || tag.charCodeAt(0) !== 36 /* $ */) return value;
  const v = (value as Record<string, unknown>)[tag];
  if (ESCAPED.test(tag)) return { [tag.slice(1)]: v };
  if (typeof v !== 'string') return value;
  switch (tag) {
    case '$u8':
      return base64ToBytes(v);
    case '$u16':
      return bytesToU16(base64ToBytes(v));
    case '$num':
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      throw new WireError(`bad $num value ${JSON.stringify(v.slice(0, 20))}`);
  }
  return value;
}

function u16ToBytes(a: Uint16Array): Uint8Array {
  const out = new Uint8Array(a.length * 2);
  for (let i = 0, j = 0; i < a.length; i++, j += 2) {
    const x = a[i];
    out[j] = x & 0xff;
    out[j + 1] = x >>> 8;
  }
  return out;
}

function bytesToU16(b: Uint8Array): Uint16Array {
  if (b.length % 2 !== 0) throw new WireError('$u16 payload has an odd number of bytes');
  const out = new Uint16Array(b.length / 2);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = b[j] | (b[j + 1] << 8);
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENC = new Uint8Array(64);
for (let i = 0; i < 64; i++) ENC[i] = ALPHABET.charCodeAt(i);
const DEC = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) DEC[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // '='

const textAscii = new TextDecoder(); // the output is ASCII

/** Standard base64 with padding (RFC 4648 §4). */
export function bytesToBase64(b: Uint8Array): string {
  const n = b.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let i = 0;
  let j = 0;
  for (; i + 2 < n; i += 3, j += 4) {
    const x = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out[j] = ENC[x >>> 18];
    out[j + 1] = ENC[(x >>> 12) & 63];
    out[j + 2] = ENC[(x >>> 6) & 63];
    out[j + 3] = ENC[x & 63];
  }
  if (i < n) {
    const x = (b[i] << 16) | (i + 1 < n ? b[i + 1] << 8 : 0);
    out[j] = ENC[x >>> 18];
    out[j + 1] = ENC[(x >>> 12) & 63];
    out[j + 2] = i + 1 < n ? ENC[(x >>> 6) & 63] : PAD;
    out[j + 3] = PAD;
  }
  return textAscii.decode(out);
}

/** Strict standard base64: padded, canonical (unused bits zero), nothing but the alphabet. Throws a WireError. */
export function base64ToBytes(s: string): Uint8Array {
  if (s.length % 4 !== 0) throw new WireError('base64 length is not a multiple of 4');
  if (s.length === 0) return new Uint8Array(0);
  const pad = s.charCodeAt(s.length - 1) === PAD ? (s.charCodeAt(s.length - 2) === PAD ? 2 : 1) : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  const bad = (): never => {
    throw new WireError('invalid base64');
  };
  const val = (k: number): number => {
    const c = s.charCodeAt(k);
    const v = c < 256 ? DEC[c] : -1;
    return v < 0 ? bad() : v;
  };
  const full = pad === 0 ? s.length : s.length - 4;
  let j = 0;
  for (let i = 0; i < full; i += 4) {
    const x = (val(i) << 18) | (val(i + 1) << 12) | (val(i + 2) << 6) | val(i + 3);
    out[j++] = x >>> 16;
    out[j++] = (x >>> 8) & 0xff;
    out[j++] = x & 0xff;
  }
  if (pad > 0) {
    const i = full;
    const a = val(i);
    const b = val(i + 1);
    if (pad === 2) {
      if ((b & 15) !== 0) bad();
      out[j] = (a << 2) | (b >>> 4);
    } else {
      const c = val(i + 2);
      if ((c & 3) !== 0) bad();
      out[j] = (a << 2) | (b >>> 4);
      out[j + 1] = ((b & 15) << 4) | (c >>> 2);
    }
  }
  return out;
}
