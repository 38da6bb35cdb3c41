import { systemClock, type Clock } from '../common/clock.js';
import { toHex } from '../common/hex.js';
import type { Metainfo } from '../metainfo/index.js';
import { PeerListener, type SharedDatagrams } from '../net/listener.js';
import { TransferLimits, type RateLimits } from '../net/bandwidth.js';
import { Torrent, type TorrentEvents } from '../torrent/torrent.js';
import { Ticker } from '../common/ticker.js';
import type { PeerAddress } from '../peer/address-book.js';
import { MetadataFetch } from '../torrent/metadata-fetch.js';
import { parseInfoDict, type MagnetLink } from '../metainfo/index.js';
import { makePeerId, req2Hash } from '../wire/index.js';
import type { EncryptionPolicy } from '../api/types.js';
import type { PeerStream } from '../net/transport.js';
import { acceptIncoming } from '../net/incoming.js';
import { PeerDialer, type DialPreferences } from '../net/dial.js';

export interface ClientOptions {
  readonly port?: number;
  readonly host?: string;
  readonly clock?: Clock;
  readonly maxPeersPerTorrent?: number;
  /** Message Stream Encryption (default 'prefer'); setEncryption changes it for new connections. */
  readonly encryption?: EncryptionPolicy;
  /** Lines about connections not yet tied to a torrent (refused or failed incoming handshakes). */
  readonly log?: (line: string) => void;
  /** TCP and uTP on or off, and which one to dial first (default: both on, uTP first to peers known to take it). */
  readonly transports?: DialPreferences;
}

export interface AddOptions {
  readonly downloadDir: string;
  readonly events?: TorrentEvents;
  readonly peers?: readonly PeerAddress[];
  readonly useTrackers?: boolean;
  readonly uploadSlots?: number;
}

/**
 * The process-wide part of the engine: our peer id, the listening socket, and
 * the torrents it routes incoming connections to.
 */
export class Client {
  readonly peerId: Uint8Array;
  readonly clock: Clock;
  private readonly listener: PeerListener;
  private readonly torrents = new Map<string, Torrent>();
  /** Info hashes by hex HASH('req2' | info hash): how an encrypted handshake names its torrent. */
  private readonly byReq2 = new Map<string, Uint8Array>();
  private encryption: EncryptionPolicy;
  private readonly ticker = new Ticker(1000);
  /** Global download/upload limits: every torrent's transfers pass these as well as its own. */
  readonly limits: TransferLimits;
  private transports: DialPreferences;
  private readonly dialer: PeerDialer;

  constructor(private readonly opts: ClientOptions = {}) {
    this.peerId = makePeerId();
    this.clock = opts.clock ?? systemClock;
    this.limits = new TransferLimits(this.clock);
    this.encryption = opts.encryption ?? 'prefer';
    this.transports = opts.transports ?? { tcp: true, utp: true, preferUtp: true };
    this.dialer = new PeerDialer({ utp: () => this.listener.utp, preferences: () => this.transports });
    this.listener = new PeerListener((transport) => {
      acceptIncoming(transport, {
        encryption: () => this.encryption,
        findInfoHash: (req2) => this.byReq2.get(toHex(req2)) ?? null,
        route: (hs, stream) => {
          const torrent = this.torrents.get(toHex(hs.infoHash));
          if (!torrent) stream.destroy();
          else torrent.acceptIncoming(stream, hs);
        },
        log: (line) => this.opts.log?.(line),
      });
    });
    this.listener.setTransports(this.transports);
  }

  /** TCP / uTP on or off and the dialling order; open connections stay. */
  setTransports(transports: DialPreferences): void {
    this.transports = { ...transports };
    this.listener.setTransports(this.transports);
  }

  /** The listen port's UDP socket as the DHT shares it (datagrams that are not uTP); null before listen(). */
  get datagrams(): SharedDatagrams | null {
    return this.listener.datagrams;
  }

  /** Applies to connections made from now on; open ones keep what they negotiated. */
  setEncryption(policy: EncryptionPolicy): void {
    this.encryption = policy;
  }

  private dial(host: string, port: number, infoHash: Uint8Array, log?: (line: string) => void): Promise<PeerStream> {
    return this.dialer.dial(host, port, infoHash, this.encryption, log);
  }

  /** Bytes per second for all torrents together; null lifts a limit, undefined leaves it unchanged. */
  setGlobalLimits(limits: RateLimits): void {
    this.limits.set(limits);
  }

  get port(): number {
    return this.listener.port;
  }

  listen(): Promise<number> {
    return this.listener.listen(this.opts.port ?? 0, this.opts.host ?? '0.0.0.0');
  }

  /** Listens on an explicit port (0: any free one), e.g. when the configured one is taken. */
  listenOn(port: number): Promise<number> {
    return this.listener.listen(port, this.opts.host ?? '0.0.0.0');
  }

  add(meta: Metainfo, opts: AddOptions): Torrent {
    const key = toHex(meta.infoHash);
    if (this.torrents.has(key)) throw new Error(`torrent ${key} is already added`);
    const torrent = new Torrent({
      meta,
      downloadDir: opts.downloadDir,
      peerId: this.peerId,
      listenPort: () => this.listener.port,
      prefersEncryption: () => this.encryption !== 'disable',
      clock: this.clock,
      dial: (host, port) => this.dial(host, port, meta.infoHash, opts.events?.onLog),
      events: opts.events,
      peers: opts.peers,
      useTrackers: opts.useTrackers,
      maxPeers: this.opts.maxPeersPerTorrent,
      uploadSlots: opts.uploadSlots,
      ticker: this.ticker,
      parentLimits: [this.limits],
      supportsUtp: (host, port) => this.dialer.hintUtp(host, port),
    });
    this.torrents.set(key, torrent);
    this.byReq2.set(toHex(req2Hash(meta.infoHash)), meta.infoHash);
    return torrent;
  }

  /** Fetches a magnet link's metadata from its peers and trackers (BEP 9). */
  /** Like fetchMetadata, but hands back the fetch so the caller can stop it (pause, remove). */
  fetchMetadataCancellable(magnet: MagnetLink, peers: readonly PeerAddress[], log?: (line: string) => void): { fetch: MetadataFetch; result: Promise<Metainfo> } {
    const fetch = this.metadataFetch(magnet, peers, log);
    const result = fetch.run().then(
      (info) => ({ ...parseInfoDict(info), announce: magnet.trackers.map((t) => [t]), urlList: [...magnet.webSeeds] }),
    );
    void result.finally(() => fetch.stop()).catch(() => undefined);
    return { fetch, result };
  }

  private metadataFetch(magnet: MagnetLink, peers: readonly PeerAddress[], log?: (line: string) => void): MetadataFetch {
    return new MetadataFetch({
      infoHash: magnet.infoHash,
      peerId: this.peerId,
      trackers: magnet.trackers,
      peers,
      listenPort: () => this.listener.port,
      clock: this.clock,
      dial: (host, port) => this.dial(host, port, magnet.infoHash, log),
      log,
    });
  }

  /** Fetches a magnet link's metadata from its peers and trackers (BEP 9). */
  fetchMetadata(magnet: MagnetLink, peers: readonly PeerAddress[], log?: (line: string) => void): Promise<Metainfo> {
    return this.fetchMetadataCancellable(magnet, peers, log).result;
  }

  async remove(torrent: Torrent): Promise<void> {
    this.torrents.delete(torrent.infoHashHex);
    this.byReq2.delete(toHex(req2Hash(torrent.meta.infoHash)));
    await torrent.stop();
  }

  async close(): Promise<void> {
    await Promise.all([...this.torrents.values()].map((t) => t.stop()));
    this.torrents.clear();
    this.byReq2.clear();
    await this.listener.close();
  }
}

