/**
 * The piece picker: which blocks to request from which peer.
 *
 * A pure state machine (no I/O, no timers). Ordering, in this order of importance:
 *   1. piece priority (7 first, 0 = never picked);
 *   2. pieces already in progress ("partial") that this peer can serve;
 *   3. rarest first (fewest peers have it), random tie-break among equally rare pieces;
 *      or, in sequential mode (setSequential), lowest piece index first.
 *
 * Data layout (libtorrent-style): every piece sits in one array `order`, sorted by a
 * bucket key. Buckets are laid out priority-major:
 *   [prio 7: avail 0, avail 1, ..., avail B-1][prio 6: ...] ... [prio 1: ...][excluded]
 * where "excluded" holds pieces we have or whose priority is 0. `start[c]` is the first
 * index of bucket c and `pos[piece]` the piece's index in `order`. A change of one
 * piece's availability by one moves it to the adjacent bucket: one swap with the bucket
 * edge plus one boundary shift, O(1). A piece entering a bucket is then swapped with a
 * uniformly random member of that bucket (inside-out Fisher-Yates), which keeps each
 * bucket a uniformly random permutation: that is the random tie-break.
 *
 * Seeds (complete bitfield, have-all) are counted once in `seeds`, not per piece; they
 * do not change the relative order, so they never move anything.
 *
 * Sequential mode replaces only the third rule: within a priority level, fresh pieces are
 * taken in index order. `seqCursor[pr]` is a cursor per level: no fresh (not had, not in
 * progress) piece of priority pr lies below it. A pick advances it past pieces that are had,
 * in progress or of another level; the rare events that make a piece fresh again below it
 * (a piece freed after cancels or a hash failure, a priority change) move it back. So a
 * pick does not rescan the pieces already done: the scan is amortised O(1) per piece for a
 * seed, and for other peers it stops at the first piece they have.
 *
 * Per-block state exists only for pieces in progress (`Partial`, typed arrays), and is
 * freed when the piece is verified, fails, or has no block requested or received left.
 */
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';

export interface BlockRequest {
  piece: number;
  begin: number;
  length: number;
}

export type PiecePriority = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface PeerView {
  /** The peer's pieces; null when the peer is a have-all seed. */
  bits: Bitfield | null;
  isSeed: boolean;
  /** BEP 6 allowed-fast pieces: the only ones that may be picked while `choked`. */
  allowedFast?: ReadonlySet<number>;
  choked: boolean;
  /** Stable small integer per peer connection. */
  id: number;
}

export interface PiecePickerOptions {
  /** Uniform in [0, 1). Defaults to Math.random. */
  random?: () => number;
  /** Pieces we already have (verified). */
  have?: Bitfield;
  /**
   * End game: how many extra (duplicate) requests one block may have outstanding on top
   * of the first one. Default 2, so at most 3 peers request the same block.
   */
  maxDuplicates?: number;
  /** Start in sequential mode (see setSequential). */
  sequential?: boolean;
}

export interface BlockReceivedResult {
  /** True when the block was not wanted (already received, piece already had, bad offset): drop the data. */
  readonly duplicate: boolean;
  /** True once, on the block that completes the piece: every block received, ready to hash. */
  readonly pieceComplete: boolean;
}

const DUPLICATE: BlockReceivedResult = Object.freeze({ duplicate: true, pieceComplete: false });
const ACCEPTED: BlockReceivedResult = Object.freeze({ duplicate: false, pieceComplete: false });
const COMPLETED: BlockReceivedResult = Object.freeze({ duplicate: false, pieceComplete: true });
const NO_REQUESTERS: readonly number[] = Object.freeze([]);

export const DEFAULT_PRIORITY: PiecePriority = 4;
/** Priorities 1..7 have bucket segments; 0 goes to the excluded region. */
const LEVELS = 7;
const INITIAL_BUCKETS = 8;

const FRESH = 0;
const PARTIAL = 1;
const HAVE = 2;

/** Block state of one piece in progress. A block is missing when neither received nor requested. */
interface Partial {
  readonly piece: number;
  readonly blocks: number;
  /** 1 when received. */
  readonly received: Uint8Array;
  /** Number of peers with an outstanding request for the block (kept after it is received, for requestersOf). */
  readonly reqCount: Uint8Array;
  /** reqIds[b * cap + k], k < reqCount[b]: ids of those peers. */
  readonly reqIds: Int32Array;
  nReceived: number;
  /** Blocks requested and not yet received. */
  nRequested: number;
  /** No block below this index is missing. */
  hint: number;
}

export class PiecePicker {
  readonly pieceCount: number;
  private readonly geo: PieceGeometry;
  private readonly random: () => number;
  private readonly cap: number;

  private readonly order: Uint32Array;
  private readonly pos: Uint32Array;
  private readonly avail: Uint32Array;
  private readonly prio: Uint8Array;
  private readonly state: Uint8Array;
  private readonly haveBits: Bitfield;
  /** Buckets per priority level; every piece's avail is < B. */
  private B = INITIAL_BUCKETS;
  private start: Int32Array;
  private seeds = 0;

  private readonly partials = new Map<number, Partial>();
  /** Partial pieces per priority (index 0..7). */
  private readonly partialsAt = new Int32Array(8);
  private _haveCount = 0;
  /** Pieces not had with priority > 0. */
  private wantedPieces = 0;
  /** Missing (not requested, not received) blocks of wanted pieces. */
  private wantedMissing = 0;
  private seq = false;
  /** Per priority 1..7: no fresh piece of that priority lies below this index (sequential mode). */
  private readonly seqCursor = new Int32Array(8);

  constructor(geometry: PieceGeometry, opts: PiecePickerOptions = {}) {
    this.geo = geometry;
    const n = (this.pieceCount = geometry.pieceCount);
    this.random = opts.random ?? Math.random;
    const dups = opts.maxDuplicates ?? 2;
    if (!Number.isInteger(dups) || dups < 0 || dups > 254) throw new RangeError('maxDuplicates must be an integer 0..254');
    this.cap = dups + 1;
    this.order = new Uint32Array(n);
    this.pos = new Uint32Array(n);
    this.avail = new Uint32Array(n);
    this.prio = new Uint8Array(n).fill(DEFAULT_PRIORITY);
    this.state = new Uint8Array(n);
    if (opts.have) {
      if (opts.have.length !== n) throw new RangeError(`have bitfield has ${opts.have.length} bits, torrent has ${n} pieces`);
      this.haveBits = opts.have.copy();
      for (let p = 0; p < n; p++) if (this.haveBits.has(p)) this.state[p] = HAVE;
    } else {
      this.haveBits = new Bitfield(n);
    }
    this.start = new Int32Array(LEVELS * this.B + 2);
    this.seq = opts.sequential === true;
    this.recount();
    this.rebuild();
  }

  // ---------------------------------------------------------------- mode

  /**
   * Sequential mode: within each priority level, fresh pieces are picked lowest index first
   * instead of rarest first (for streaming). Priority 0 is still never picked, higher levels
   * still come first (so first/last pieces at 7 are fetched ahead), pieces in progress are
   * still finished first, and end game works as before. O(1) to switch either way.
   */
  setSequential(on: boolean): void {
    if (on && !this.seq) this.seqCursor.fill(0);
    this.seq = on;
  }

  get sequential(): boolean {
    return this.seq;
  }

  // ---------------------------------------------------------------- availability

  /** A peer's bitfield arrived. A complete bitfield counts as a seed. */
  addPeerBitfield(bits: Bitfield): void {
    this.checkBits(bits);
    if (bits.complete) {
      this.seeds++;
      return;
    }
    const bytes = bits.bytes;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === 0) continue;
      for (let k = 0; k < 8; k++) if (byte & (0x80 >> k)) this.incAvail(i * 8 + k);
    }
  }

  /** A HAVE message. The caller ignores HAVEs for pieces the peer already had. */
  addPeerHave(piece: number): void {
    this.checkPiece(piece);
    this.incAvail(piece);
  }

  /** BEP 6 have-all: a seed. */
  addPeerHaveAll(): void {
    this.seeds++;
  }

  /**
   * A peer went away: subtract what it had. Pass 'all' for a have-all seed. A complete
   * bitfield is subtracted as a seed; that is right even for a peer that became complete
   * through HAVEs (and so was counted per piece), because removing one seed and removing
   * one from every piece give every piece the same availability.
   */
  removePeer(bits: Bitfield | 'all'): void {
    if (bits === 'all' || bits.complete) {
      if (bits !== 'all') this.checkBits(bits);
      this.removeSeed();
      return;
    }
    this.checkBits(bits);
    const bytes = bits.bytes;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === 0) continue;
      for (let k = 0; k < 8; k++) if (byte & (0x80 >> k)) this.decAvail(i * 8 + k);
    }
  }

  /** Number of connected peers that have the piece, seeds included. */
  availability(piece: number): number {
    this.checkPiece(piece);
    return this.avail[piece] + this.seeds;
  }

  get seedCount(): number {
    return this.seeds;
  }

  /** Availability of every piece (seeds included) into `out`, for the UI's piece map. */
  availabilityInto(out: Uint32Array): Uint32Array {
    if (out.length < this.pieceCount) throw new RangeError('availability array too short');
    for (let p = 0; p < this.pieceCount; p++) out[p] = this.avail[p] + this.seeds;
    return out;
  }

  /** True when the peer has some piece we want (not had, priority > 0): we are interested. */
  isInteresting(bits: Bitfield | null): boolean {
    if (this.wantedPieces === 0) return false;
    if (bits === null || bits.complete) return true;
    const theirs = bits.bytes;
    const ours = this.haveBits.bytes;
    for (let i = 0; i < theirs.length; i++) {
      const want = theirs[i] & ~ours[i];
      if (want === 0) continue;
      for (let k = 0; k < 8; k++) if (want & (0x80 >> k) && this.prio[i * 8 + k] > 0) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- our state

  have(piece: number): boolean {
    this.checkPiece(piece);
    return this.state[piece] === HAVE;
  }

  get haveCount(): number {
    return this._haveCount;
  }

  get complete(): boolean {
    return this._haveCount === this.pieceCount;
  }

  /** Pieces still wanted: not had, priority > 0. Zero means the wanted part is done. */
  get wantedPiecesLeft(): number {
    return this.wantedPieces;
  }

  /** Our pieces. Read only: do not mutate. */
  get haveBitfield(): Bitfield {
    return this.haveBits;
  }

  /** True while every missing block of the wanted pieces is requested or received (and some are still wanted). */
  get inEndGame(): boolean {
    return this.wantedMissing === 0 && this.wantedPieces > 0;
  }

  priority(piece: number): PiecePriority {
    this.checkPiece(piece);
    return this.prio[piece] as PiecePriority;
  }

  /** 0 = skip (never picked), default 4, higher is picked first. */
  setPiecePriority(piece: number, priority: PiecePriority): void {
    this.checkPiece(piece);
    checkPriority(priority);
    const old = this.prio[piece];
    if (old === priority) return;
    if (this.state[piece] === HAVE) {
      this.prio[piece] = priority;
      return;
    }
    const part = this.partials.get(piece);
    const missing = part ? missingOf(part) : this.geo.blocksInPiece(piece);
    if (old > 0 && priority === 0) {
      this.wantedPieces--;
      this.wantedMissing -= missing;
    } else if (old === 0 && priority > 0) {
      this.wantedPieces++;
      this.wantedMissing += missing;
    }
    if (part) {
      this.partialsAt[old]--;
      this.partialsAt[priority]++;
    }
    const from = this.bucketOf(piece);
    this.prio[piece] = priority;
    this.moveTo(piece, from, this.bucketOf(piece));
    this.lowerCursor(piece);
  }

  /** Sets every piece's priority at once (e.g. from file priorities): O(pieces), one rebuild. */
  setPiecePriorities(priorities: ArrayLike<number>): void {
    if (priorities.length !== this.pieceCount) throw new RangeError('one priority per piece expected');
    for (let p = 0; p < this.pieceCount; p++) checkPriority(priorities[p]);
    for (let p = 0; p < this.pieceCount; p++) {
      const part = this.partials.get(p);
      if (part) {
        this.partialsAt[this.prio[p]]--;
        this.partialsAt[priorities[p]]++;
      }
      this.prio[p] = priorities[p];
    }
    this.seqCursor.fill(0);
    this.recount();
    this.rebuild();
  }

  // ---------------------------------------------------------------- picking

  /**
   * Appends to `out` up to `max` block requests this peer can serve and marks them
   * requested by `peer.id`. Returns how many were added.
   */
  pick(peer: PeerView, max: number, out: BlockRequest[]): number {
    const before = out.length;
    if (!(max > 0) || this.wantedPieces === 0) return 0;
    const limit = before + max;
    if (peer.choked) {
      const allowed = peer.allowedFast;
      if (!allowed || allowed.size === 0) return 0;
      this.pickAllowedFast(peer, allowed, limit, out);
    } else {
      this.pickNormal(peer, limit, out);
    }
    if (out.length < limit && this.inEndGame) this.pickEndGame(peer, limit, out);
    return out.length - before;
  }

  private pickNormal(peer: PeerView, limit: number, out: BlockRequest[]): void {
    const { order, state } = this;
    for (let pr = LEVELS; pr >= 1; pr--) {
      if (this.partialsAt[pr] > 0) {
        for (const part of this.partials.values()) {
          if (out.length >= limit) return;
          const p = part.piece;
          if (this.prio[p] !== pr || missingOf(part) === 0 || !canServe(peer, p)) continue;
          this.takeMissing(part, peer.id, limit, out);
        }
      }
      if (this.wantedMissing === 0) return;
      if (this.seq) {
        this.pickSequential(pr, peer, limit, out);
        if (out.length >= limit) return;
        continue;
      }
      const seg = (LEVELS - pr) * this.B;
      const end = this.start[seg + this.B];
      for (let i = this.start[seg]; i < end; i++) {
        if (out.length >= limit) return;
        const p = order[i];
        if (state[p] !== FRESH || !canServe(peer, p)) continue;
        this.takeMissing(this.startPiece(p), peer.id, limit, out);
      }
    }
  }

  /** Fresh pieces of priority `pr` in index order, from the level's cursor. */
  private pickSequential(pr: number, peer: PeerView, limit: number, out: BlockRequest[]): void {
    const { state, prio } = this;
    const n = this.pieceCount;
    let c = this.seqCursor[pr];
    while (c < n && (state[c] !== FRESH || prio[c] !== pr)) c++;
    this.seqCursor[pr] = c;
    const theirs = peer.isSeed || peer.bits === null ? null : peer.bits.bytes;
    const ours = this.haveBits.bytes;
    for (let i = c; i < n; i++) {
      if (out.length >= limit) return;
      // a whole byte of pieces the peer lacks or we have: skip 8 at once
      if ((i & 7) === 0 && ((theirs === null ? 0xff : theirs[i >> 3]) & ~ours[i >> 3]) === 0) {
        i += 7;
        continue;
      }
      if (state[i] !== FRESH || prio[i] !== pr || !canServe(peer, i)) continue;
      this.takeMissing(this.startPiece(i), peer.id, limit, out);
    }
  }

  /** A piece became fresh (again) or changed level: keep its level's cursor at or below it. */
  private lowerCursor(p: number): void {
    const pr = this.prio[p];
    if (pr > 0 && this.state[p] === FRESH && p < this.seqCursor[pr]) this.seqCursor[pr] = p;
  }

  private pickAllowedFast(peer: PeerView, allowed: ReadonlySet<number>, limit: number, out: BlockRequest[]): void {
    const cands: number[] = [];
    for (const p of allowed) {
      if (!Number.isInteger(p) || p < 0 || p >= this.pieceCount) continue;
      if (this.state[p] === HAVE || this.prio[p] === 0 || !canServe(peer, p)) continue;
      cands.push(p);
    }
    const { state, prio, avail } = this;
    cands.sort(
      (a, b) =>
        prio[b] - prio[a] ||
        Number(state[b] === PARTIAL) - Number(state[a] === PARTIAL) ||
        (this.seq ? a - b : avail[a] - avail[b]),
    );
    for (const p of cands) {
      if (out.length >= limit) return;
      const part = this.partials.get(p);
      if (part) {
        if (missingOf(part) > 0) this.takeMissing(part, peer.id, limit, out);
      } else {
        this.takeMissing(this.startPiece(p), peer.id, limit, out);
      }
    }
  }

  /** Blocks already requested by others (fewest requesters first), never twice to the same peer. */
  private pickEndGame(peer: PeerView, limit: number, out: BlockRequest[]): void {
    const { cap } = this;
    const id = peer.id;
    const allowed = peer.choked ? peer.allowedFast : undefined;
    for (let r = 1; r < cap; r++) {
      for (let pr = LEVELS; pr >= 1; pr--) {
        if (this.partialsAt[pr] === 0) continue;
        for (const part of this.partials.values()) {
          const p = part.piece;
          if (this.prio[p] !== pr || part.nRequested === 0 || !canServe(peer, p)) continue;
          if (allowed && !allowed.has(p)) continue;
          const { received, reqCount, reqIds } = part;
          for (let b = 0; b < part.blocks; b++) {
            if (received[b] || reqCount[b] !== r) continue;
            if (hasRequester(reqIds, b * cap, r, id)) continue;
            reqIds[b * cap + r] = id;
            reqCount[b] = r + 1;
            out.push({ piece: p, begin: b * BLOCK_SIZE, length: this.geo.blockSize(p, b) });
            if (out.length >= limit) return;
          }
        }
      }
    }
  }

  private takeMissing(part: Partial, id: number, limit: number, out: BlockRequest[]): void {
    const { received, reqCount, reqIds, blocks, piece } = part;
    const cap = this.cap;
    let b = part.hint;
    for (; b < blocks && out.length < limit; b++) {
      if (received[b] || reqCount[b] !== 0) continue;
      reqIds[b * cap] = id;
      reqCount[b] = 1;
      part.nRequested++;
      this.wantedMissing--; // only wanted pieces are picked
      out.push({ piece, begin: b * BLOCK_SIZE, length: this.geo.blockSize(piece, b) });
    }
    // Everything below b was skipped or taken: nothing missing there.
    part.hint = b;
  }

  private startPiece(piece: number): Partial {
    const blocks = this.geo.blocksInPiece(piece);
    const part: Partial = {
      piece,
      blocks,
      received: new Uint8Array(blocks),
      reqCount: new Uint8Array(blocks),
      reqIds: new Int32Array(blocks * this.cap),
      nReceived: 0,
      nRequested: 0,
      hint: 0,
    };
    this.partials.set(piece, part);
    this.state[piece] = PARTIAL;
    this.partialsAt[this.prio[piece]]++;
    return part;
  }

  /** `verified`: the piece is about to become HAVE, so it does not become fresh for the cursor. */
  private freePartial(part: Partial, verified = false): void {
    this.partials.delete(part.piece);
    this.partialsAt[this.prio[part.piece]]--;
    if (this.state[part.piece] === PARTIAL) {
      this.state[part.piece] = FRESH;
      if (!verified) this.lowerCursor(part.piece);
    }
  }

  // ---------------------------------------------------------------- block lifecycle

  /**
   * A block arrived. Out-of-range pieces, offsets that are not a block start, blocks
   * already received and pieces already had all report `duplicate` (drop the data). An
   * unrequested block of a piece we still need is accepted. The block's requesters stay
   * recorded (see requestersOf) until the piece is verified or fails.
   */
  blockReceived(piece: number, begin: number): BlockReceivedResult {
    if (!this.validBlock(piece, begin) || this.state[piece] === HAVE) return DUPLICATE;
    const part = this.partials.get(piece) ?? this.startPiece(piece);
    const b = begin / BLOCK_SIZE;
    if (part.received[b]) return DUPLICATE;
    part.received[b] = 1;
    part.nReceived++;
    if (part.reqCount[b] > 0) part.nRequested--;
    else if (this.prio[piece] > 0) this.wantedMissing--;
    return part.nReceived === part.blocks ? COMPLETED : ACCEPTED;
  }

  /**
   * A request is gone without its block: rejected, choked, cancelled, peer disconnected.
   * With `peerId`, only that peer's request is dropped, so in end game the block stays
   * requested while another peer still has it outstanding; without it, every request for
   * the block is dropped. The block becomes missing again unless received or still
   * requested. Unknown blocks are ignored.
   */
  requestCancelled(piece: number, begin: number, peerId?: number): void {
    if (!this.validBlock(piece, begin)) return;
    const part = this.partials.get(piece);
    if (!part) return;
    const b = begin / BLOCK_SIZE;
    const count = part.reqCount[b];
    if (count === 0) return;
    const cap = this.cap;
    let left = 0;
    if (peerId !== undefined) {
      const ids = part.reqIds;
      const base = b * cap;
      let k = 0;
      while (k < count && ids[base + k] !== peerId) k++;
      if (k === count) return; // not requested by this peer
      ids[base + k] = ids[base + count - 1];
      left = count - 1;
    }
    part.reqCount[b] = left;
    if (left > 0 || part.received[b]) return;
    part.nRequested--;
    if (this.prio[piece] > 0) this.wantedMissing++;
    if (b < part.hint) part.hint = b;
    if (part.nRequested === 0 && part.nReceived === 0) this.freePartial(part);
  }

  /** Ids of the peers that requested the block (including one that delivered it): send CANCEL to the others. */
  requestersOf(piece: number, begin: number): readonly number[] {
    if (!this.validBlock(piece, begin)) return NO_REQUESTERS;
    const part = this.partials.get(piece);
    if (!part) return NO_REQUESTERS;
    const b = begin / BLOCK_SIZE;
    const count = part.reqCount[b];
    if (count === 0) return NO_REQUESTERS;
    return Array.from(part.reqIds.subarray(b * this.cap, b * this.cap + count));
  }

  /** Hash OK: we have the piece. */
  pieceVerified(piece: number): void {
    this.checkPiece(piece);
    if (this.state[piece] === HAVE) return;
    const part = this.partials.get(piece);
    if (this.prio[piece] > 0) {
      this.wantedPieces--;
      this.wantedMissing -= part ? missingOf(part) : this.geo.blocksInPiece(piece);
    }
    if (part) this.freePartial(part, true);
    const from = this.bucketOf(piece);
    this.state[piece] = HAVE;
    this.haveBits.set(piece);
    this._haveCount++;
    this.moveTo(piece, from, this.bucketOf(piece));
  }

  /** Hash failed: every block of the piece is missing again; outstanding requests are forgotten. */
  pieceFailed(piece: number): void {
    this.checkPiece(piece);
    const part = this.partials.get(piece);
    if (!part) return;
    if (this.prio[piece] > 0) this.wantedMissing += part.nReceived + part.nRequested;
    this.freePartial(part);
  }

  // ---------------------------------------------------------------- buckets

  private bucketOf(p: number): number {
    const pr = this.prio[p];
    if (pr === 0 || this.state[p] === HAVE) return LEVELS * this.B;
    return (LEVELS - pr) * this.B + this.avail[p];
  }

  private incAvail(p: number): void {
    if (this.avail[p] + 1 >= this.B) this.grow(this.avail[p] + 2);
    const from = this.bucketOf(p);
    this.avail[p]++;
    this.moveTo(p, from, this.bucketOf(p));
  }

  private decAvail(p: number): void {
    if (this.avail[p] === 0) return; // never negative: an unmatched remove is ignored
    const from = this.bucketOf(p);
    this.avail[p]--;
    this.moveTo(p, from, this.bucketOf(p));
  }

  private removeSeed(): void {
    if (this.seeds > 0) {
      this.seeds--;
      return;
    }
    // The seed was counted per piece (it completed through HAVEs). Rare: O(pieces).
    for (let p = 0; p < this.pieceCount; p++) if (this.avail[p] > 0) this.avail[p]--;
    this.rebuild();
  }

  /** Moves piece p from bucket `from` to bucket `to`, one bucket edge at a time. */
  private moveTo(p: number, from: number, to: number): void {
    if (from === to) return;
    const start = this.start;
    let c = from;
    while (c < to) {
      this.swap(this.pos[p], start[c + 1] - 1);
      start[c + 1]--;
      c++;
    }
    while (c > to) {
      this.swap(this.pos[p], start[c]);
      start[c]++;
      c--;
    }
    if (to === LEVELS * this.B) return; // the excluded region is never picked from: no need to shuffle
    const lo = start[to];
    const size = start[to + 1] - lo;
    if (size > 1) this.swap(this.pos[p], lo + Math.min(size - 1, Math.floor(this.random() * size)));
  }

  private swap(i: number, j: number): void {
    if (i === j) return;
    const { order, pos } = this;
    const a = order[i];
    const b = order[j];
    order[i] = b;
    pos[b] = i;
    order[j] = a;
    pos[a] = j;
  }

  /** More availability buckets per priority level; positions stay, empty buckets are added at each segment's end. */
  private grow(atLeast: number): void {
    const oldB = this.B;
    let B = oldB * 2;
    while (B < atLeast) B *= 2;
    const old = this.start;
    const start = new Int32Array(LEVELS * B + 2);
    for (let s = 0; s < LEVELS; s++) {
      for (let a = 0; a < oldB; a++) start[s * B + a] = old[s * oldB + a];
      const segEnd = old[(s + 1) * oldB];
      for (let a = oldB; a < B; a++) start[s * B + a] = segEnd;
    }
    start[LEVELS * B] = old[LEVELS * oldB];
    start[LEVELS * B + 1] = old[LEVELS * oldB + 1];
    this.B = B;
    this.start = start;
  }

  /** Counting sort of every piece into its bucket, then a shuffle of each bucket. O(pieces + buckets). */
  private rebuild(): void {
    const n = this.pieceCount;
    let maxAvail = 0;
    for (let p = 0; p < n; p++) if (this.avail[p] > maxAvail) maxAvail = this.avail[p];
    if (maxAvail >= this.B) this.grow(maxAvail + 1);
    const nb = LEVELS * this.B + 1;
    const start = new Int32Array(nb + 1);
    for (let p = 0; p < n; p++) start[this.bucketOf(p) + 1]++;
    for (let c = 0; c < nb; c++) start[c + 1] += start[c];
    const cursor = start.slice(0, nb);
    for (let p = 0; p < n; p++) {
      const i = cursor[this.bucketOf(p)]++;
      this.order[i] = p;
      this.pos[p] = i;
    }
    this.start = start;
    for (let c = 0; c < nb - 1; c++) {
      const lo = start[c];
      for (let i = start[c + 1] - 1; i > lo; i--) {
        const j = lo + Math.min(i - lo, Math.floor(this.random() * (i - lo + 1)));
        this.swap(i, j);
      }
    }
  }

  private recount(): void {
    this._haveCount = this.haveBits.count;
    let pieces = 0;
    let missing = 0;
    const n = this.pieceCount;
    const perPiece = n > 0 ? this.geo.blocksInPiece(0) : 0;
    const { state, prio } = this;
    for (let p = 0; p < n; p++) {
      if (state[p] === HAVE || prio[p] === 0) continue;
      pieces++;
      if (state[p] === PARTIAL) missing += missingOf(this.partials.get(p)!);
      else missing += p === n - 1 ? this.geo.blocksInPiece(p) : perPiece;
    }
    this.wantedPieces = pieces;
    this.wantedMissing = missing;
  }

  // ---------------------------------------------------------------- checks

  private checkPiece(piece: number): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new RangeError(`piece ${piece} out of range 0..${this.pieceCount - 1}`);
    }
  }

  private checkBits(bits: Bitfield): void {
    if (bits.length !== this.pieceCount) {
      throw new RangeError(`bitfield has ${bits.length} bits, torrent has ${this.pieceCount} pieces`);
    }
  }

  private validBlock(piece: number, begin: number): boolean {
    return (
      Number.isInteger(piece) &&
      piece >= 0 &&
      piece < this.pieceCount &&
      Number.isInteger(begin) &&
      begin >= 0 &&
      begin % BLOCK_SIZE === 0 &&
      begin < this.geo.pieceSize(piece)
    );
  }

  /** For tests: throws when an internal invariant does not hold. O(pieces). */
  checkInvariants(): void {
    const n = this.pieceCount;
    const fail = (msg: string): never => {
      throw new Error(`picker invariant: ${msg}`);
    };
    for (let i = 0; i < n; i++) if (this.pos[this.order[i]] !== i) fail(`pos/order mismatch at ${i}`);
    const nb = LEVELS * this.B + 1;
    if (this.start.length !== nb + 1 || this.start[0] !== 0 || this.start[nb] !== n) fail('bucket bounds');
    for (let c = 0; c < nb; c++) {
      if (this.start[c] > this.start[c + 1]) fail(`bucket ${c} negative size`);
      for (let i = this.start[c]; i < this.start[c + 1]; i++) {
        if (this.bucketOf(this.order[i]) !== c) fail(`piece ${this.order[i]} in bucket ${c}, belongs in ${this.bucketOf(this.order[i])}`);
      }
    }
    let have = 0;
    let wantedPieces = 0;
    let wantedMissing = 0;
    const at = new Int32Array(8);
    for (let p = 0; p < n; p++) {
      if (this.avail[p] >= this.B) fail(`avail ${p} beyond buckets`);
      if ((this.state[p] === HAVE) !== this.haveBits.has(p)) fail(`have state ${p}`);
      if ((this.state[p] === PARTIAL) !== this.partials.has(p)) fail(`partial state ${p}`);
      if (this.state[p] === HAVE) {
        have++;
        continue;
      }
      const part = this.partials.get(p);
      if (part) at[this.prio[p]]++;
      if (this.prio[p] === 0) continue;
      wantedPieces++;
      wantedMissing += part ? missingOf(part) : this.geo.blocksInPiece(p);
    }
    if (have !== this._haveCount || have !== this.haveBits.count) fail('haveCount');
    if (wantedPieces !== this.wantedPieces) fail(`wantedPieces ${this.wantedPieces} != ${wantedPieces}`);
    if (wantedMissing !== this.wantedMissing) fail(`wantedMissing ${this.wantedMissing} != ${wantedMissing}`);
    for (let pr = 0; pr < 8; pr++) if (at[pr] !== this.partialsAt[pr]) fail(`partialsAt[${pr}]`);
    for (let pr = 1; pr <= LEVELS; pr++) {
      for (let p = 0; p < this.seqCursor[pr] && p < n; p++) {
        if (this.state[p] === FRESH && this.prio[p] === pr) fail(`fresh piece ${p} below the level ${pr} cursor ${this.seqCursor[pr]}`);
      }
    }
    for (const part of this.partials.values()) {
      let rec = 0;
      let req = 0;
      for (let b = 0; b < part.blocks; b++) {
        const c = part.reqCount[b];
        if (c > this.cap) fail('too many requesters');
        for (let i = 0; i < c; i++) {
          for (let j = i + 1; j < c; j++) {
            if (part.reqIds[b * this.cap + i] === part.reqIds[b * this.cap + j]) fail('same requester twice');
          }
        }
        if (part.received[b]) rec++;
        else if (c > 0) req++;
        else if (b < part.hint) fail(`missing block ${b} below hint ${part.hint}`);
      }
      if (rec !== part.nReceived || req !== part.nRequested) fail(`partial ${part.piece} counts`);
      if (rec === 0 && req === 0) fail(`partial ${part.piece} with nothing requested or received`);
    }
  }
}

function missingOf(part: Partial): number {
  return part.blocks - part.nReceived - part.nRequested;
}

function canServe(peer: PeerView, p: number): boolean {
  return peer.isSeed || peer.bits === null || peer.bits.has(p);
}

function hasRequester(ids: Int32Array, base: number, count: number, id: number): boolean {
  for (let k = 0; k < count; k++) if (ids[base + k] === id) return true;
  return false;
}

function checkPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > 7) throw new RangeError(`priority ${priority} not in 0..7`);
}
