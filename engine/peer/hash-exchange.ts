/**
 * BEP 52 hash messages for one v2 or hybrid torrent:
 * - serving: answers peers' hash requests from our piece layers (and, for the 16 KiB leaves of a
 *   piece we have, by hashing the piece read back from storage), or rejects them;
 * - fetching piece layers: a torrent from a magnet has only the info dict, so the piece layers of
 *   files longer than a piece are asked of peers in chunks, each answer checked against the file's
 *   pieces root before it is used;
 * - block-level blame: when a piece fails its merkle check, the leaf hashes of that piece are asked
 *   of a peer (proven against the piece-layer hash we trust) and compared with the blocks we got,
 *   so exactly the peers that sent bad 16 KiB blocks are banned.
 */
import { BLOCK_SIZE, HASH_SIZE, hashAt, leafHashes, log2, nextPow2, padHash, pieceLayerCount } from '../metainfo/merkle.js';
import { MerkleTree, provenAncestor, rangeProblem, uncleCount, type HashRange } from '../metainfo/merkle-proof.js';
import { equalBytes } from '../metainfo/merkle.js';
import type { Bitfield } from '../common/bitfield.js';
import type { MerkleVerifier } from '../storage/piece-verifier.js';
import type { Storage } from '../storage/types.js';
import { encodeHashMessage, type HashMessage, type HashRequestFields } from '../wire/hash-messages.js';
import type { PeerConnection } from './connection.js';

/** Hashes asked for in one piece-layer request (BEP 52: requests SHOULD NOT exceed 512). */
const LAYER_CHUNK = 512;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_LEAF_ATTEMPTS = 3;

export interface HashExchangeHost {
  readonly peers: ReadonlySet<PeerConnection>;
  readonly have: Bitfield;
  log(line: string): void;
  /** Every piece layer is known now: all pieces can be verified. */
  layersComplete(): void;
  /** `peer` is proven to have sent a bad block. */
  ban(peer: PeerConnection, reason: string): void;
}

interface Pending {
  readonly kind: 'layer' | 'leaves';
  readonly file: number;
  readonly range: HashRange;
  peer: PeerConnection | null;
  sentAt: number;
  /** Times sent (block hashes are given up after MAX_LEAF_ATTEMPTS). */
  attempts: number;
  /** kind 'leaves': the piece and who sent each of its blocks, with the leaf hashes of what they sent. */
  readonly piece?: number;
  readonly senders?: readonly (PeerConnection | undefined)[];
  readonly gotLeaves?: Uint8Array;
}

export class HashExchange {
  private readonly trees = new Map<number, MerkleTree>();
  /** Requests we want answered (sent or waiting for a peer), by key. */
  private readonly pending = new Map<string, Pending>();
  /** Chunks of piece layers received so far, by file. */
  private readonly layerParts = new Map<number, Uint8Array>();
  private readonly fileByRoot = new Map<string, number>();

  constructor(
    private readonly verifier: MerkleVerifier,
    private readonly storage: Pick<Storage, 'geometry' | 'readBlock'>,
    private readonly host: HashExchangeHost,
  ) {
    verifier.files.forEach((f, i) => {
      if (f.piecesRoot) this.fileByRoot.set(Buffer.from(f.piecesRoot).toString('hex'), i);
    });
    for (const file of verifier.missingLayers()) this.queueLayer(file);
  }

  /**
   * v2-only torrents whose piece layers are still being fetched: pieces of those files cannot be
   * verified yet. (A hybrid verifies by SHA-1 meanwhile, so it downloads from v1-only peers too.)
   */
  get awaitingLayers(): boolean {
    if (!this.verifier.v2Only) return false;
    for (const p of this.pending.values()) if (p.kind === 'layer') return true;
    return false;
  }

  private hasLayerRequests(): boolean {
    for (const p of this.pending.values()) if (p.kind === 'layer') return true;
    return false;
  }

  private height(file: number): number {
    return log2(nextPow2(Math.ceil(this.verifier.files[file].length / BLOCK_SIZE)));
  }

  private root(file: number): Uint8Array {
    return this.verifier.files[file].piecesRoot!;
  }

  // ---- serving ----

  onMessage(peer: PeerConnection, msg: HashMessage, now: number): void {
    if (msg.type === 'hashRequest') return this.serve(peer, msg);
    const file = this.fileByRoot.get(Buffer.from(msg.piecesRoot).toString('hex'));
    const p = file === undefined ? undefined : this.pending.get(keyOf(file, msg));
    if (!p || p.peer !== peer) return;
    if (msg.type === 'hashReject') {
      p.peer = null;
      this.dispatch(now);
      return;
    }
    const hashes = new Uint8Array(msg.hashes);
    if (p.kind === 'layer') this.layerAnswer(p, peer, hashes);
    else this.leavesAnswer(p, peer, hashes);
    this.dispatch(now);
  }

  private serve(peer: PeerConnection, req: HashRequestFields): void {
    const file = this.fileByRoot.get(Buffer.from(req.piecesRoot).toString('hex'));
    const reject = (): void => void peer.send(encodeHashMessage({ ...fieldsOf(req), type: 'hashReject' }));
    if (file === undefined) return reject();
    const tree = this.treeOf(file);
    const lowest = log2(this.verifier.blocksPerPiece);
    if (tree && req.baseLayer >= lowest) {
      const answer = tree.answer(req);
      if (!answer) return reject();
      peer.send(encodeHashMessage({ ...fieldsOf(req), type: 'hashes', hashes: answer }));
      return;
    }
    // leaves of exactly one piece of a file we have: hash the piece read back from storage
    const span = this.verifier.blocksPerPiece;
    const single = pieceLayerCount(this.verifier.files[file].length, this.storage.geometry.pieceLength) === 0;
    const want = single ? nextPow2(Math.ceil(this.verifier.files[file].length / BLOCK_SIZE)) : span;
    if (req.baseLayer !== 0 || req.length !== want || rangeProblem(req, this.height(file)) !== undefined) return reject();
    if (single ? uncleCount(req) > 0 : !tree) return reject();
    const piece = this.verifier.files[file].offset / this.storage.geometry.pieceLength + req.index / span;
    // reading and hashing a piece costs like uploading it: only for peers we would upload to
    if (!this.host.have.has(piece) || peer.amChoking) return reject();
    void this.readLeaves(piece, file).then(
      (leaves) => {
        const uncles = uncleCount(req);
        const out = new Uint8Array((req.length + uncles) * HASH_SIZE);
        out.set(leaves);
        for (let i = leaves.length / HASH_SIZE; i < req.length; i++) out.set(padHash(0), i * HASH_SIZE);
        let idx = req.index / span;
        for (let u = 0; u < uncles; u++, idx >>= 1) out.set(tree!.node(lowest + u, idx ^ 1), (req.length + u) * HASH_SIZE);
        if (!peer.closed) peer.send(encodeHashMessage({ ...fieldsOf(req), type: 'hashes', hashes: out }));
      },
      () => reject(),
    );
  }

  private async readLeaves(piece: number, file: number): Promise<Uint8Array> {
    const g = this.storage.geometry;
    const f = this.verifier.files[file];
    const size = Math.min(g.pieceSize(piece), f.offset + f.length - piece * g.pieceLength);
    const buf = Buffer.allocUnsafe(size);
    await this.storage.readBlock(piece, 0, size, buf, 0);
    return leafHashes(buf);
  }

  /** The tree from the file's piece layer upward (files longer than a piece whose layer we know). */
  private treeOf(file: number): MerkleTree | undefined {
    let tree = this.trees.get(file);
    const layer = this.verifier.layer(file);
    if (!tree && layer) {
      tree = MerkleTree.fromPieceLayer(layer, this.verifier.blocksPerPiece, Math.ceil(this.verifier.files[file].length / BLOCK_SIZE));
      this.trees.set(file, tree);
    }
    return tree;
  }

  // ---- fetching piece layers ----

  private queueLayer(file: number): void {
    const count = pieceLayerCount(this.verifier.files[file].length, this.storage.geometry.pieceLength);
    const base = log2(this.verifier.blocksPerPiece);
    const height = this.height(file);
    this.layerParts.set(file, new Uint8Array(count * HASH_SIZE));
    for (let index = 0; index < count; index += LAYER_CHUNK) {
      const length = Math.max(2, Math.min(LAYER_CHUNK, count - index));
      // proof up to just below the root, so every answer is checked against the pieces root
      const range: HashRange = { baseLayer: base, index, length, proofLayers: height - base - 1 };
      this.pending.set(keyOf(file, range), { kind: 'layer', file, range, peer: null, sentAt: 0, attempts: 0 });
    }
  }

  private layerAnswer(p: Pending, peer: PeerConnection, hashes: Uint8Array): void {
    const height = this.height(p.file);
    const proven = provenAncestor(p.range, height, hashes);
    if (!proven || proven.layer !== height || !equalBytes(proven.hash, this.root(p.file))) {
      this.host.log(`${peer.address} sent piece-layer hashes that do not prove up to the pieces root: ignored`);
      p.peer = null;
      return;
    }
    this.pending.delete(keyOf(p.file, p.range));
    const parts = this.layerParts.get(p.file)!;
    const real = Math.min(p.range.length, parts.length / HASH_SIZE - p.range.index);
    parts.set(hashes.subarray(0, real * HASH_SIZE), p.range.index * HASH_SIZE);
    for (const q of this.pending.values()) if (q.kind === 'layer' && q.file === p.file) return;
    this.layerParts.delete(p.file);
    if (!this.verifier.setLayer(p.file, parts)) {
      this.host.log(`the piece layer of file ${p.file} does not hash to its root: fetching it again`);
      this.queueLayer(p.file);
      return;
    }
    this.host.log(`piece layer of file ${p.file} received from peers (${parts.length / HASH_SIZE} hashes)`);
    if (!this.hasLayerRequests()) this.host.layersComplete();
  }

  // ---- block-level blame ----

  /**
   * A piece failed its merkle check: asks a peer for its leaf hashes to find the bad blocks.
   * Returns false when that cannot be done (one block per piece, or nothing kept of the failure):
   * the caller then blames by piece.
   */
  pieceFailed(piece: number, senders: readonly (PeerConnection | undefined)[], now: number): boolean {
    const gotLeaves = this.verifier.takeFailedLeaves(piece);
    const node = this.verifier.trustedNode(piece);
    if (!gotLeaves || !node) return false;
    const blocks = node.wholeFile ? nextPow2(Math.ceil(this.verifier.files[node.file].length / BLOCK_SIZE)) : this.verifier.blocksPerPiece;
    // A sole sender is to blame for all of it (piece-level blame says as much); otherwise ask any v2
    // peer, a suspect included: its answer must prove up to the piece hash we trust, so it cannot lie.
    const v2Peers = [...this.host.peers].filter((p) => p.supportsV2 && !p.closed);
    const distinct = new Set(senders.filter((x) => x !== undefined));
    if (v2Peers.length === 0 || (distinct.size === 1 && v2Peers.every((p) => distinct.has(p)))) return false;
    if (blocks < 2) {
      // a piece of one 16 KiB block: its merkle hash is the block's own, so the failure already proves the block bad
      const sender = senders[0];
      if (!sender) return false;
      this.host.log(`piece ${piece}: 1 bad 16 KiB block(s) found by their merkle hashes`);
      this.host.ban(sender, `sent a block of piece ${piece} that failed the merkle check`);
      return true;
    }
    const range: HashRange = { baseLayer: 0, index: node.wholeFile ? 0 : node.index * blocks, length: blocks, proofLayers: 0 };
    this.pending.set(keyOf(node.file, range), { kind: 'leaves', file: node.file, range, peer: null, sentAt: 0, attempts: 0, piece, senders, gotLeaves });
    this.dispatch(now);
    return true;
  }

  private leavesAnswer(p: Pending, peer: PeerConnection, hashes: Uint8Array): void {
    const node = this.verifier.trustedNode(p.piece!);
    const proven = provenAncestor(p.range, this.height(p.file), hashes);
    if (!node || !proven || !equalBytes(proven.hash, node.hash)) {
      this.host.log(`${peer.address} sent block hashes that do not match the piece hash: ignored`);
      p.peer = null;
      return;
    }
    this.pending.delete(keyOf(p.file, p.range));
    const got = p.gotLeaves!;
    const bad = new Set<PeerConnection>();
    let badBlocks = 0;
    for (let b = 0; b < got.length / HASH_SIZE; b++) {
      if (equalBytes(hashAt(got, b), hashAt(hashes, b))) continue;
      badBlocks++;
      const sender = p.senders![b];
      if (sender) bad.add(sender);
    }
    this.host.log(`piece ${p.piece}: ${badBlocks} bad 16 KiB block(s) found by their merkle hashes`);
    for (const sender of bad) this.host.ban(sender, `sent ${badBlocks > 1 ? 'blocks' : 'a block'} of piece ${p.piece} that failed the merkle check`);
  }

  /** Nobody answered for the piece's block hashes: a sole sender is to blame for the whole piece. */
  private giveUpLeaves(p: Pending): void {
    this.pending.delete(keyOf(p.file, p.range));
    const senders = new Set(p.senders!.filter((x): x is PeerConnection => x !== undefined));
    this.host.log(`piece ${p.piece}: no peer sent its block hashes${senders.size === 1 ? '; its only sender is to blame' : ''}`);
    if (senders.size === 1) this.host.ban([...senders][0], `sent piece ${p.piece}, which failed the merkle check`);
  }

  // ---- sending ----

  /** Sends each unanswered request to a peer that speaks v2 (again after a timeout or a reject). */
  dispatch(now: number): void {
    if (this.pending.size === 0) return;
    const candidates = [...this.host.peers].filter((peer) => peer.supportsV2 && !peer.closed);
    if (candidates.length === 0) return;
    let turn = 0;
    for (const p of this.pending.values()) {
      if (p.peer && !p.peer.closed && now - p.sentAt < REQUEST_TIMEOUT_MS) continue;
      if (p.kind === 'leaves' && p.attempts >= MAX_LEAF_ATTEMPTS) {
        this.giveUpLeaves(p);
        continue;
      }
      p.attempts++;
      // not the peer that failed us last, and for block hashes preferably none of the piece's senders
      const pool = candidates.filter((c) => c !== p.peer && !(p.senders?.includes(c) ?? false));
      const pick = (pool.length > 0 ? pool : candidates)[turn++ % (pool.length > 0 ? pool.length : candidates.length)];
      p.peer = pick;
      p.sentAt = now;
      pick.send(encodeHashMessage({ type: 'hashRequest', piecesRoot: this.root(p.file), ...p.range }));
    }
  }
}

/** The request's fields alone (a copy of the root: the received frame's bytes may be reused). */
function fieldsOf(r: HashRequestFields): HashRequestFields {
  return { piecesRoot: new Uint8Array(r.piecesRoot), baseLayer: r.baseLayer, index: r.index, length: r.length, proofLayers: r.proofLayers };
}

function keyOf(file: number, r: HashRange): string {
  return `${file}:${r.baseLayer}:${r.index}:${r.length}:${r.proofLayers}`;
}
