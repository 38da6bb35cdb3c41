/**
 * One web seed (BEP 19, GetRight style `url-list`): an HTTP server holding the torrent's files, used like a seed.
 *
 * A few connections (slots) each take blocks from the picker as a peer would (a whole piece, or several small
 * ones), turn the contiguous runs into torrent byte ranges, cut those at file boundaries into HTTP range requests,
 * and stream each into the slot's buffer; every block is handed over as soon as its bytes are in. Errors give the
 * undelivered blocks back to the picker and back the whole web seed off (exponentially, or as long as a 503's
 * Retry-After says); one that keeps failing is given up. A web seed whose data fails a hash check is banned by
 * the peer manager like a lying peer.
 */
import type { Clock } from '../common/clock.js';
import { BLOCK_SIZE, type PieceGeometry } from '../common/geometry.js';
import { RateMeter } from '../common/rate.js';
import type { BlockRequest } from '../picker/index.js';
import { HttpRangeClient, HttpRangeError } from '../net/http-range.js';
import type { LimiterChain } from '../net/bandwidth.js';
import { fileUrl, spansOf, type WebSeedLayout } from './web-seed-layout.js';

export type WebSeedState = 'idle' | 'downloading' | 'backing-off' | 'banned' | 'failed';

/** What a web seed needs of its torrent's swarm. */
export interface WebSeedHost {
  readonly clock: Clock;
  readonly geometry: PieceGeometry;
  readonly layout: WebSeedLayout;
  /** Download limits web seed bodies pass, like peers' payload (torrent, then global). */
  readonly limiters: LimiterChain;
  /** Blocks may be requested now (downloading, the disk keeping up). */
  canRequest(): boolean;
  /** Picks up to `max` blocks for requester `id` into `out` (as for a peer that has every piece). */
  pick(id: number, max: number, out: BlockRequest[]): number;
  /** A picked block will not come from requester `id`. */
  giveBack(piece: number, begin: number, id: number): void;
  /** A block arrived; `data` is only valid during the call. */
  deliver(seed: WebSeed, piece: number, begin: number, data: Uint8Array): void;
  log(line: string): void;
}

export interface WebSeedOptions {
  /** HTTP connections to this server at most. */
  readonly maxConnections?: number;
  /** Bytes per request at least (small pieces are fetched several at a time). */
  readonly minRequestBytes?: number;
  readonly idleTimeoutMs?: number;
  /** First back-off after an error; doubles per consecutive failure up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Consecutive failures after which the web seed is given up. */
  readonly maxFailures?: number;
  /** PEM certificates to trust for HTTPS web seeds besides the system's ('' : only the system's). */
  readonly trustedCa?: string;
}

const DEFAULTS = {
  maxConnections: 2,
  minRequestBytes: 256 * 1024,
  idleTimeoutMs: 30_000,
  backoffMs: 5_000,
  maxBackoffMs: 300_000,
  maxFailures: 8,
  trustedCa: '',
} as const;
const MAX_REDIRECTS = 5;
const MAX_JOB_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const USER_AGENT = 'Tessera';

/** One HTTP connection's work: blocks picked, the run being fetched, and how far its delivery got. */
interface Slot {
  readonly id: number;
  abort: AbortController | null;
  /** Blocks picked for the current job, in torrent order; `delivered` of them are handed over. */
  blocks: BlockRequest[];
  delivered: number;
  buffer: Uint8Array;
  /** End game: indices into `blocks` another source delivered first (neither handed over nor given back). */
  lost: Set<number>;
}

export class WebSeed {
  readonly url: string;
  readonly downloadMeter: RateMeter;
  state: WebSeedState = 'idle';
  /** The last error, for the sources view. */
  lastError: string | null = null;
  /** Clock time before which no request starts (back-off). */
  retryAt = 0;

  private readonly host: WebSeedHost;
  private readonly opts: Required<WebSeedOptions>;
  private readonly http: HttpRangeClient;
  private readonly slots: Slot[] = [];
  private failures = 0;

  constructor(url: string, firstId: number, host: WebSeedHost, opts: WebSeedOptions = {}) {
    this.url = url;
    this.host = host;
    this.opts = { ...DEFAULTS, ...opts };
    this.downloadMeter = new RateMeter(host.clock);
    this.http = new HttpRangeClient({
      maxConnections: this.opts.maxConnections,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      maxRedirects: MAX_REDIRECTS,
      maxHeaderBytes: MAX_HEADER_BYTES,
      userAgent: USER_AGENT,
      trustedCa: this.opts.trustedCa || undefined,
    });
    for (let i = 0; i < this.opts.maxConnections; i++) this.slots.push({ id: firstId + i, abort: null, blocks: [], delivered: 0, buffer: new Uint8Array(0), lost: new Set() });
  }

  /** Blame and logs name a web seed by its URL. */
  get address(): string {
    return this.url;
  }

  /** Picker requester ids used by this web seed's connections. */
  get ids(): readonly number[] {
    return this.slots.map((s) => s.id);
  }

  /** Banned or given up: never used again in this run. */
  get closed(): boolean {
    return this.state === 'banned' || this.state === 'failed';
  }

  get busy(): boolean {
    return this.slots.some((s) => s.abort !== null);
  }

  /** Starts requests on idle connections, if the torrent wants blocks and the back-off is over. */
  refill(): void {
    if (this.closed) return;
    const now = this.host.clock.now();
    if (now < this.retryAt) return;
    if (this.state === 'backing-off') this.state = this.busy ? 'downloading' : 'idle';
    for (const slot of this.slots) {
      if (slot.abort !== null) continue;
      if (!this.host.canRequest()) return;
      if (!this.startJob(slot)) return;
    }
  }

  /** Stops every request in flight and gives its blocks back (torrent stopped, complete, or this seed dropped). */
  abortAll(): void {
    for (const slot of this.slots) slot.abort?.abort();
  }

  /** The torrent is going away: stops the requests in flight and closes the connections. */
  shutdown(): void {
    this.abortAll();
    this.http.close();
  }

  /**
   * End game: another source delivered a block connection `id` was fetching too (the picker has already
   * forgotten the request). The block is not handed over when its bytes come; if nothing the connection
   * still waits for is wanted any more, its HTTP request is aborted. False when `id` was not fetching it.
   */
  lostBlock(id: number, piece: number, begin: number): boolean {
    const slot = this.slots.find((s) => s.id === id);
    if (!slot?.abort) return false;
    let found = false;
    let stillWanted = false;
    for (let k = slot.delivered; k < slot.blocks.length; k++) {
      const b = slot.blocks[k];
      if (b.piece === piece && b.begin === begin && !slot.lost.has(k)) {
        slot.lost.add(k);
        found = true;
      } else if (!slot.lost.has(k)) stillWanted = true;
    }
    if (found && !stillWanted) slot.abort.abort();
    return found;
  }

  /** Drops the web seed for good (`banned`: its data failed a hash check). */
  close(reason: string, banned = true): void {
    if (this.closed) return;
    this.state = banned ? 'banned' : 'failed';
    this.lastError = reason;
    this.abortAll();
    this.http.close();
  }

  private startJob(slot: Slot): boolean {
    const g = this.host.geometry;
    const blocks = slot.blocks;
    blocks.length = 0;
    // Whole pieces (several small ones at once), but no more than MAX_JOB_BYTES of buffer per connection.
    const wantBytes = Math.min(Math.max(g.pieceLength, this.opts.minRequestBytes), MAX_JOB_BYTES);
    const n = this.host.pick(slot.id, Math.max(1, Math.ceil(wantBytes / BLOCK_SIZE)), blocks);
    if (n === 0) return false;
    blocks.sort((a, b) => a.piece - b.piece || a.begin - b.begin);
    slot.delivered = 0;
    slot.lost.clear();
    slot.abort = new AbortController();
    this.state = 'downloading';
    void this.runJob(slot, slot.abort.signal).then(
      () => this.jobEnded(slot, null),
      (err: unknown) => this.jobEnded(slot, err),
    );
    return true;
  }

  /** Fetches the slot's blocks run by run (contiguous in the torrent), each run file span by file span. */
  private async runJob(slot: Slot, signal: AbortSignal): Promise<void> {
    const g = this.host.geometry;
    const blocks = slot.blocks;
    let i = 0;
    while (i < blocks.length) {
      const runStart = g.pieceOffset(blocks[i].piece) + blocks[i].begin;
      let runEnd = runStart + blocks[i].length;
      let j = i + 1;
      while (j < blocks.length && g.pieceOffset(blocks[j].piece) + blocks[j].begin === runEnd) runEnd += blocks[j++].length;
      await this.fetchRun(slot, runStart, runEnd - runStart, signal);
      i = j;
    }
  }

  private async fetchRun(slot: Slot, start: number, length: number, signal: AbortSignal): Promise<void> {
    if (slot.buffer.length < length) slot.buffer = new Uint8Array(length);
    const buffer = slot.buffer;
    const layout = this.host.layout;
    // Bytes no file covers (v2's implied alignment padding) are zeros, like pad files.
    buffer.fill(0, 0, length);
    for (const span of spansOf(layout, start, length)) {
      if (layout.files[span.file].padding) {
        buffer.fill(0, span.rangeOffset, span.rangeOffset + span.length);
        this.deliverReady(slot, start, span.rangeOffset + span.length);
        continue;
      }
      await this.http.fetch({
        url: fileUrl(this.url, layout, span.file),
        start: span.fileOffset,
        length: span.length,
        into: buffer,
        intoOffset: span.rangeOffset,
        signal,
        limiters: this.host.limiters,
        onProgress: (received) => this.deliverReady(slot, start, span.rangeOffset + received),
      });
    }
    this.deliverReady(slot, start, length);
  }

  /** Hands over every block of the run whose bytes are all in (`filled` bytes from the run's start at `runStart`). */
  private deliverReady(slot: Slot, runStart: number, filled: number): void {
    const g = this.host.geometry;
    const blocks = slot.blocks;
    while (slot.delivered < blocks.length) {
      const b = blocks[slot.delivered];
      const at = g.pieceOffset(b.piece) + b.begin - runStart;
      // Blocks of later runs start before this run (negative) or past what is in.
      if (at < 0 || at + b.length > filled) return;
      const lost = slot.lost.has(slot.delivered);
      slot.delivered++;
      this.downloadMeter.add(b.length);
      if (!lost) this.host.deliver(this, b.piece, b.begin, slot.buffer.subarray(at, at + b.length));
      if (this.closed) return;
    }
  }

  private jobEnded(slot: Slot, err: unknown): void {
    slot.abort = null;
    for (let k = slot.delivered; k < slot.blocks.length; k++) if (!slot.lost.has(k)) this.host.giveBack(slot.blocks[k].piece, slot.blocks[k].begin, slot.id);
    slot.blocks.length = 0;
    slot.lost.clear();
    slot.delivered = 0;
    if (this.closed) return;
    if (err === null) {
      this.failures = 0;
      if (!this.busy) this.state = 'idle';
      this.refill();
      return;
    }
    if (err instanceof HttpRangeError && err.kind === 'aborted') {
      if (!this.busy && this.state === 'downloading') this.state = 'idle';
      return;
    }
    this.failed(err instanceof Error ? err : new Error(String(err)));
  }

  private failed(err: Error): void {
    this.failures++;
    const message = err.message;
    this.lastError = message;
    if (this.failures >= this.opts.maxFailures) {
      this.host.log(`web seed ${this.url}: ${message}; giving up after ${this.failures} failures in a row`);
      this.close(message, false);
      return;
    }
    const retryAfter = err instanceof HttpRangeError ? err.retryAfterMs : undefined;
    const delay = retryAfter ?? Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (this.failures - 1));
    this.retryAt = Math.max(this.retryAt, this.host.clock.now() + delay);
    this.state = 'backing-off';
    // The other connections' requests would most likely fail the same way.
    this.abortAll();
    this.host.log(`web seed ${this.url}: ${message}; retrying in ${Math.round(delay / 1000)} s`);
  }
}
