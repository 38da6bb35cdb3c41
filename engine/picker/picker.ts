/**
 * The piece picker: which blocks to request from which peer.
 *
 * A pure state machine (no I/O, no timers). Ordering, in this order of importance:
 *   0. pieces with a deadline (streams, setDeadlines), earliest first, for peers fit for them;
 *   1. piece priority (7 first, 0 = never picked);
 *   2. pieces already in progress ("partial") that this peer can serve;
 *   3. rarest first (fewest peers have it), random tie-break among equally rare pieces;
 *      or, in sequential mode (setSequential), lowest piece index first.
 *
 * Modules: availability and the bucketed order behind rule 3 in piece-order.ts (this class extends it), per-block
 * request state of pieces in progress in partial.ts, end game in end-game.ts, deadlines in deadlines.ts, public types
 * in types.ts. This file holds our own pieces, priorities, the pick itself and the block lifecycle.
 *
 * Sequential mode replaces only the third rule: within a priority level, fresh pieces are taken in index order.
 * `seqCursor[pr]` is a cursor per level: no fresh (not had, not in progress) piece of priority pr lies below it. A pick
 * advances it past pieces that are had, in progress or of another level; the rare events that make a piece fresh
 * again below it (a piece freed after cancels or a hash failure, a priority change) move it back. So a pick does not
 * rescan the pieces already done: the scan is amortised O(1) per piece for a seed, and for other peers it stops at
 * the first piece they have.
 */
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';
import { pickEndGame } from './end-game.js';
import { Deadlines } from './deadlines.js';
import { checkPartial, dropRequest, missingOf, newPartial, takeDuplicates, takeMissing, type Partial } from './partial.js';
import { FRESH, HAVE, LEVELS, PARTIAL, PieceOrder } from './piece-order.js';
import { canServe, checkPriority, type BlockReceivedResult, type BlockRequest, type PeerView, type PiecePickerOptions, type PiecePriority } from './types.js';

export { DEFAULT_PRIORITY, type BlockReceivedResult, type BlockRequest, type PeerView, type PiecePickerOptions, type PiecePriority } from './types.js';

const DUPLICATE: BlockReceivedResult = Object.freeze({ duplicate: true, pieceComplete: false });
const ACCEPTED: BlockReceivedResult = Object.freeze({ duplicate: false, pieceComplete: false });
const COMPLETED: BlockReceivedResult = Object.freeze({ duplicate: false, pieceComplete: true });
const NO_REQUESTERS: readonly number[] = Object.freeze([]);

export class PiecePicker extends PieceOrder {
  private readonly geo: PieceGeometry;
  private readonly cap: number;
  private readonly haveBits: Bitfield;

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
  /** Time-critical pieces of the readers (streams), earliest deadline first; picked before anything else. Set them with setDeadlines. */
  readonly deadlines: Deadlines;
  private readonly now: () => number;

  constructor(geometry: PieceGeometry, opts: PiecePickerOptions = {}) {
    super(geometry.pieceCount, opts.random ?? Math.random);
    this.geo = geometry;
    this.deadlines = new Deadlines(geometry.pieceCount);
    this.now = opts.now ?? (() => 0);
    const n = this.pieceCount;
    const dups = opts.maxDuplicates ?? 2;
    if (!Number.isInteger(dups) || dups < 0 || dups > 254) throw new RangeError('maxDuplicates must be an integer 0..254');
    this.cap = dups + 1;
    if (opts.have) {
      if (opts.have.length !== n) throw new RangeError(`have bitfield has ${opts.have.length} bits, torrent has ${n} pieces`);
      this.haveBits = opts.have.copy();
      for (let p = 0; p < n; p++) if (this.haveBits.has(p)) this.state[p] = HAVE;
    } else {
      this.haveBits = new Bitfield(n);
    }
    this.seq = opts.sequential === true;
    this.recount();
    this.rebuild();
  }

  // ---------------------------------------------------------------- mode

  /**
   * Sequential mode: within each priority level, fresh pieces are picked lowest index first instead of rarest first.
   * Priority 0 is still never picked, higher levels still come first (so first/last pieces at 7 are fetched ahead),
   * pieces in progress are still finished first, and end game works as before. O(1) to switch either way.
   */
  setSequential(on: boolean): void {
    if (on && !this.seq) this.seqCursor.fill(0);
    this.seq = on;
  }

  get sequential(): boolean {
    return this.seq;
  }

  /** Deadlines (clock ms, options.now) of the pieces ahead of the readers, replacing the previous set (a seek drops it). */
  setDeadlines(pieces: ArrayLike<number>, times: ArrayLike<number>, count: number): void {
    this.deadlines.replace(pieces, times, count);
  }

  /** The deadline of a piece (Infinity: none). */
  deadlineOf(piece: number): number {
    return this.deadlines.at[piece];
  }

  /** Blocks of `piece` not received yet, requested or not (0 once had): what a stream still waits for. */
  unreceived(piece: number): number {
    if (this.state[piece] === HAVE) return 0;
    const part = this.partials.get(piece);
    return part ? part.blocks - part.nReceived : this.geo.blocksInPiece(piece);
  }

  /** How many pieces have a deadline now (clear: setDeadlines with count 0). */
  get deadlineCount(): number {
    return this.deadlines.count;
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
   * requested by `peer.id`. Returns how many were added. `deadlinesOnly`: blocks of deadline pieces alone.
   */
  pick(peer: PeerView, max: number, out: BlockRequest[], deadlinesOnly = false): number {
    const before = out.length;
    if (deadlinesOnly) return peer.choked || this.deadlines.count === 0 ? 0 : (this.pickCritical(peer, before + max, out), out.length - before);
    if (!(max > 0) || this.wantedPieces === 0) return 0;
    const limit = before + max;
    if (peer.choked) {
      const allowed = peer.allowedFast;
      if (!allowed || allowed.size === 0) return 0;
      this.pickAllowedFast(peer, allowed, limit, out);
    } else {
      if (this.deadlines.count > 0 && peer.critical !== false) this.pickCritical(peer, limit, out);
      if (out.length < limit) this.pickNormal(peer, limit, out);
    }
    if (out.length < limit && this.inEndGame) pickEndGame(this.partials, this.partialsAt, this.prio, this.cap, this.geo, peer, limit, out);
    return out.length - before;
  }

  private pickNormal(peer: PeerView, limit: number, out: BlockRequest[]): void {
    const { order, state } = this;
    for (let pr = LEVELS; pr >= 1; pr--) {
      if (this.partialsAt[pr] > 0) {
        for (const part of this.partials.values()) {
          if (out.length >= limit) return;
          const p = part.piece;
          if (this.prio[p] !== pr || missingOf(part) === 0 || !canServe(peer, p) || this.keptOff(peer, p)) continue;
          this.takeBlocks(part, peer.id, limit, out);
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
        if (state[p] !== FRESH || !canServe(peer, p) || this.keptOff(peer, p)) continue;
        this.takeBlocks(this.startPiece(p), peer.id, limit, out);
      }
    }
  }

  /** A peer unfit for time-critical pieces (slow, long queue) gets none of them, in any order. */
  private keptOff(peer: PeerView, p: number): boolean {
    return peer.critical === false && this.deadlines.at[p] !== Infinity;
  }

  /** Deadline pieces, earliest first (not at priority 0); once late, blocks one other peer has in flight are asked again. */
  private pickCritical(peer: PeerView, limit: number, out: BlockRequest[]): void {
    const { order, at } = this.deadlines;
    const count = this.deadlines.count;
    let now = -Infinity;
    for (let i = 0; i < count; i++) {
      if (out.length >= limit) return;
      const p = order[i];
      if (this.state[p] === HAVE || this.prio[p] === 0 || !canServe(peer, p)) continue;
      const part = this.partials.get(p) ?? this.startPiece(p);
      if (missingOf(part) > 0) this.takeBlocks(part, peer.id, limit, out);
      if (out.length >= limit || part.nRequested === 0) continue;
      if (now === -Infinity) now = this.now();
      if (at[p] <= now) takeDuplicates(part, 1, peer.id, this.cap, this.geo, limit, out);
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
      if (state[i] !== FRESH || prio[i] !== pr || !canServe(peer, i) || this.keptOff(peer, i)) continue;
      this.takeBlocks(this.startPiece(i), peer.id, limit, out);
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
        if (missingOf(part) > 0) this.takeBlocks(part, peer.id, limit, out);
      } else {
        this.takeBlocks(this.startPiece(p), peer.id, limit, out);
      }
    }
  }

  /** Requests missing blocks of `part` for peer `id`; only wanted pieces are picked, so they leave wantedMissing. */
  private takeBlocks(part: Partial, id: number, limit: number, out: BlockRequest[]): void {
    this.wantedMissing -= takeMissing(part, id, this.cap, this.geo, limit, out);
  }

  private startPiece(piece: number): Partial {
    const part = newPartial(piece, this.geo.blocksInPiece(piece), this.cap);
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
    if (!dropRequest(part, begin / BLOCK_SIZE, this.cap, peerId)) return;
    if (this.prio[piece] > 0) this.wantedMissing++;
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

  // ---------------------------------------------------------------- counts

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
    this.checkOrderInvariants(fail);
    let have = 0;
    let wantedPieces = 0;
    let wantedMissing = 0;
    const at = new Int32Array(8);
    for (let p = 0; p < n; p++) {
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
    for (const part of this.partials.values()) checkPartial(part, this.cap, fail);
  }
}
