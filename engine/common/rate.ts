import type { Clock } from './clock.js';

/**
 * Bytes-per-second over a sliding window, kept as fixed one-second buckets so
 * recording a sample costs no allocation.
 */
export class RateMeter {
  private readonly buckets: Float64Array;
  private bucketStart = 0;
  private head = 0;
  /** The second (bucketStart) of the last add of a positive count. */
  private lastAddSecond = -Infinity;
  total = 0;

  constructor(private readonly clock: Clock, windowSeconds = 5) {
    this.buckets = new Float64Array(windowSeconds);
    this.bucketStart = Math.floor(clock.now() / 1000);
  }

  add(bytes: number): void {
    this.roll();
    this.buckets[this.head] += bytes;
    this.total += bytes;
    if (bytes > 0) this.lastAddSecond = this.bucketStart;
  }

  /**
   * True when nothing was added within the window before `nowMs` (this meter's clock), so rate()
   * would be 0: many idle meters can be summed without rolling each one.
   */
  quietAt(nowMs: number): boolean {
    return Math.floor(nowMs / 1000) - this.lastAddSecond >= this.buckets.length;
  }

  /** Average bytes per second over the window (the current, partial second included). */
  rate(): number {
    this.roll();
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) sum += this.buckets[i];
    const nowMs = this.clock.now();
    const partial = (nowMs / 1000) - Math.floor(nowMs / 1000);
    const seconds = this.buckets.length - 1 + Math.max(partial, 0.001);
    return sum / seconds;
  }

  private roll(): void {
    const second = Math.floor(this.clock.now() / 1000);
    let steps = second - this.bucketStart;
    if (steps <= 0) return;
    if (steps > this.buckets.length) steps = this.buckets.length;
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.buckets.length;
      this.buckets[this.head] = 0;
    }
    this.bucketStart = second;
  }
}
