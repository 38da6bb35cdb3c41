/**
 * Piece availability and the bucketed order the picker scans: the data layout under PiecePicker.
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
 * PiecePicker extends this class rather than holding it, so the typed arrays stay fields of
 * the one object the pick loops read: no extra hop on the hot path.
 */
import type { Bitfield } from '../common/bitfield.js';
import { DEFAULT_PRIORITY } from './types.js';

/** Priorities 1..7 have bucket segments; 0 goes to the excluded region. */
export const LEVELS = 7;
const INITIAL_BUCKETS = 8;

/** Per-piece state: not started, in progress (has a Partial), verified. */
export const FRESH = 0;
export const PARTIAL = 1;
export const HAVE = 2;

export abstract class PieceOrder {
  readonly pieceCount: number;
  protected readonly random: () => number;

  protected readonly order: Uint32Array;
  protected readonly pos: Uint32Array;
  protected readonly avail: Uint32Array;
  protected readonly prio: Uint8Array;
  protected readonly state: Uint8Array;
  /** Buckets per priority level; every piece's avail is < B. */
  protected B = INITIAL_BUCKETS;
  protected start: Int32Array;
  protected seeds = 0;

  protected constructor(pieceCount: number, random: () => number) {
    const n = (this.pieceCount = pieceCount);
    this.random = random;
    this.order = new Uint32Array(n);
    this.pos = new Uint32Array(n);
    this.avail = new Uint32Array(n);
    this.prio = new Uint8Array(n).fill(DEFAULT_PRIORITY);
    this.state = new Uint8Array(n);
    this.start = new Int32Array(LEVELS * this.B + 2);
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

  // ---------------------------------------------------------------- buckets

  protected bucketOf(p: number): number {
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
  protected moveTo(p: number, from: number, to: number): void {
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
  protected rebuild(): void {
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

  // ---------------------------------------------------------------- checks

  protected checkPiece(piece: number): void {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new RangeError(`piece ${piece} out of range 0..${this.pieceCount - 1}`);
    }
  }

  protected checkBits(bits: Bitfield): void {
    if (bits.length !== this.pieceCount) {
      throw new RangeError(`bitfield has ${bits.length} bits, torrent has ${this.pieceCount} pieces`);
    }
  }

  /** For tests: `fail`s when the order, positions or bucket bounds are inconsistent. O(pieces). */
  protected checkOrderInvariants(fail: (msg: string) => never): void {
    const n = this.pieceCount;
    for (let i = 0; i < n; i++) if (this.pos[this.order[i]] !== i) fail(`pos/order mismatch at ${i}`);
    const nb = LEVELS * this.B + 1;
    if (this.start.length !== nb + 1 || this.start[0] !== 0 || this.start[nb] !== n) fail('bucket bounds');
    for (let c = 0; c < nb; c++) {
      if (this.start[c] > this.start[c + 1]) fail(`bucket ${c} negative size`);
      for (let i = this.start[c]; i < this.start[c + 1]; i++) {
        if (this.bucketOf(this.order[i]) !== c) fail(`piece ${this.order[i]} in bucket ${c}, belongs in ${this.bucketOf(this.order[i])}`);
      }
    }
    for (let p = 0; p < n; p++) if (this.avail[p] >= this.B) fail(`avail ${p} beyond buckets`);
  }
}
