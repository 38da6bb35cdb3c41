/**
 * Hash request / hashes (BEP 52) on the tree side: which hashes answer a request (the requested
 * base-layer hashes followed by one uncle per proof layer, lowest first) and checking a received
 * answer up to a known ancestor (normally the file's pieces root). Pure.
 */
import { HASH_SIZE, MAX_HASH_REQUEST_LENGTH, equalBytes, hashAt, hashPair, log2, nextPow2, padHash, parentLayer } from './merkle.js';

/** The numeric fields shared by hash request, hashes and hash reject (without the pieces root). */
export interface HashRange {
  /** Layer of the first requested hashes: 0 = leaves (16 KiB blocks). */
  baseLayer: number;
  /** Offset of the first requested hash in the base layer; a multiple of the (rounded) length. */
  index: number;
  /** Number of base-layer hashes. */
  length: number;
  /** Number of ancestor layers to cover with uncle hashes (the first log2(length)-1 are implied). */
  proofLayers: number;
}

/**
 * Why a range cannot be served from a tree whose root is at layer `height`, or undefined. As BEP 52
 * and libtorrent: the base layer is below the root, 2 <= length, index a multiple of the length
 * (rounded up to a power of two), the hashes inside the (padded) layer, and the proof layers
 * ending below the root.
 */
export function rangeProblem(r: HashRange, height: number): string | undefined {
  if (![r.baseLayer, r.index, r.length, r.proofLayers].every((x) => Number.isInteger(x) && x >= 0)) return 'negative or non-integer field';
  if (r.baseLayer >= height) return `base layer ${r.baseLayer} is not below the root (layer ${height})`;
  if (r.length < 2 || r.length > MAX_HASH_REQUEST_LENGTH) return `length ${r.length} is not in 2..${MAX_HASH_REQUEST_LENGTH}`;
  const span = nextPow2(r.length);
  if (r.index % span !== 0) return `index ${r.index} is not a multiple of ${span}`;
  const width = 2 ** (height - r.baseLayer);
  if (r.index + r.length > width) return `hashes ${r.index}..${r.index + r.length - 1} are past the end of layer ${r.baseLayer} (${width} nodes)`;
  if (r.proofLayers >= height - r.baseLayer) return `${r.proofLayers} proof layers reach past the root`;
  return undefined;
}

/**
 * How many uncle hashes answer a valid `r`: one per proof layer, except that the first
 * log2(length) - 1 proof layers are computed from the base hashes themselves (BEP 52). The first
 * uncle is the sibling of the subtree the base hashes span, at layer base + log2(length).
 */
export function uncleCount(r: HashRange): number {
  return Math.max(0, r.proofLayers - (log2(nextPow2(r.length)) - 1));
}

/**
 * A file's merkle tree as far as it is known: every layer from `lowest` up to the root. Built from
 * the leaves (a seeder with the data) or from the piece layer (a peer with only the .torrent).
 */
export class MerkleTree {
  /** layers[i] is layer `lowest + i` (real nodes only, packed). */
  private readonly layers: Uint8Array[];

  private constructor(
    readonly lowest: number,
    /** Number of layers above the leaves: the root is at layer `height`. */
    readonly height: number,
    base: Uint8Array,
  ) {
    this.layers = [base];
    for (let h = lowest; h < height; h++) this.layers.push(parentLayer(this.layers[this.layers.length - 1], h));
  }

  /** From a file's leaf hashes (nextPow2(blocks) leaves). */
  static fromLeaves(leaves: Uint8Array): MerkleTree {
    return new MerkleTree(0, log2(nextPow2(leaves.length / HASH_SIZE)), leaves);
  }

  /** From a piece layer; `blocksPerPiece` = piece length / 16 KiB; `blocks` = the file's block count. */
  static fromPieceLayer(layer: Uint8Array, blocksPerPiece: number, blocks: number): MerkleTree {
    return new MerkleTree(log2(blocksPerPiece), log2(nextPow2(blocks)), layer);
  }

  get root(): Uint8Array {
    return this.node(this.height, 0);
  }

  /** A node's hash, padding included; throws RangeError for a layer this tree does not hold. */
  node(layer: number, index: number): Uint8Array {
    const l = this.layers[layer - this.lowest];
    if (l === undefined) throw new RangeError(`merkle: layer ${layer} is not known`);
    return index < l.length / HASH_SIZE ? hashAt(l, index) : padHash(layer);
  }

  /** The `hashes` payload answering `r`, or undefined if it cannot be served (send hash reject). */
  answer(r: HashRange): Uint8Array | undefined {
    if (rangeProblem(r, this.height) !== undefined || r.baseLayer < this.lowest) return undefined;
    const uncles = uncleCount(r);
    const out = new Uint8Array((r.length + uncles) * HASH_SIZE);
    for (let i = 0; i < r.length; i++) out.set(this.node(r.baseLayer, r.index + i), i * HASH_SIZE);
    const subtree = log2(nextPow2(r.length));
    let idx = r.index >> subtree;
    for (let u = 0; u < uncles; u++) {
      out.set(this.node(r.baseLayer + subtree + u, idx ^ 1), (r.length + u) * HASH_SIZE);
      idx >>= 1;
    }
    return out;
  }
}

/**
 * Recomputes the ancestor that a `hashes` answer proves: returns its layer, index and hash, or
 * undefined if the payload has the wrong size. The caller compares it with a node it trusts (the
 * pieces root when the uncles reach it).
 */
export function provenAncestor(
  r: HashRange,
  height: number,
  payload: Uint8Array,
): { layer: number; index: number; hash: Uint8Array } | undefined {
  if (rangeProblem(r, height) !== undefined) return undefined;
  const uncles = uncleCount(r);
  if (payload.length !== (r.length + uncles) * HASH_SIZE) return undefined;
  const span = nextPow2(r.length);
  let layer: Uint8Array = payload.slice(0, r.length * HASH_SIZE);
  let h = r.baseLayer;
  for (let w = span; w > 1; w /= 2, h++) layer = parentLayer(layer, h);
  let node: Uint8Array = layer.slice(0, HASH_SIZE);
  let idx = r.index / span;
  for (let u = 0; u < uncles; u++, h++) {
    const uncle = hashAt(payload, r.length + u);
    node = idx % 2 === 0 ? hashPair(node, uncle) : hashPair(uncle, node);
    idx = Math.floor(idx / 2);
  }
  return { layer: h, index: idx, hash: node };
}

/** True when `payload` answers `r` and proves up to `root` (the uncles must reach the root). */
export function answerMatchesRoot(r: HashRange, height: number, payload: Uint8Array, root: Uint8Array): boolean {
  const a = provenAncestor(r, height, payload);
  return a !== undefined && a.layer === height && equalBytes(a.hash, root);
}
