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
 * Where running torrents find peers besides trackers: the Mainline DHT and local service discovery,
 * each on while its setting is (and the host allows it).
 */
export class PeerDiscovery {
  private readonly dht: SessionDht;
  private readonly lsd: LocalDiscovery;

  constructor(private readonly opts: PeerDiscoveryOptions) {
    this.dht = new SessionDht(join(opts.dataDir, 'dht.json'), opts.log);
    this.lsd = new LocalDiscovery({
      listenPort: opts.listenPort,
      bindHost: opts.lsd?.bindHost,
      clock: opts.clock,
      log: (line) => opts.log(`lsd: ${line}`),
      onPeer: (infoHash, host, port) => {
        const e = opts.find(infoHash);
        e?.torrent?.addPeers([{ host, port }], 'lsd');
        e?.fetch?.addPeers([{ host, port }]);
      },
    });
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
    if (this.opts.lsd && settings.lsd) await this.lsd.start();
    if (this.opts.dht && settings.dht) await this.startDht(this.opts.dht, entries);
  }

  /** The settings changed: each one on or off as they now say. */
  async apply(settings: Settings, entries: Iterable<Entry>): Promise<void> {
    if (settings.dht && this.opts.dht) await this.startDht(this.opts.dht, entries);
    else await this.dht.stop(entries);
    if (settings.lsd && this.opts.lsd) await this.lsd.start();
    else void this.lsd.stop();
  }

  /** A torrent (or its metadata fetch) runs: look for its peers. Never for a private torrent (BEP 27; SessionDht.track checks too). */
  track(e: Entry): void {
    this.dht.track(e, this.opts.endpoint?.().port ?? this.opts.listenPort());
    if (!e.meta?.private) this.lsd.track(e.id);
  }

  untrack(e: Entry): void {
    this.dht.untrack(e);
    this.lsd.untrack(e.id);
  }

  /** The metadata arrived: the fetch's DHT lookup ends (the torrent that starts next looks again). */
  untrackDht(e: Entry): void {
    this.dht.untrack(e);
  }

  async close(entries: Iterable<Entry>): Promise<void> {
    await this.dht.stop(entries);
    await this.lsd.close();
  }

  private startDht(dht: NonNullable<SessionOptions['dht']>, entries: Iterable<Entry>): Promise<void> {
    return this.dht.start({ ...dht, port: this.opts.listenPort(), host: this.opts.listenHost, clock: this.opts.clock, shared: this.opts.datagrams(), shared6: this.opts.datagrams6(), endpoint: this.opts.endpoint?.() }, entries);
  }
}
