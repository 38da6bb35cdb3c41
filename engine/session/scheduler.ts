/**
 * While nothing moves (no row or counter changed, every running torrent an idle seed without
 * peers), the session ticks this often instead of at the batch rate: each timer wakeup of an idle
 * process costs about 0.3 ms of CPU on a small VM, so four a second were most of an idle session's
 * cost. Any change (wake) brings the batch rate back at once; a peer arriving at an idle seed is
 * seen within this interval.
 */
export const QUIET_TICK_MS = 1_000;

/**
 * The session's clock: calls `tick` at the batch rate, or at QUIET_TICK_MS after a tick that
 * reported nothing moving, until stopped. A tick that throws is logged and the clock goes on.
 */
export class TickScheduler {
  private timer: NodeJS.Timeout | null = null;
  private quiet = false;
  private stopped = false;
  private soonPending = false;

  /** `tick` returns true when the session is quiet (see QUIET_TICK_MS). */
  constructor(
    private readonly batchMs: number,
    private readonly tick: () => boolean,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.schedule(this.batchMs);
  }

  /** Back to the batch rate after a quiet spell: something changed. */
  wake(): void {
    if (!this.quiet) return;
    this.quiet = false;
    if (this.timer) this.schedule(this.batchMs);
  }

  /**
   * The next tick runs as soon as the event loop is free, then the batch rate goes on: a torrent changed state, and
   * its row (and `tessera download`'s exit on completion) should not wait up to a batch interval. Calls before that
   * tick share it.
   */
  soon(): void {
    if (this.stopped || this.soonPending) return;
    this.soonPending = true;
    this.quiet = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.soonPending = false;
      try {
        this.quiet = this.tick();
      } catch (err) {
        // A bug in one step must not stop the session's clock (and with it every torrent's updates).
        this.log(`session tick failed: ${(err as Error).stack ?? String(err)}`);
      }
      this.schedule(this.quiet ? QUIET_TICK_MS : this.batchMs);
    }, ms);
  }
}
