/**
 * BEP 52 hash messages: hash request (21), hashes (22) and hash reject (23). Bytes <-> values.
 *
 * Payload: pieces root (32 bytes), then four u32s: base layer, index, length, proof layers; a
 * 'hashes' message follows them with the hashes (32 bytes each: the base-layer hashes, then the
 * uncles from the lowest layer up). Decoding checks the structure only (the sizes); whether a
 * range makes sense for a file's tree is the merkle code's job. Decoded byte fields are views
 * into the frame, as in messages.ts.
 */
import { readU32, writeU32, isU32 } from './bytes.js';
import { WireError } from './errors.js';

export const HashMessageId = { hashRequest: 21, hashes: 22, hashReject: 23 } as const;

const ROOT_SIZE = 32;
const HASH_SIZE = 32;
/** id + pieces root + base layer, index, length, proof layers. */
const FIXED_FRAME = 1 + ROOT_SIZE + 16;
/** Hashes a 'hashes' message may carry beyond `length`: one uncle per tree layer, at most. */
const MAX_UNCLES = 64;

export interface HashRequestFields {
  piecesRoot: Uint8Array;
  baseLayer: number;
  index: number;
  length: number;
  proofLayers: number;
}

export type HashMessage =
  | ({ type: 'hashRequest' } & HashRequestFields)
  | ({ type: 'hashReject' } & HashRequestFields)
  | ({ type: 'hashes' } & HashRequestFields & { hashes: Uint8Array });

export function isHashMessageId(id: number): boolean {
  return id >= HashMessageId.hashRequest && id <= HashMessageId.hashReject;
}

const NAMES: Record<number, string> = { 21: 'hash request', 22: 'hashes', 23: 'hash reject' };

/** Decodes a frame (message id byte + payload) whose id is 21, 22 or 23. Throws WireError. */
export function decodeHashMessage(frame: Uint8Array): HashMessage {
  const id = frame[0];
  if (frame.length === 0 || !isHashMessageId(id)) throw new WireError(`wire: message id ${id ?? '(none)'} is not a hash message`);
  const name = NAMES[id];
  if (id === HashMessageId.hashes ? frame.length < FIXED_FRAME : frame.length !== FIXED_FRAME) {
    throw new WireError(`wire: ${name} message must be ${id === HashMessageId.hashes ? 'at least ' : ''}${FIXED_FRAME} bytes, got ${frame.length}`);
  }
  const fields: HashRequestFields = {
    piecesRoot: frame.subarray(1, 1 + ROOT_SIZE),
    baseLayer: readU32(frame, 33),
    index: readU32(frame, 37),
    length: readU32(frame, 41),
    proofLayers: readU32(frame, 45),
  };
  if (id === HashMessageId.hashRequest) return { type: 'hashRequest', ...fields };
  if (id === HashMessageId.hashReject) return { type: 'hashReject', ...fields };
  const hashes = frame.subarray(FIXED_FRAME);
  if (hashes.length % HASH_SIZE !== 0) throw new WireError(`wire: hashes message carries ${hashes.length} bytes of hashes, not a multiple of ${HASH_SIZE}`);
  const count = hashes.length / HASH_SIZE;
  if (count < fields.length || count > fields.length + MAX_UNCLES) {
    throw new WireError(`wire: hashes message carries ${count} hashes for a length of ${fields.length}`);
  }
  return { type: 'hashes', ...fields, hashes };
}

function u32(name: string, value: number): number {
  if (!isU32(value)) throw new WireError(`wire: ${name} ${value} is not a 32-bit unsigned integer`);
  return value;
}

/** Encodes a hash message with its 4-byte length prefix, ready to send. */
export function encodeHashMessage(m: HashMessage): Uint8Array {
  if (m.piecesRoot.length !== ROOT_SIZE) throw new WireError(`wire: pieces root must be ${ROOT_SIZE} bytes, got ${m.piecesRoot.length}`);
  const hashes = m.type === 'hashes' ? m.hashes : undefined;
  if (hashes && hashes.length % HASH_SIZE !== 0) throw new WireError(`wire: hashes must be a multiple of ${HASH_SIZE} bytes`);
  const frameLength = FIXED_FRAME + (hashes?.length ?? 0);
  const out = new Uint8Array(4 + frameLength);
  writeU32(out, 0, frameLength);
  out[4] = HashMessageId[m.type];
  out.set(m.piecesRoot, 5);
  writeU32(out, 37, u32('base layer', m.baseLayer));
  writeU32(out, 41, u32('index', m.index));
  writeU32(out, 45, u32('length', m.length));
  writeU32(out, 49, u32('proof layers', m.proofLayers));
  if (hashes) out.set(hashes, 53);
  return out;
}
