/**
 * Rate samples for the Speed tab (1,200: five minutes at four batches a second), in fixed-size ring buffers (no allocation per sample). Written on each
 * batch; the graph reads it through a transient subscription and redraws on its own.
 */
export class SpeedHistory {
  readonly capacity: number;
  readonly times: Float64Array;
  readonly down: Float64Array;
  readonly up: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity = 1200) {
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.down = new Float64Array(capacity);
    this.up = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(time: number, down: number, up: number): void {
    const i = (this.start + this.count) % this.capacity;
    this.times[i] = time;
    this.down[i] = down;
    this.up[i] = up;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The i-th oldest sample's slot in the arrays (0 <= i < length). */
  slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}
