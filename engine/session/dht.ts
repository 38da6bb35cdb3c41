import type { Clock } from '../common/clock.js';
import { splitState, startDualStackDht, type DualStackDht } from '../dht/dual-stack.js';
import type { DatagramTransport } from '../dht/rpc.js';
import { readFileIfExists, writeFileAtomic } from '../storage/resume/atomic-file.js';
import type { Entry } from './entry.js';
import { swarmHashes } from '../metainfo/swarm-hashes.js';
import { toHex } from '../common/hex.js';
import type { AddressSource, ExternalEndpoint } from './external-endpoint.js';

export interface SessionDhtStart {
  readonly bootstrap: readonly { host: string; port: number }[];
  readonly maxNodesPerIp?: number;
  /** The peer port's number, used for UDP too. */
  readonly port: number;
  readonly host?: string;
  readonly clock: Clock;
  /** The listen port's UDP socket, shared with uTP (the DHT takes the datagrams that are not uTP); absent: bind one. */
  readonly shared?: DatagramTransport | null;
  /** The listen port's IPv6 UDP socket, shared with uTP; absent: the IPv6 DHT binds its own (same port number). */
  readonly shared6?: DatagramTransport | null;
  /** Run the IPv6 DHT (BEP 32) beside the IPv4 one. Default true. */
  readonly ipv6?: boolean;
  /** Our external address (router, peers): the node id is made to fit it (BEP 42). */
  readonly endpoint?: ExternalEndpoint;
}

/**
 * The session's Mainline DHT nodes, IPv4 and IPv6 (dht/dual-stack.ts): started from the routing tables saved last time,
 * saved again on stop, and asked to find (and announce) peers for every running
 * torrent that is not private.
 */
export class SessionDht {
  private node: DualStackDht | null = null;
  private readonly unfollow: (() => void)[] = [];
  /** Entries with a DHT handle, to announce again under a new port. */
  private readonly tracked = new Set<Entry>();

  constructor(private readonly statePath: string, private readonly log: (line: string) => void) {}

  /** Nodes in both routing tables. */
  get nodeCount(): number {
    return this.node?.nodeCount ?? 0;
  }

  /** Nodes in the IPv6 routing table. */
  get nodeCount6(): number {
    return this.node?.nodeCount6 ?? 0;
  }

  async start(opts: SessionDhtStart, entries: Iterable<Entry>): Promise<void> {
    if (this.node) return;
    let state: unknown;
    try {
      const bytes = await readFileIfExists(this.statePath);
      state = bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) : undefined;
    } catch (err) {
      this.log(`dht: saved routing table unreadable (${(err as Error).message}); bootstrapping afresh`);
    }
    try {
      const { dht, port, port6, notes } = await startDualStackDht({
        port: opts.port,
        host: opts.host,
        shared: opts.shared ?? undefined,
        shared6: opts.shared6 ?? undefined,
        ipv6: opts.ipv6,
        state,
        bootstrap: opts.bootstrap,
        maxNodesPerIp: opts.maxNodesPerIp,
        clock: opts.clock,
      });
      this.node = dht;
      if (port !== null) this.log(`dht: listening on UDP port ${port}${state ? ' with the saved routing table' : ''}`);
      if (port6 !== null) this.log(`dht: IPv6 listening on UDP port ${port6}${splitState(state).v6 !== undefined ? ' with the saved routing table' : ''}`);
      for (const note of notes) this.log(`dht: ${note}`);
      for (const e of entries) this.track(e, opts.endpoint?.port ?? opts.port);
      if (opts.endpoint) this.follow(dht, opts.endpoint);
    } catch (err) {
      this.log(`dht: could not start (${(err as Error).message}); continuing with trackers only`);
    }
  }

  async stop(entries: Iterable<Entry>): Promise<void> {
    const node = this.node;
    if (!node) return;
    this.node = null;
    for (const off of this.unfollow.splice(0)) off();
    for (const e of entries) this.untrack(e);
    await writeFileAtomic(this.statePath, JSON.stringify(node.save())).catch((err: Error) => this.log(`dht: could not save the routing table: ${err.message}`));
    await node.close();
  }

  /** Like libtorrent: when our external address becomes known and our id does not fit it, take one that does (BEP 42). */
  private follow(dht: DualStackDht, endpoint: ExternalEndpoint): void {
    const learnt = (ip: string, source: AddressSource): void => {
      const node = dht.setExternalIp(ip);
      if (node) this.log(`dht: new node id ${toHex(node.id).slice(0, 8)}… to fit our external address ${ip} (from ${source}; BEP 42)`);
    };
    if (endpoint.address && endpoint.addressSource) learnt(endpoint.address, endpoint.addressSource);
    this.unfollow.push(endpoint.onAddress(learnt));
    // announce_peer carries the port peers should dial: the router's external one, like the trackers get.
    this.unfollow.push(
      endpoint.onPortChange((port) => {
        for (const e of [...this.tracked]) {
          this.untrack(e);
          this.track(e, port);
        }
      }),
    );
  }

  /** Looks for (and announces) a running torrent's peers; never for private torrents (BEP 27). */
  track(e: Entry, listenPort: number): void {
    const node = this.node;
    if (!node || e.dhtHandle || (!e.torrent && !e.fetch) || e.meta?.private) return;
    const onPeers = (peers: readonly { host: string; port: number }[]): void => {
      e.dhtPeersFound = (e.dhtPeersFound ?? 0) + peers.length;
      e.torrent?.addPeers(peers, 'dht');
      e.fetch?.addPeers(peers);
    };
    // A hybrid is looked up and announced in both its swarms, v1 and v2 (BEP 52), once its metainfo is
    // known (only then does the client route handshakes naming its v2 hash); anything else under its id.
    const hashes = e.meta ? swarmHashes(e.meta) : [Buffer.from(e.id, 'hex')];
    const handles = hashes.map((h) => node.track(h, { port: listenPort, onPeers }));
    e.dhtHandle = handles.length === 1 ? handles[0] : { stop: () => handles.forEach((h) => h.stop()), refresh: () => handles.forEach((h) => h.refresh()) };
    this.tracked.add(e);
  }

  untrack(e: Entry): void {
    this.tracked.delete(e);
    e.dhtHandle?.stop();
    e.dhtHandle = null;
  }
}
