/**
 * Bytes queued in user space for sockets that could not take them (their peers read slower than we write, or not
 * at all), summed over a whole session: a hard cap no number of connections can push memory past.
 */
export class SendBudget {
  /** Bytes queued now, over every connection sharing this budget. */
  queued = 0;

  /** `limit`: most bytes queued at once before a connection that adds more is dropped. */
  constructor(readonly limit: number) {}

  get exceeded(): boolean {
    return this.queued > this.limit;
  }
}

/** Default session-wide cap: far above what healthy connections queue (each stops near 1 MiB), far below RAM. */
export const SESSION_SEND_LIMIT = 128 * 1024 * 1024;
