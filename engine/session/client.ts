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
import { EncryptionRequiredError, PeerDialer, type DialPreferences } from '../net/dial.js';
import { Reachability, type PortMappingOptions } from './reachability.js';
import { ExternalEndpoint } from './external-endpoint.js';
import { PieceMemory } from '../storage/piece-memory.js';

export interface ClientOptions {
  readonly port?: number;
  /** Listen on just this address; absent: IPv4 and IPv6 (every address of both). */
  readonly host?: string;
  readonly clock?: Clock;
  readonly maxPeersPerTorrent?: number;
  /** Message Stream Encryption (default 'prefer'); setEncryption changes it for new connections. */
  readonly encryption?: EncryptionPolicy;
  /** Lines about connections not yet tied to a torrent (refused or failed incoming handshakes). */
  readonly log?: (line: string) => void;
  /** Map the listen port on the home router once listening (absent: no mapping; setPortMapping changes it). */
  readonly portMapping?: PortMappingOptions;
  /** The partial-piece budget of all torrents (null or absent: sized to the machine); see pieceBufferLimit. */
  readonly partialPieceMemory?: number | null;
  /** TCP and uTP on or off, and which one to dial first (default: both on, uTP first to peers known to take it). */
  readonly transports?: DialPreferences;
  /** BEP 55 hole punching in every torrent (relay, initiator, target); on unless false; setHolepunch changes it. */
  readonly holepunch?: boolean;
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
  /** Hybrid torrents by their truncated v2 info hash (hex): a v2 peer names them so (BEP 52). */
  private readonly byV2Hash = new Map<string, Torrent>();
  private encryption: EncryptionPolicy;
  private readonly ticker = new Ticker(1000);
  /** Global download/upload limits: every torrent's transfers pass these as well as its own. */
  readonly limits: TransferLimits;
  /** Port mapping and whether peers reach us. */
  readonly reachability: Reachability;
  /** The port we announce and our external address: port changes re-announce; the DHT follows the address (BEP 42). */
  readonly endpoint: ExternalEndpoint;
  private portMapping: PortMappingOptions | undefined;
  /** The budget for piece buffers every torrent shares. */
  readonly pieceMemory: PieceMemory;
  private transports: DialPreferences;
  private holepunch: boolean;
  private readonly dialer: PeerDialer;
  /** Connections the encryption policy cost us, for the doctor: incoming ones session-wide, outgoing ones per torrent (hex info hash). */
  readonly encryptionRefusals = { incomingPlaintext: 0, incomingEncrypted: 0, outgoing: new Map<string, number>() };

  constructor(private readonly opts: ClientOptions = {}) {
    this.peerId = makePeerId();
    this.clock = opts.clock ?? systemClock;
    this.limits = new TransferLimits(this.clock);
    this.encryption = opts.encryption ?? 'prefer';
    this.endpoint = new ExternalEndpoint({ clock: this.clock, log: (line) => this.opts.log?.(line), reannounce: () => this.reannounceAll() });
    this.reachability = new Reachability(this.clock, (line) => this.opts.log?.(line), this.endpoint);
    this.portMapping = opts.portMapping;
    this.pieceMemory = PieceMemory.forSessionBudget(opts.partialPieceMemory ?? null);
    this.transports = opts.transports ?? { tcp: true, utp: true, preferUtp: true };
    this.holepunch = opts.holepunch !== false;
    this.dialer = new PeerDialer({ utp: (host) => this.listener.utpFor(host), preferences: () => this.transports });
    this.listener = new PeerListener((transport) => {
      this.reachability.noteIncoming();
      acceptIncoming(transport, {
        encryption: () => this.encryption,
        findInfoHash: (req2) => this.byReq2.get(toHex(req2)) ?? null,
        route: (hs, stream) => {
          const torrent = this.torrents.get(toHex(hs.infoHash)) ?? this.byV2Hash.get(toHex(hs.infoHash));
          if (!torrent) stream.destroy();
          else torrent.acceptIncoming(stream, hs);
        },
        log: (line) => this.opts.log?.(line),
        refused: (kind) => {
          if (kind === 'plaintext') this.encryptionRefusals.incomingPlaintext++;
          else this.encryptionRefusals.incomingEncrypted++;
        },
      });
    }, { log: (line) => this.opts.log?.(line) });
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

  /** The IPv6 UDP port as the IPv6 DHT shares it; null before listen() or without IPv6. */
  get datagrams6(): SharedDatagrams | null {
    return this.listener.datagrams6;
  }

  /** Applies to connections made from now on; open ones keep what they negotiated. */
  setEncryption(policy: EncryptionPolicy): void {
    this.encryption = policy;
  }

  /** Hole punching on or off in every torrent, the running ones included (they tell their peers within a tick). */
  setHolepunch(enabled: boolean): void {
    this.holepunch = enabled;
  }

  private dial(host: string, port: number, infoHash: Uint8Array, log?: (line: string) => void): Promise<PeerStream> {
    return this.dialer.dial(host, port, infoHash, this.encryption, log).catch((err: unknown) => {
      if (err instanceof EncryptionRequiredError) {
        const key = toHex(infoHash);
        this.encryptionRefusals.outgoing.set(key, (this.encryptionRefusals.outgoing.get(key) ?? 0) + 1);
      }
      throw err;
    });
  }

  /** The encryption policy in effect for new connections. */
  get encryptionPolicy(): EncryptionPolicy {
    return this.encryption;
  }

  /** Bytes per second for all torrents together; null lifts a limit, undefined leaves it unchanged. */
  setGlobalLimits(limits: RateLimits): void {
    this.limits.set(limits);
  }

  get port(): number {
    return this.listener.port;
  }

  listen(): Promise<number> {
    return this.listenOn(this.opts.port ?? 0);
  }

  /** Listens on an explicit port (0: any free one), e.g. when the configured one is taken. */
  async listenOn(port: number): Promise<number> {
    const bound = await this.listener.listen(port, this.opts.host);
    this.reachability.listening(bound);
    if (this.portMapping) await this.reachability.start(bound, this.portMapping);
    return bound;
  }

  /** Turns port mapping on (with these options) or off (undefined: our mappings are removed). */
  async setPortMapping(opts: PortMappingOptions | undefined): Promise<void> {
    this.portMapping = opts;
    if (!opts) await this.reachability.stop();
    else if (this.listener.port > 0) await this.reachability.start(this.listener.port, opts);
  }

  /** The port trackers and peers are told: the router's external port while mapped, else the listen port. */
  get advertisedPort(): number {
    return this.reachability.advertisedPort(this.listener.port);
  }

  /** Every torrent announces to its trackers now, min interval or not (the port we announce changed). */
  private reannounceAll(): number {
    for (const t of this.torrents.values()) t.reannounce(true);
    return this.torrents.size;
  }

  add(meta: Metainfo, opts: AddOptions): Torrent {
    const key = toHex(meta.infoHash);
    if (this.torrents.has(key)) throw new Error(`torrent ${key} is already added`);
    const torrent = new Torrent({
      meta,
      downloadDir: opts.downloadDir,
      peerId: this.peerId,
      listenPort: () => this.advertisedPort,
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
      pieceMemory: this.pieceMemory,
      supportsUtp: (host, port) => this.dialer.hintUtp(host, port),
      onOwnIp: (ip, peerHost) => this.endpoint.peerSays(ip, peerHost),
      holepunch: () => this.holepunch,
    });
    this.torrents.set(key, torrent);
    this.byReq2.set(toHex(req2Hash(meta.infoHash)), meta.infoHash);
    const v2Id = meta.version === 'hybrid' ? meta.infoHashV2?.slice(0, 20) : undefined;
    if (v2Id) {
      this.byV2Hash.set(toHex(v2Id), torrent);
      this.byReq2.set(toHex(req2Hash(v2Id)), v2Id);
    }
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
      infoHashV2: magnet.infoHashV2,
      v2Only: magnet.version === 2,
      peerId: this.peerId,
      trackers: magnet.trackers,
      peers,
      listenPort: () => this.advertisedPort,
      clock: this.clock,
      dial: (host, port) => this.dial(host, port, magnet.infoHash, log),
      log,
      onOwnIp: (ip, peerHost) => this.endpoint.peerSays(ip, peerHost),
    });
  }

  /** Fetches a magnet link's metadata from its peers and trackers (BEP 9). */
  fetchMetadata(magnet: MagnetLink, peers: readonly PeerAddress[], log?: (line: string) => void): Promise<Metainfo> {
    return this.fetchMetadataCancellable(magnet, peers, log).result;
  }

  async remove(torrent: Torrent): Promise<void> {
    this.torrents.delete(torrent.infoHashHex);
    this.encryptionRefusals.outgoing.delete(torrent.infoHashHex);
    this.byReq2.delete(toHex(req2Hash(torrent.meta.infoHash)));
    const v2Id = torrent.meta.version === 'hybrid' ? torrent.meta.infoHashV2?.slice(0, 20) : undefined;
    if (v2Id) {
      this.byV2Hash.delete(toHex(v2Id));
      this.byReq2.delete(toHex(req2Hash(v2Id)));
    }
    await torrent.stop();
  }

  async close(): Promise<void> {
    await Promise.all([...this.torrents.values()].map((t) => t.stop()));
    this.torrents.clear();
    this.byReq2.clear();
    this.byV2Hash.clear();
    await this.reachability.stop();
    this.endpoint.close();
    await this.listener.close();
  }
}

