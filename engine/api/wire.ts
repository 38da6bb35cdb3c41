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
 *
 * Binary frames (encodeBinaryMessage, for WebSocket binary messages) carry the same JSON but move typed
 * arrays out of the text, so a piece map costs a copy instead of base64 both ways:
 *   u32 LE  length of the JSON text in bytes
 *   JSON    with each typed array as {"$b8": [offset, byteLength]} or {"$b16": [offset, byteLength]}
 *   zeros   up to the next multiple of 8
 *   blobs   at those offsets from here (each 8-aligned; Uint16 elements little-endian)
 * Decoded typed arrays are views into the frame where alignment allows.
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

/** encodeMessage as one binary frame, typed arrays outside the JSON (see the header comment). */
export function encodeBinaryMessage(msg: UiMessage | EngineMessage): Uint8Array {
  const blobs: { bytes: Uint8Array; at: number }[] = [];
  let blobBytes = 0;
  const outOfBand = (bytes: Uint8Array, tag: '$b8' | '$b16'): object => {
    const at = blobBytes;
    blobs.push({ bytes, at });
    blobBytes = align8(at + bytes.length);
    return { [tag]: [at, bytes.length] };
  };
  let text: string;
  try {
    text = JSON.stringify(msg, function (this: unknown, key: string, value: unknown): unknown {
      const raw: unknown = (this as Record<string, unknown>)[key];
      if (typeof raw === 'object' && raw !== null && ArrayBuffer.isView(raw)) {
        const kind: unknown = typedArrayTag?.call(raw);
        if (kind === 'Uint8Array') return outOfBand(raw as Uint8Array, '$b8');
        if (kind === 'Uint16Array') return outOfBand(u16AsLittleEndianBytes(raw as Uint16Array), '$b16');
      }
      return replacer.call(this, key, value);
    });
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`cannot encode message: ${e instanceof Error ? e.message : String(e)}`);
  }
  const json = utf8Encoder.encode(text);
  const blobStart = align8(4 + json.length);
  const frame = new Uint8Array(blobStart + blobBytes);
  new DataView(frame.buffer).setUint32(0, json.length, true);
  frame.set(json, 4);
  for (const b of blobs) frame.set(b.bytes, blobStart + b.at);
  return frame;
}

/** Decodes a frame from encodeBinaryMessage. Returns `unknown`, like decodeMessage; throws a WireError on a malformed frame. */
export function decodeBinaryMessage(frame: Uint8Array): unknown {
  if (frame.length < 4) throw new WireError('binary frame is shorter than its header');
  const jsonLength = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, true);
  if (jsonLength > frame.length - 4) throw new WireError('binary frame is shorter than its JSON');
  const blobStart = align8(4 + jsonLength);
  const blobs = frame.subarray(Math.min(blobStart, frame.length));
  let text: string;
  try {
    text = utf8.decode(frame.subarray(4, 4 + jsonLength));
  } catch {
    throw new WireError('message is not valid UTF-8');
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      const bin = binaryTag(value);
      if (bin === null) return reviver(key, value);
      const { tag, at, length } = bin;
      if (at + length > blobs.length) throw new WireError(`${tag} blob [${at}, ${at + length}) lies outside the frame`);
      const bytes = blobs.subarray(at, at + length);
      if (tag === '$b8') return bytes;
      if (length % 2 !== 0) throw new WireError('$b16 blob has an odd number of bytes');
      // A view when the platform is little-endian and the blob is aligned; otherwise a copy.
      return LITTLE_ENDIAN && bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, length / 2) : bytesToU16(bytes);
    }) as unknown;
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`message is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** {"$b8": [offset, byteLength]} or {"$b16": [...]} with non-negative integers, else null. */
function binaryTag(value: unknown): { tag: '$b8' | '$b16'; at: number; length: number } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const tag = soleKey(value);
  if (tag !== '$b8' && tag !== '$b16') return null;
  const v = (value as Record<string, unknown>)[tag];
  if (!Array.isArray(v) || v.length !== 2 || !Number.isSafeInteger(v[0]) || !Number.isSafeInteger(v[1]) || v[0] < 0 || v[1] < 0) {
    throw new WireError(`malformed ${tag} reference`);
  }
  return { tag, at: v[0] as number, length: v[1] as number };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function u16AsLittleEndianBytes(a: Uint16Array): Uint8Array {
  return LITTLE_ENDIAN ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : u16ToBytes(a);
}

const utf8Encoder = new TextEncoder();

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
const TAG_LIKE = /^\$+(?:u8|u16|num|b8|b16)$/;
const ESCAPED = /^\$\$+(?:u8|u16|num|b8|b16)$/;

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
