/**
 * BitTorrent v2 (BEP 52) merkle trees: SHA-256 over 16 KiB blocks, binary, padded to a power of
 * two with zero leaves. Pure functions over bytes.
 *
 * Layers are numbered from the leaves (layer 0) up; a layer is a packed Uint8Array of 32-byte
 * hashes holding only the real nodes. Nodes past the end of a layer are padding: at layer h the
 * padding node is the root of a height-h subtree of zero leaves (`padHash(h)`), because the spec
 * sets the missing *leaf* hashes to zero, not the missing nodes of each layer.
 */
import { createHash } from 'node:crypto';

export const BLOCK_SIZE = 16384;
export const HASH_SIZE = 32;
/**
 * Most hashes one hash request may ask for. BEP 52 says requests SHOULD NOT exceed 512; like
 * libtorrent we serve up to 8192 (a whole 128 MiB piece's blocks).
 */
export const MAX_HASH_REQUEST_LENGTH = 8192;

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(a).update(b).digest());
}

const padHashes: Uint8Array[] = [new Uint8Array(HASH_SIZE)];

/** Root of a perfect subtree of `height` whose leaves are all zero hashes. */
export function padHash(height: number): Uint8Array {
  while (padHashes.length <= height) {
    const below = padHashes[padHashes.length - 1];
    padHashes.push(hashPair(below, below));
  }
  return padHashes[height];
}

/** Smallest power of two >= n (1 for n <= 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** log2 of a power of two. */
export function log2(pow2: number): number {
  return Math.round(Math.log2(pow2));
}

export function isPow2(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && nextPow2(n) === n;
}

export function blockCount(length: number): number {
  return Math.ceil(length / BLOCK_SIZE);
}

/** The i-th 32-byte hash of a packed layer (a view). */
export function hashAt(layer: Uint8Array, i: number): Uint8Array {
  return layer.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

/** SHA-256 of each 16 KiB block of `data` (the last may be shorter), packed. */
export function leafHashes(data: Uint8Array): Uint8Array {
  const n = blockCount(data.length);
  const out = new Uint8Array(n * HASH_SIZE);
  for (let i = 0; i < n; i++) out.set(sha256(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)), i * HASH_SIZE);
  return out;
}

/** The layer above `layer` (which sits at `height`); an odd last node pairs with padding. */
export function parentLayer(layer: Uint8Array, height: number): Uint8Array {
  const count = layer.length / HASH_SIZE;
  const up = Math.ceil(count / 2);
  const out = new Uint8Array(up * HASH_SIZE);
  for (let i = 0; i < up; i++) {
    const left = hashAt(layer, 2 * i);
    const right = 2 * i + 1 < count ? hashAt(layer, 2 * i + 1) : padHash(height);
    out.set(hashPair(left, right), i * HASH_SIZE);
  }
  return out;
}

/** Root over `layer` at `height`, padded to `width` nodes (a power of two >= its node count). */
export function rootOf(layer: Uint8Array, height: number, width: number): Uint8Array {
  if (layer.length === 0) return padHash(height + log2(width));
  let cur = layer;
  for (let w = width, h = height; w > 1; w /= 2, h++) cur = parentLayer(cur, h);
  return cur.slice(0, HASH_SIZE);
}

/**
 * A file's `pieces root` from its leaf hashes: the tree has nextPow2(blocks) leaves. (A file of
 * one piece or less is therefore NOT padded to a whole piece.) Empty files have no root.
 */
export function fileRoot(leaves: Uint8Array): Uint8Array {
  return rootOf(leaves, 0, nextPow2(leaves.length / HASH_SIZE));
}

/** The piece layer (one hash per `blocksPerPiece` leaves, last piece zero-padded), packed. */
export function pieceLayer(leaves: Uint8Array, blocksPerPiece: number): Uint8Array {
  const blocks = leaves.length / HASH_SIZE;
  const pieces = Math.ceil(blocks / blocksPerPiece);
  const out = new Uint8Array(pieces * HASH_SIZE);
  const span = blocksPerPiece * HASH_SIZE;
  for (let p = 0; p < pieces; p++) out.set(rootOf(leaves.subarray(p * span, (p + 1) * span), 0, blocksPerPiece), p * HASH_SIZE);
  return out;
}

/** A file's root from its piece layer (`blocksPerPiece` leaves per piece-layer node). */
export function rootFromPieceLayer(layer: Uint8Array, blocksPerPiece: number): Uint8Array {
  return rootOf(layer, log2(blocksPerPiece), nextPow2(layer.length / HASH_SIZE));
}

/** Number of piece-layer hashes a file has (0 when it fits one piece: its root is its piece hash). */
export function pieceLayerCount(fileLength: number, pieceLength: number): number {
  return fileLength > pieceLength ? Math.ceil(fileLength / pieceLength) : 0;
}

/**
 * Checks a piece's data against its expected hash. For a file with a piece layer, `expected` is
 * the piece-layer entry and the piece's leaves are padded to a whole piece; for a file of one
 * piece or less (`wholeFile`), `expected` is the file's pieces root.
 */
export function verifyPiece(data: Uint8Array, expected: Uint8Array, blocksPerPiece: number, wholeFile: boolean): boolean {
  return verifyPieceLeaves(leafHashes(data), expected, blocksPerPiece, wholeFile);
}

/** verifyPiece for a piece whose block (leaf) hashes are already known, e.g. from a hashes message. */
export function verifyPieceLeaves(leaves: Uint8Array, expected: Uint8Array, blocksPerPiece: number, wholeFile: boolean): boolean {
  if (leaves.length === 0 || leaves.length > blocksPerPiece * HASH_SIZE || leaves.length % HASH_SIZE !== 0) return false;
  const got = wholeFile ? fileRoot(leaves) : rootOf(leaves, 0, blocksPerPiece);
  return equalBytes(got, expected);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
