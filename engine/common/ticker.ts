/**
 * One timer for many periodic jobs: a session with thousands of running torrents
 * wakes once a second, not once per torrent.
 */
export class Ticker {
  private readonly jobs = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number) {}

  /** Runs `job` every interval until the returned function is called. */
  add(job: () => void): () => void {
    this.jobs.add(job);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const j of [...this.jobs]) j();
      }, this.intervalMs);
      this.timer.unref?.();
    }
    return () => {
      this.jobs.delete(job);
      if (this.jobs.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }
}
