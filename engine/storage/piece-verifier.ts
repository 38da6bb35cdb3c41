/**
 * Verifying a complete piece against what the metainfo says of it, for the storage backends to call
 * at one seam. v1 torrents keep the backends' own SHA-1 path; v2 and hybrid torrents verify by
 * merkle tree (BEP 52) through a MerkleVerifier:
 * - every non-empty file starts on a piece boundary, so a piece belongs to one file; only that
 *   file's bytes count (the tail of a file's last piece is padding in the piece address space);
 * - a file longer than one piece is checked against its piece layer (the piece's 16 KiB leaves
 *   padded to a whole piece); a file of one piece or less against its pieces root;
 * - a hybrid's piece must also match its v1 SHA-1 (over the whole piece, padding included).
 * A file's piece layer may be unknown (a magnet's info dict carries none): its pieces cannot be
 * verified until `setLayer` (the torrent fetches layers from peers and checks them against the root).
 */
import { createHash } from 'node:crypto';
import { toHex } from '../common/hex.js';
import { BLOCK_SIZE, HASH_SIZE, equalBytes, hashAt, leafHashes, pieceLayerCount, rootFromPieceLayer, verifyPieceLeaves } from '../metainfo/merkle.js';

export interface PieceVerifier {
  /** `data` is the whole of `piece` and matches every hash the torrent has of it. */
  matches(piece: number, data: Uint8Array): boolean;
}

export interface MerkleFile {
  readonly offset: number;
  readonly length: number;
  readonly padding: boolean;
  readonly piecesRoot?: Uint8Array;
}

export interface MerkleSpec {
  readonly version: 1 | 2 | 'hybrid';
  readonly pieceLength: number;
  readonly totalLength: number;
  /** SHA-1 per piece (hybrid); empty for v2-only. */
  readonly pieces: Uint8Array;
  readonly files: readonly MerkleFile[];
  /** Piece layers by hex pieces root, already checked against their roots (parse.ts). */
  readonly pieceLayers?: ReadonlyMap<string, Uint8Array>;
}

/** Failed pieces whose leaf hashes are kept for block-level blame (oldest dropped first). */
const MAX_FAILED_KEPT = 32;

export class MerkleVerifier implements PieceVerifier {
  readonly blocksPerPiece: number;
  /** File index owning each piece (-1: none, e.g. a piece of padding only). */
  private readonly pieceFile: Int32Array;
  private readonly layers: (Uint8Array | undefined)[];
  /** Leaf (16 KiB block) hashes of recently failed pieces, by piece. */
  private readonly failed = new Map<number, Uint8Array>();

  constructor(private readonly spec: MerkleSpec) {
    const { pieceLength, files } = spec;
    this.blocksPerPiece = pieceLength / BLOCK_SIZE;
    this.pieceFile = new Int32Array(Math.ceil(spec.totalLength / pieceLength)).fill(-1);
    this.layers = files.map((f) => (f.piecesRoot ? spec.pieceLayers?.get(toHex(f.piecesRoot)) : undefined));
    files.forEach((f, i) => {
      if (f.padding || f.length === 0 || !f.piecesRoot) return;
      const first = f.offset / pieceLength;
      const last = Math.ceil((f.offset + f.length) / pieceLength);
      for (let p = first; p < last; p++) this.pieceFile[p] = i;
    });
  }

  get files(): readonly MerkleFile[] {
    return this.spec.files;
  }

  /** The file a piece belongs to, or -1. */
  fileOf(piece: number): number {
    return this.pieceFile[piece] ?? -1;
  }

  /** Files whose pieces need a piece layer that is not known yet. */
  missingLayers(): number[] {
    const out: number[] = [];
    this.spec.files.forEach((f, i) => {
      if (f.piecesRoot && pieceLayerCount(f.length, this.spec.pieceLength) > 0 && !this.layers[i]) out.push(i);
    });
    return out;
  }

  /** A file's piece layer (undefined when unknown or when the file fits one piece). */
  layer(file: number): Uint8Array | undefined {
    return this.layers[file];
  }

  /**
   * Adopts a piece layer for `file` if it hashes to the file's pieces root; false (and nothing
   * kept) otherwise.
   */
  setLayer(file: number, layer: Uint8Array): boolean {
    const f = this.spec.files[file];
    if (!f?.piecesRoot || layer.length !== pieceLayerCount(f.length, this.spec.pieceLength) * HASH_SIZE) return false;
    if (!equalBytes(rootFromPieceLayer(layer, this.blocksPerPiece), f.piecesRoot)) return false;
    this.layers[file] = layer;
    return true;
  }

  /** v2-only: pieces can be verified by merkle tree alone (a hybrid also has its SHA-1s). */
  get v2Only(): boolean {
    return this.spec.version === 2;
  }

  /** The piece's hashes are all known (its file's layer, if it needs one). */
  canVerify(piece: number): boolean {
    const file = this.fileOf(piece);
    if (file < 0) return true;
    return pieceLayerCount(this.spec.files[file].length, this.spec.pieceLength) === 0 || this.layers[file] !== undefined;
  }

  /**
   * The hash `piece` is checked against and where it sits in its file's tree: the piece-layer
   * node, or for a file of one piece or less its root. Undefined for a piece with no file or an
   * unknown layer.
   */
  trustedNode(piece: number): { file: number; wholeFile: boolean; index: number; hash: Uint8Array } | undefined {
    const file = this.fileOf(piece);
    if (file < 0) return undefined;
    const f = this.spec.files[file];
    const index = (piece * this.spec.pieceLength - f.offset) / this.spec.pieceLength;
    if (pieceLayerCount(f.length, this.spec.pieceLength) === 0) return { file, wholeFile: true, index: 0, hash: f.piecesRoot! };
    const layer = this.layers[file];
    return layer ? { file, wholeFile: false, index, hash: hashAt(layer, index) } : undefined;
  }

  matches(piece: number, data: Uint8Array): boolean {
    const hybrid = this.spec.version === 'hybrid';
    const sha1Ok = !hybrid || this.sha1Matches(piece, data);
    const file = this.fileOf(piece);
    if (file < 0) return hybrid ? sha1Ok : data.every((b) => b === 0);
    const node = this.trustedNode(piece);
    // a hybrid whose piece layer is not known yet (a magnet): its SHA-1 stands alone
    if (!node) return hybrid && sha1Ok;
    const f = this.spec.files[file];
    const start = piece * this.spec.pieceLength - f.offset;
    const fileBytes = Math.min(this.spec.pieceLength, f.length - start);
    const leaves = leafHashes(data.subarray(0, fileBytes));
    // bytes past the file's end in its last piece are padding (BEP 47 / BEP 52) and must be zero
    const badPadding = data.subarray(fileBytes).some((b) => b !== 0);
    if (sha1Ok && !badPadding && verifyPieceLeaves(leaves, node.hash, this.blocksPerPiece, node.wholeFile)) {
      this.failed.delete(piece);
      return true;
    }
    if (this.failed.size >= MAX_FAILED_KEPT) this.failed.delete(this.failed.keys().next().value!);
    this.failed.set(piece, badPadding ? markBadPadding(leaves, data, fileBytes) : leaves);
    return false;
  }

  /** Leaf hashes of `piece`'s data the last time it failed (and forgets them), if kept. */
  takeFailedLeaves(piece: number): Uint8Array | undefined {
    const leaves = this.failed.get(piece);
    this.failed.delete(piece);
    return leaves;
  }

  private sha1Matches(piece: number, data: Uint8Array): boolean {
    const digest = createHash('sha1').update(data).digest();
    return equalBytes(digest, this.spec.pieces.subarray(piece * 20, piece * 20 + 20));
  }
}

/**
 * Leaf hashes for blame when a v2 piece's padding is not zero: a block holding non-zero padding gets
 * an impossible hash (all 0xff) so it can match no proof; blocks of padding alone get the zero hash
 * of a padding leaf when they are clean.
 */
function markBadPadding(leaves: Uint8Array, data: Uint8Array, fileBytes: number): Uint8Array {
  const blocks = Math.ceil(data.length / BLOCK_SIZE);
  const out = new Uint8Array(blocks * HASH_SIZE);
  out.set(leaves);
  for (let b = Math.floor(fileBytes / BLOCK_SIZE); b < blocks; b++) {
    const start = Math.max(fileBytes, b * BLOCK_SIZE);
    if (data.subarray(start, (b + 1) * BLOCK_SIZE).some((x) => x !== 0)) out.fill(0xff, b * HASH_SIZE, (b + 1) * HASH_SIZE);
  }
  return out;
}

/** The verifier a torrent's storage needs: a MerkleVerifier for v2 and hybrid torrents, none (SHA-1 in the backend) for v1. */
export function merkleVerifierFor(spec: MerkleSpec): MerkleVerifier | undefined {
  return spec.version === 1 ? undefined : new MerkleVerifier(spec);
}
