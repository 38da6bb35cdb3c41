import type { SendBudget } from '../net/send-budget.js';

/** Queued past this, the connection stops reading the peer (its requests, its messages) until the socket drains. */
export const SOFT_BACKLOG = 1024 * 1024;
/** Queued past this, the peer is dropped: only timers (have, PEX, keep-alives) can add once reading has stopped. */
export const HARD_BACKLOG = 8 * 1024 * 1024;
/**
 * What a queued write costs besides its bytes: Node keeps a request object per write. Counted so that many small
 * writes (a flood of 17-byte messages) reach the limits as soon as their real memory does.
 */
export const WRITE_OVERHEAD = 256;

/** When the session's cap is exceeded, a connection holding more than this is dropped. */
const SESSION_SHARE_DROP = 64 * 1024;

export type BacklogVerdict = 'ok' | 'pause' | 'drop';

/**
 * One connection's send backlog: the bytes written since the socket last said it was full (write() returned false)
 * and not yet drained. Those are what user space holds for a peer that reads slower than we write. No allocation.
 */
export class SendBacklog {
  /** Bytes (plus per-write overhead) queued since the socket filled; 0 after a drain. */
  bytes = 0;
  /** When the socket last filled, while `bytes` > 0 (clock time). */
  since = 0;

  constructor(private readonly budget: SendBudget | null) {}

  /** A write the socket queued; what the connection must do about it. */
  add(length: number, now: number): BacklogVerdict {
    const cost = length + WRITE_OVERHEAD;
    if (this.bytes === 0) this.since = now;
    this.bytes += cost;
    const budget = this.budget;
    if (budget !== null) budget.queued += cost;
    if (this.bytes > HARD_BACKLOG) return 'drop';
    // The session is over its cap: a connection holding a fair share of it goes, the others stop reading.
    if (budget !== null && budget.exceeded) return this.bytes > SESSION_SHARE_DROP ? 'drop' : 'pause';
    return this.bytes > SOFT_BACKLOG ? 'pause' : 'ok';
  }

  /** The socket emptied its queue (or the connection closed): nothing is held for it any more. */
  clear(): void {
    if (this.budget !== null) this.budget.queued -= this.bytes;
    this.bytes = 0;
  }
}
