import type { Settings } from '../api/types.js';
import type { Clock } from '../common/clock.js';
import { LocalDiscovery } from '../net/lsd.js';
import { join } from 'node:path';
import { SessionDht } from './dht.js';
import type { DatagramTransport } from '../dht/rpc.js';
import type { Entry } from './entry.js';
import type { SessionOptions } from './session-options.js';
import type { ExternalEndpoint } from './external-endpoint.js';

export interface PeerDiscoveryOptions extends Pick<SessionOptions, 'dataDir' | 'dht' | 'lsd' | 'listenHost'> {
  readonly clock: Clock;
  /** The port peers reach us on (announced on the DHT and the LAN). */
  listenPort(): number;
  /** That port's UDP socket, shared by uTP and the DHT; null: the DHT binds its own. */
  datagrams(): DatagramTransport | null;
  /** The listen port's IPv6 UDP socket as the IPv6 DHT shares it; null without IPv6. */
  datagrams6(): DatagramTransport | null;
  /** Our external address as it becomes known: the DHT's node id follows it (BEP 42). */
  endpoint?(): ExternalEndpoint;
  /** The torrent an announce on the LAN is about, if it is in the list. */
  find(infoHashHex: string): Entry | undefined;
  log(line: string): void;
}

/**
 * Where running torrents find peers besides trackers: the Mainline DHT and local service discovery
 * (BEP 14 over IPv4 and IPv6, each where the host has it), each on while its setting is (and the host allows it).
 */
export class PeerDiscovery {
  private readonly dht: SessionDht;
  /** One per address family; a bindHost of one family leaves only that family's. */
  private readonly lsd: LocalDiscovery[];

  constructor(private readonly opts: PeerDiscoveryOptions) {
    this.dht = new SessionDht(join(opts.dataDir, 'dht.json'), opts.log);
    const bindHost = opts.lsd?.bindHost;
    // An address literal: IPv6 ones have colons.
    const families = ([4, 6] as const).filter((f) => bindHost === undefined || bindHost.includes(':') === (f === 6));
    this.lsd = families.map(
      (family) =>
        new LocalDiscovery({
          family,
          listenPort: opts.listenPort,
          bindHost,
          clock: opts.clock,
          log: opts.log, // LocalDiscovery's lines start with 'lsd:'
          onPeer: (infoHash, host, port) => {
            const e = opts.find(infoHash);
            e?.torrent?.addPeers([{ host, port }], family === 6 ? 'lsd (IPv6)' : 'lsd');
            e?.fetch?.addPeers([{ host, port }]);
          },
        }),
    );
  }

  /** DHT nodes of both address families. */
  get dhtNodes(): number {
    return this.dht.nodeCount;
  }

  /** Of those, the IPv6 DHT's (BEP 32). */
  get dhtNodes6(): number {
    return this.dht.nodeCount6;
  }

  /** At session start: what the settings switch on. */
  async start(settings: Settings, entries: Iterable<Entry>): Promise<void> {
    if (this.opts.lsd && settings.lsd) await this.startLsd();
    if (this.opts.dht && settings.dht) await this.startDht(this.opts.dht, entries);
  }

  /** The settings changed: each one on or off as they now say. */
  async apply(settings: Settings, entries: Iterable<Entry>): Promise<void> {
    if (settings.dht && this.opts.dht) await this.startDht(this.opts.dht, entries);
    else await this.dht.stop(entries);
    if (settings.lsd && this.opts.lsd) await this.startLsd();
    else for (const l of this.lsd) void l.stop();
  }

  /** A torrent (or its metadata fetch) runs: look for its peers. Never for a private torrent (BEP 27; SessionDht.track checks too). */
  track(e: Entry): void {
    this.dht.track(e, this.opts.endpoint?.().port ?? this.opts.listenPort());
    if (!e.meta?.private) for (const l of this.lsd) l.track(e.id);
  }

  untrack(e: Entry): void {
    this.dht.untrack(e);
    for (const l of this.lsd) l.untrack(e.id);
  }

  /** The metadata arrived: the fetch's DHT lookup ends (the torrent that starts next looks again). */
  untrackDht(e: Entry): void {
    this.dht.untrack(e);
  }

  async close(entries: Iterable<Entry>): Promise<void> {
    await this.dht.stop(entries);
    await Promise.all(this.lsd.map((l) => l.close()));
  }

  /** Each family's LSD where the host has it (one that cannot start logs why and stays off). */
  private async startLsd(): Promise<void> {
    await Promise.all(this.lsd.map((l) => l.start()));
  }

  private startDht(dht: NonNullable<SessionOptions['dht']>, entries: Iterable<Entry>): Promise<void> {
    return this.dht.start({ ...dht, port: this.opts.listenPort(), host: this.opts.listenHost, clock: this.opts.clock, shared: this.opts.datagrams(), shared6: this.opts.datagrams6(), endpoint: this.opts.endpoint?.() }, entries);
  }
}
