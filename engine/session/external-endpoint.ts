/**
 * Where the Internet sees us: the port we announce (the router's external port while a mapping stands, else the
 * listen port) and our external IPv4 address. When the announced port changes (the router gave another port, a
 * renewal or a router restart moved it, the mapping was lost) every torrent re-announces to its trackers at once, so
 * trackers always hold the port peers can reach. The address comes from the router (UPnP GetExternalIPAddress,
 * NAT-PMP, PCP) or, failing that, from what peers tell us in `yourip` (BEP 10) once enough of them agree; the DHT
 * listens to it for its BEP 42 node id, and the UI shows it.
 */
import type { Clock } from '../common/clock.js';
import { ExternalIpVotes } from '../dht/ip-votes.js';
import { isBep42Exempt } from '../dht/node-id.js';
import { isIPv4 } from '../net/address.js';

export type AddressSource = 'UPnP' | 'NAT-PMP' | 'PCP' | 'peers';

export interface ExternalEndpointOptions {
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** Re-announces every running torrent to its trackers now (min interval or not); returns how many. */
  readonly reannounce: () => number;
  /** Tests: the least time between two port-change re-announces (default REANNOUNCE_GAP_MS). */
  readonly reannounceGapMs?: number;
}

/** Re-announces caused by port changes come at most this often (a router that moves our port at every renewal). */
export const REANNOUNCE_GAP_MS = 30_000;

/** 100.64.0.0/10 (RFC 6598): a carrier-grade NAT's side, not the Internet. */
function isSharedAddressSpace(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 100 && b >= 64 && b < 128;
}

export class ExternalEndpoint {
  private advertised: number | null = null;
  private lastReannounceAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private current: { readonly ip: string; readonly source: AddressSource } | null = null;
  private readonly votes = new ExternalIpVotes();
  private readonly listeners = new Set<(ip: string, source: AddressSource) => void>();
  private readonly portListeners = new Set<(port: number) => void>();
  private notPublicLogged: string | null = null;

  constructor(private readonly opts: ExternalEndpointOptions) {}

  /** Our external IPv4 address, or null while unknown. */
  get address(): string | null {
    return this.current?.ip ?? null;
  }

  get addressSource(): AddressSource | null {
    return this.current?.source ?? null;
  }

  /** The port we tell trackers and peers (the router's external port while mapped, else the listen port); null before listening. */
  get port(): number | null {
    return this.advertised;
  }

  /** Calls `listener` with the announced port whenever torrents re-announce it (rate-limited like them); returns the unsubscribe. */
  onPortChange(listener: (port: number) => void): () => void {
    this.portListeners.add(listener);
    return () => this.portListeners.delete(listener);
  }

  /** Calls `listener` with every newly adopted address (not the current one); returns the unsubscribe. */
  onAddress(listener: (ip: string, source: AddressSource) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The port trackers and peers are told is now `port`; a change makes every torrent re-announce. */
  advertisedPortIs(port: number): void {
    const before = this.advertised;
    this.advertised = port;
    if (before === null || before === port) return;
    this.opts.log(`port mapping: the port we announce changed from ${before} to ${port}; re-announcing to trackers`);
    this.reannounceSoon();
  }

  /** The router reported our external address with a mapping. A router's word beats peers' votes. */
  routerSays(ip: string, source: Exclude<AddressSource, 'peers'>): void {
    if (!isIPv4(ip)) return;
    if (isBep42Exempt(ip) || isSharedAddressSpace(ip)) {
      if (this.notPublicLogged !== ip) this.opts.log(`port mapping: the router's external address ${ip} is not public: another NAT is upstream, so peers may still not reach us`);
      this.notPublicLogged = ip;
      return;
    }
    this.adopt(ip, source);
  }

  /** A peer at `peerHost` told us (`yourip`) it sees us at `ip`; adopted once enough peers agree and no router said otherwise. */
  peerSays(ip: string, peerHost: string): void {
    if (!this.votes.vote(peerHost, ip)) return;
    if (this.current && this.current.source !== 'peers') return;
    this.adopt(ip, 'peers');
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private adopt(ip: string, source: AddressSource): void {
    if (this.current?.ip === ip) {
      if (source !== 'peers') this.current = { ip, source };
      return;
    }
    this.current = { ip, source };
    this.opts.log(`external address ${ip} (from ${source === 'peers' ? "peers' yourip" : source})`);
    for (const listener of this.listeners) listener(ip, source);
  }

  private reannounceSoon(): void {
    if (this.timer) return; // one is already on its way and will carry the newest port
    const wait = this.lastReannounceAt + (this.opts.reannounceGapMs ?? REANNOUNCE_GAP_MS) - this.opts.clock.now();
    if (wait <= 0) return this.reannounce();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reannounce();
    }, wait);
    this.timer.unref();
  }

  private reannounce(): void {
    for (const listener of this.portListeners) listener(this.advertised!);
    const n = this.opts.reannounce();
    if (n === 0) return; // nothing was announced (say, the first mapping before any torrent started): no gap to keep
    this.lastReannounceAt = this.opts.clock.now();
    this.opts.log(`port mapping: re-announced ${n} torrent${n === 1 ? '' : 's'} with port ${this.advertised}`);
  }
}
