/** Shared value types of the tracker module. Pure data, no I/O. */

/** A peer endpoint as a tracker reported it. `host` is an IPv4/IPv6 literal or, from dictionary peer lists, possibly a hostname. */
export interface PeerAddress {
  host: string;
  port: number;
}

/** The `event` of an announce. Absent means a regular (periodic) announce. */
export type AnnounceEvent = 'started' | 'completed' | 'stopped';

export interface AnnounceParams {
  /** 20-byte info-hash. */
  infoHash: Uint8Array;
  /** 20-byte peer id. */
  peerId: Uint8Array;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: AnnounceEvent;
  /** Peers wanted; omitted means the tracker's default (UDP: -1). */
  numwant?: number;
  /** Random 32-bit value identifying this client across IP changes (BEP 3 / BEP 15). Sent as 8 hex digits over HTTP. */
  key?: number;
  /** The `tracker id` a previous response carried (HTTP only). Bytes as a latin1 string. */
  trackerId?: string;
  /** Our global IPv6 address (BEP 7 `ipv6=`, HTTP only): an announce over IPv4 still lists us for IPv6 peers. */
  ipv6?: string;
}

export interface AnnounceResponse {
  /** Set when the tracker refused the request. The clients turn this into a TrackerError; the codec returns it. */
  failureReason?: string;
  warningMessage?: string;
  /** Seconds until the next regular announce. */
  interval: number;
  /** Seconds the client must wait between announces. */
  minInterval?: number;
  /** Opaque id to send back on later announces (bytes as a latin1 string). */
  trackerId?: string;
  /** Seeders. */
  complete?: number;
  /** Leechers. */
  incomplete?: number;
  peers: PeerAddress[];
  /** Our address as the tracker sees it (BEP 24). */
  externalIp?: string;
}

export interface ScrapeResponse {
  /** Seeders. */
  complete: number;
  /** Leechers. */
  incomplete: number;
  /** Completed downloads ever (BEP 48 `downloaded`). */
  downloaded: number;
  /** Optional extension some trackers send (libtorrent reports -1 when absent; here undefined). */
  downloaders?: number;
}

/** Timer functions, injectable so state machines can run on a fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface RequestOptions {
  /** Overall time limit of the request, milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What the announcer needs from a transport (HTTP or UDP). Injectable for tests. */
export interface TrackerTransport {
  announce(url: string, params: AnnounceParams, opts: RequestOptions): Promise<AnnounceResponse>;
  scrape(url: string, infoHash: Uint8Array, opts: RequestOptions): Promise<ScrapeResponse>;
}
