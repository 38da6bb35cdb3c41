// Test helper: a Scheduler driven by a ManualClock, so limiter tests run without sleeping.
import type { ManualClock } from '../common/clock.js';
import type { Scheduler } from './bandwidth.js';

export class FakeScheduler implements Scheduler {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  /** Every timer ever set (to check that waiting costs one timer, not one per socket). */
  created = 0;

  constructor(readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.created++;
    this.timers.set(id, { at: this.clock.now() + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** When the next timer is due, or null. */
  nextAt(): number | null {
    let at: number | null = null;
    for (const t of this.timers.values()) if (at === null || t.at < at) at = t.at;
    return at;
  }

  /** Moves the clock forward by `ms`, firing timers in order as their time comes. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.timers) if (entry[1].at <= target && (next === null || entry[1].at < next[1].at)) next = entry;
      if (next === null) break;
      this.timers.delete(next[0]);
      if (next[1].at > this.clock.now()) this.clock.advance(next[1].at - this.clock.now());
      next[1].fn();
    }
    if (target > this.clock.now()) this.clock.advance(target - this.clock.now());
  }
}
