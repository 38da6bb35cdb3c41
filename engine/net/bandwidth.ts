import { SendBudget, SESSION_SEND_LIMIT } from './send-budget.js';
import type { Clock } from '../common/clock.js';
import { TokenBucket } from '../common/token-bucket.js';

/** Timers for the limiters; tests pass a fake one and drive it with a ManualClock. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd: a waiting transfer alone does not keep the process alive. */
export const realScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The limiters one transfer must pass, e.g. [torrent, global, alternative-global]. */
export type LimiterChain = readonly BandwidthLimiter[];

/**
 * Something waiting for bandwidth: a socket that stopped reading, or a
 * connection with blocks to send. One object per connection and direction,
 * allocated once, so waiting costs no allocation.
 */
export interface BandwidthWaiter {
  readonly chain: LimiterChain;
  /** The limiter whose queue holds this waiter; set and cleared by BandwidthLimiter only. */
  waitingOn: BandwidthLimiter | null;
  /**
   * Every limiter of `chain` has tokens: transfer now (charging the chain) and,
   * if more is left, wait again with `waitOnChain`.
   */
  bandwidthAvailable(): void;
}

/** The first limiter of the chain that is in debt, or null when a transfer may go ahead. */
export function firstBlocked(chain: LimiterChain): BandwidthLimiter | null {
  for (let i = 0; i < chain.length; i++) {
    const limiter = chain[i];
    if (limiter.bucket.rate !== null && limiter.bucket.blocked()) return limiter;
  }
  return null;
}

/** Charges `bytes` to every limiter of the chain (they may go into debt). */
export function chargeChain(chain: LimiterChain, bytes: number): void {
  for (let i = 0; i < chain.length; i++) {
    const bucket = chain[i].bucket;
    if (bucket.rate !== null) bucket.consume(bytes);
  }
}

/**
 * Queues `waiter` on the first limiter of its chain that is in debt. Returns
 * false (and queues nothing) when none is: the caller may transfer at once.
 */
export function waitOnChain(waiter: BandwidthWaiter): boolean {
  const limiter = firstBlocked(waiter.chain);
  if (limiter === null) return false;
  limiter.wait(waiter);
  return true;
}

/** Takes a waiter out of whatever queue holds it (connection closed, blocks dropped). */
export function cancelWait(waiter: BandwidthWaiter): void {
  waiter.waitingOn?.cancel(waiter);
}

/**
 * One token bucket plus the FIFO of waiters it holds back and one timer that
 * fires when its debt is repaid. Waiters are served in order; one whose chain
 * is still blocked elsewhere moves to that limiter's queue. A limiter with rate
 * null is free: nothing waits on it and it sets no timer.
 */
export class BandwidthLimiter {
  readonly bucket: TokenBucket;
  private queue: (BandwidthWaiter | null)[] = [];
  private head = 0;
  private timer: unknown = null;

  constructor(clock: Clock, rate: number | null = null, private readonly scheduler: Scheduler = realScheduler, readonly name = 'limit') {
    this.bucket = new TokenBucket(clock, rate);
  }

  /** Bytes per second, or null when unlimited. */
  get rate(): number | null {
    return this.bucket.rate;
  }

  /** Changes the limit at runtime (null: unlimited); waiters are re-timed, or released when the limit is lifted. */
  setRate(rate: number | null, burst?: number): void {
    this.bucket.setRate(rate, burst);
    if (this.timer !== null) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = null;
    }
    this.schedule();
  }

  /** How many waiters are queued here. */
  get waiting(): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++) if (this.queue[i] !== null) n++;
    return n;
  }

  /** Queues a waiter (once: a waiter already queued somewhere stays where it is). */
  wait(waiter: BandwidthWaiter): void {
    if (waiter.waitingOn !== null) return;
    waiter.waitingOn = this;
    this.queue.push(waiter);
    this.schedule();
  }

  cancel(waiter: BandwidthWaiter): void {
    if (waiter.waitingOn !== this) return;
    waiter.waitingOn = null;
    const i = this.queue.indexOf(waiter, this.head);
    if (i >= 0) this.queue[i] = null;
  }

  private schedule(): void {
    if (this.timer !== null || this.head >= this.queue.length) return;
    const ms = this.bucket.msUntilAvailable();
    // Rate 0: nothing passes; setRate re-schedules.
    if (ms === Infinity) return;
    this.timer = this.scheduler.setTimeout(this.flush, Math.min(ms, MAX_TIMER_MS));
  }

  private readonly flush = (): void => {
    this.timer = null;
    const queue = this.queue;
    // Only those queued before this run: one that re-queues here waits for the next.
    const end = queue.length;
    while (this.head < end && !this.bucket.blocked()) {
      const waiter = queue[this.head];
      queue[this.head++] = null;
      if (waiter === null) continue;
      waiter.waitingOn = null;
      const other = firstBlocked(waiter.chain);
      if (other !== null) other.wait(waiter);
      else waiter.bandwidthAvailable();
    }
    if (this.head >= queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  };
}

/** Download and upload rates in bytes per second; null lifts a limit, 0 stops that direction, undefined leaves it as it is. */
export interface RateLimits {
  readonly download?: number | null;
  readonly upload?: number | null;
}

/**
 * A download and an upload limiter at one level (a torrent, the whole client),
 * with the chains a connection at that level passes: its own limiters first,
 * then its parents' (e.g. a torrent's parents are the global limits).
 */
export class TransferLimits {
  readonly download: BandwidthLimiter;
  readonly upload: BandwidthLimiter;
  readonly downloadChain: LimiterChain;
  readonly uploadChain: LimiterChain;
  /** Bytes queued for slow readers, capped across the session: a root's own, shared by the limits under it. */
  readonly sendBudget: SendBudget;

  constructor(clock: Clock, parents: readonly TransferLimits[] = [], scheduler: Scheduler = realScheduler) {
    this.sendBudget = parents.length > 0 ? parents[0].sendBudget : new SendBudget(SESSION_SEND_LIMIT);
    this.download = new BandwidthLimiter(clock, null, scheduler, 'download');
    this.upload = new BandwidthLimiter(clock, null, scheduler, 'upload');
    this.downloadChain = [this.download, ...parents.map((p) => p.download)];
    this.uploadChain = [this.upload, ...parents.map((p) => p.upload)];
  }

  set(limits: RateLimits): void {
    if (limits.download !== undefined) checkRate(limits.download, 'download');
    if (limits.upload !== undefined) checkRate(limits.upload, 'upload');
    if (limits.download !== undefined) this.download.setRate(limits.download);
    if (limits.upload !== undefined) this.upload.setRate(limits.upload);
  }

  get(): { download: number | null; upload: number | null } {
    return { download: this.download.rate, upload: this.upload.rate };
  }
}

function checkRate(rate: number | null, what: string): void {
  if (rate !== null && !(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`${what} limit must be a number of bytes per second >= 0, or null (unlimited), got ${rate}`);
}
