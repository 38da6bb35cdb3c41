/** A block a peer asked us for. */
export interface UploadRequest {
  readonly piece: number;
  readonly begin: number;
  readonly length: number;
}

/** Requests a peer may have queued with us; more are rejected. */
const MAX_QUEUED = 2000;
/** Blocks of one peer being read from disk or waiting for upload bandwidth at once. */
const MAX_IN_FLIGHT = 8;

/** The requests one peer made of us, oldest first, and how many of them are being read from disk. */
export class UploadQueue {
  private queue: UploadRequest[] = [];
  /** Blocks being read from disk for this peer. */
  reading = 0;

  get length(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= MAX_QUEUED;
  }

  push(request: UploadRequest): void {
    this.queue.push(request);
  }

  /** The next request to read, while fewer than MAX_IN_FLIGHT blocks (read or held back, `waiting`) are under way. */
  next(waiting: number): UploadRequest | undefined {
    if (this.reading + waiting >= MAX_IN_FLIGHT) return undefined;
    return this.queue.shift();
  }

  /** The request `n` places behind the next one (0: the next), without taking it; undefined past the end. */
  peek(n: number): UploadRequest | undefined {
    return this.queue[n];
  }

  /** The peer cancelled a request it had queued. */
  cancel(piece: number, begin: number, length: number): void {
    const q = this.queue;
    const i = q.findIndex((r) => r.piece === piece && r.begin === begin && r.length === length);
    if (i >= 0) q.splice(i, 1);
  }

  /** Empties the queue (we choked the peer) and returns what it held, to be rejected. */
  clear(): readonly UploadRequest[] {
    const dropped = this.queue;
    if (dropped.length > 0) this.queue = [];
    return dropped;
  }
}
