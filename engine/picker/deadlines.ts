/**
 * Time-critical pieces (streaming): pieces with a deadline, kept in earliest-deadline order. The picker serves them
 * before everything else; once a deadline has passed, the blocks of that piece still in flight may be requested again
 * from another peer (end game for just those pieces). Replaced wholesale by the readers when a window moves (a few
 * dozen pieces at most), so no per-pick allocation: a pick walks `order[0..count)`.
 */
export class Deadlines {
  /** Deadline of each piece (clock milliseconds); Infinity when it has none. */
  readonly at: Float64Array;
  /** Pieces with a deadline, earliest first. */
  readonly order: Int32Array;
  private n = 0;

  constructor(pieceCount: number, readonly capacity = 256) {
    this.at = new Float64Array(pieceCount).fill(Infinity);
    this.order = new Int32Array(capacity);
  }

  get count(): number {
    return this.n;
  }

  /** The earliest deadline (clock milliseconds); Infinity when there is none. */
  get earliest(): number {
    return this.n > 0 ? this.at[this.order[0]] : Infinity;
  }

  /**
   * The new set: `pieces[i]` is due at `times[i]`, for i < count (a piece listed twice keeps its earliest time).
   * Beyond `capacity` the latest are dropped. The old deadlines are gone.
   */
  replace(pieces: ArrayLike<number>, times: ArrayLike<number>, count: number): void {
    const { at, order } = this;
    for (let i = 0; i < this.n; i++) at[order[i]] = Infinity;
    this.n = 0;
    for (let i = 0; i < count; i++) {
      const p = pieces[i];
      if (!(p >= 0 && p < at.length)) continue;
      const t = times[i];
      if (at[p] !== Infinity) {
        if (t < at[p]) this.reposition(p, t);
        continue;
      }
      this.insert(p, t);
    }
  }

  /** Every deadline dropped (the last reader closed). */
  clear(): void {
    for (let i = 0; i < this.n; i++) this.at[this.order[i]] = Infinity;
    this.n = 0;
  }

  has(piece: number): boolean {
    return this.at[piece] !== Infinity;
  }

  /** Insertion in deadline order (stable: equal deadlines keep the order given, nearer pieces first). */
  private insert(p: number, t: number): void {
    const { order, at } = this;
    let i = this.n;
    if (i === this.capacity) {
      if (t >= at[order[i - 1]]) return;
      at[order[i - 1]] = Infinity;
      i--;
    } else this.n++;
    while (i > 0 && at[order[i - 1]] > t) {
      order[i] = order[i - 1];
      i--;
    }
    order[i] = p;
    at[p] = t;
  }

  private reposition(p: number, t: number): void {
    const { order } = this;
    let i = 0;
    while (order[i] !== p) i++;
    for (; i < this.n - 1; i++) order[i] = order[i + 1];
    this.n--;
    this.at[p] = Infinity;
    this.insert(p, t);
  }
}
