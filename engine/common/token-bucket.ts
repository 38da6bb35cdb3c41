import type { Clock } from './clock.js';

/** Seconds of traffic a bucket may save up while idle, unless a burst is given. */
export const DEFAULT_BURST_SECONDS = 0.25;
/** The smallest default burst: one block, so low limits still move whole blocks without waiting twice. */
export const MIN_BURST = 16 * 1024;

/** The burst a bucket of `rate` bytes/s gets by default. */
export function defaultBurst(rate: number): number {
  return Math.max(rate * DEFAULT_BURST_SECONDS, MIN_BURST);
}

/**
 * A token bucket: tokens (bytes) accrue at `rate` per second up to `burst`. A
 * transfer may overdraw the bucket (the tokens go negative), so a block of any
 * size passes as soon as the balance is not negative; the debt then delays
 * whatever comes next. Over any long window the bytes let through are
 * rate × time, give or take one burst plus one transfer.
 *
 * `rate` null means unlimited: every method is then a constant-time no-op.
 * `rate` 0 means nothing passes until the rate is raised.
 * Time comes from the injected Clock; the bucket sets no timers.
 */
export class TokenBucket {
  private rate_: number | null = null;
  private burst_ = 0;
  private tokens = 0;
  private last: number;

  constructor(private readonly clock: Clock, rate: number | null = null, burst?: number) {
    this.last = clock.now();
    this.setRate(rate, burst);
  }

  /** Bytes per second, or null when unlimited. */
  get rate(): number | null {
    return this.rate_;
  }

  get burst(): number {
    return this.burst_;
  }

  get unlimited(): boolean {
    return this.rate_ === null;
  }

  /**
   * Changes the rate (null: unlimited) and optionally the burst (default: defaultBurst(rate)).
   * Tokens earned so far are kept, capped at the new burst; a debt is kept too, capped at one burst,
   * so lowering a limit a lot does not stall the next transfer for minutes.
   */
  setRate(rate: number | null, burst?: number): void {
    if (rate !== null && !(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`rate must be a number of bytes per second >= 0, or null, got ${rate}`);
    if (burst !== undefined && !(Number.isFinite(burst) && burst > 0)) throw new RangeError(`burst must be a positive number of bytes, got ${burst}`);
    const wasUnlimited = this.rate_ === null;
    this.refill();
    this.rate_ = rate;
    if (rate === null) {
      this.burst_ = 0;
      this.tokens = 0;
      return;
    }
    this.burst_ = rate === 0 ? 0 : (burst ?? defaultBurst(rate));
    // A limit that starts now starts with a full bucket, like a fresh one.
    if (wasUnlimited) this.tokens = this.burst_;
    else this.tokens = Math.min(Math.max(this.tokens, -this.burst_), this.burst_);
  }

  /** The current balance in bytes (negative while in debt); Infinity when unlimited. */
  available(): number {
    if (this.rate_ === null) return Infinity;
    this.refill();
    return this.tokens;
  }

  /** True while the bucket is in debt (or its rate is 0): transfers must wait. Never true when unlimited. */
  blocked(): boolean {
    if (this.rate_ === null) return false;
    this.refill();
    return this.tokens < 0 || this.rate_ === 0;
  }

  /** Lets `n` bytes through if the bucket is not in debt (it may go into debt by up to `n`). */
  take(n: number): boolean {
    if (this.rate_ === null) return true;
    this.refill();
    if (this.tokens < 0 || this.rate_ === 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Charges `n` bytes that were already transferred: the balance may go negative. */
  consume(n: number): void {
    if (this.rate_ === null) return;
    this.refill();
    this.tokens -= n;
  }

  /** Milliseconds until the debt is repaid: 0 when not in debt or unlimited, Infinity while the rate is 0. */
  msUntilAvailable(): number {
    if (this.rate_ === null) return 0;
    if (this.rate_ === 0) return Infinity;
    this.refill();
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens * 1000) / this.rate_);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.last;
    if (elapsed <= 0) return;
    this.last = now;
    if (this.rate_ === null) return;
    const tokens = this.tokens + (elapsed * this.rate_) / 1000;
    this.tokens = tokens > this.burst_ ? this.burst_ : tokens;
  }
}
