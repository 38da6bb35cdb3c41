// DhtNode: one BEP 5 DHT node. Ties the routing table, the KRPC transaction layer, iterative lookups, write tokens
// and the announced-peer store together. I/O comes in through an injected datagram transport (net/udp.ts's UdpSocket,
// or an in-memory one in tests); time through an injected Clock and timers.
//
// Answers ping / find_node / get_peers / announce_peer (tokens checked; query-responder.ts). Bootstraps with a
// find_node lookup for its own id, seeded from the saved table (node-state.ts) and the bootstrap routers
// (bootstrap.ts). Finds peers (`getPeers`, `lookupPeers`), announces (`announce`), and keeps torrents announced
// (`track`: announce now and every `announceIntervalMs`; tracked-torrents.ts). Refreshes stale buckets. Node id per
// BEP 42 when the external IP is known (given, or agreed on by the `ip` field of responses; ip-votes.ts).
//
// One node serves one address family (`family`, its socket's): BEP 32's IPv4 and IPv6 DHTs are two networks with
// their own routing tables and ids. An IPv6 node reads `nodes6` in replies, asks with `want: n6`, bootstraps from
// IPv6 addresses and stores IPv6 peers. Two nodes of one host are paired (`pairWith`) so each can answer a `want`
// for the other family from the other's table (dual-stack.ts runs the pair).
import { isIP } from '../net/address.js';
import { type Clock, systemClock } from '../common/clock.js';
import { realScheduler } from '../net/bandwidth.js';
import { UdpSocket } from '../net/udp.js';
import { defaultResolve, literalBootstrap, resolveBootstrap, type Resolve } from './bootstrap.js';
import { ExternalIpVotes } from './ip-votes.js';
import type { CompactNode, KrpcQuery, KrpcResponse, WantFamily } from './krpc.js';
import { Lookup, type Contact, type LookupKind, type PeerAddress } from './lookup.js';
import { defaultRandomBytes, idsEqual, isBep42Exempt, isValidNodeIdFor, type RandomBytes } from './node-id.js';
import { initialTable, rehomedTable, type TableSettings } from './node-state.js';
import { DEFAULT_BOOTSTRAP, type AnnounceResult, type DhtNodeOptions, type DhtStats, type LookupResult, type TrackHandle, type TrackOptions } from './node-types.js';
import { iteratePeers } from './peer-iterator.js';
import { PeerStore } from './peer-store.js';
import { QueryResponder } from './query-responder.js';
import type { RoutingNode, RoutingTable, RoutingTableJson } from './routing-table.js';
import { KrpcRpc, RpcError, type Address, type DatagramTransport, type OutgoingQuery, type QueryAnswer, type RpcTimers } from './rpc.js';
import { TokenManager } from './tokens.js';
import { TrackedTorrents } from './tracked-torrents.js';

export type { PeerAddress } from './lookup.js';
export type { RoutingTableJson } from './routing-table.js';
export { DEFAULT_BOOTSTRAP, type AnnounceResult, type DhtNodeOptions, type DhtStats, type LookupResult, type TrackHandle, type TrackOptions } from './node-types.js';

function toContact(n: RoutingNode | CompactNode): Contact {
  return { id: n.id, host: n.host, port: n.port };
}

export class DhtNode {
  /** The address family this node serves: its socket's (BEP 32). */
  readonly family: 4 | 6;
  private id_: Uint8Array;
  private table: RoutingTable;
  private readonly tableSettings: TableSettings;
  private readonly rpc: KrpcRpc;
  private readonly store = new PeerStore();
  private readonly responder: QueryResponder;
  private readonly clock: Clock;
  private readonly timers: RpcTimers;
  private readonly bootstrapAddrs: readonly Address[];
  private readonly resolve: Resolve;
  private readonly alpha: number;
  private readonly k: number;
  private readonly maintenanceIntervalMs: number;
  private readonly tracked: TrackedTorrents;
  private readonly lookups = new Set<Lookup>();
  private readonly ipVotes = new ExternalIpVotes();
  private externalIp_: string | null;
  private maintenanceTimer: unknown = null;
  private bootstrapping: Promise<void> | null = null;
  private closed = false;
  /** Called when the socket is owned by the node (startDht). */
  private onClose: (() => Promise<void>) | null = null;
  /** The node of the other family on this host, for answering `want` (BEP 32); null when there is none. */
  private sibling: DhtNode | null = null;
  /** `want` in our find_node / get_peers: an IPv6 node says so explicitly; an IPv4 node sends none (the default). */
  private readonly want: WantFamily[] | undefined;
  private readonly nodeSource = (family: 4 | 6, target: Uint8Array, k: number): CompactNode[] | null =>
    family === this.family ? this.closestNodes(target, k) : (this.sibling?.closestNodes(target, k) ?? null);

  constructor(opts: DhtNodeOptions) {
    this.family = opts.family ?? 4;
    this.want = this.family === 6 ? ['n6'] : undefined;
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? realScheduler;
    const random: RandomBytes = opts.random ?? defaultRandomBytes;
    this.bootstrapAddrs = opts.bootstrap ?? DEFAULT_BOOTSTRAP;
    this.resolve = opts.resolve ?? defaultResolve;
    this.alpha = opts.alpha ?? 3;
    this.k = opts.k ?? 8;
    this.maintenanceIntervalMs = opts.maintenanceIntervalMs ?? 60_000;
    this.externalIp_ = opts.externalIp && isIP(opts.externalIp) === this.family ? opts.externalIp : null;
    this.tableSettings = { k: this.k, maxNodesPerIp: opts.maxNodesPerIp ?? 1, random };
    this.table = initialTable(opts.state, opts.id, this.externalIp_, this.clock.now(), this.tableSettings);
    this.id_ = this.table.id;
    this.responder = new QueryResponder(new TokenManager(this.clock, { random }), this.store, this.k, this.family);
    this.tracked = new TrackedTorrents(this.timers, opts.announceIntervalMs ?? 15 * 60_000, (infoHash, t) =>
      t.port === null ? this.lookupPeers(infoHash, t.onPeers) : this.announce(infoHash, t.port, { impliedPort: t.impliedPort, onPeers: t.onPeers }),
    );
    this.rpc = new KrpcRpc({ ...opts.rpc, transport: opts.transport, clock: this.clock, timers: this.timers, random });
    this.rpc.onQuery((q, from) => this.answer(q, from));
  }

  /** Our node id (20 bytes). May change once, when the external IP becomes known (BEP 42). */
  get id(): Uint8Array {
    return this.id_;
  }

  /** Nodes in the routing table: the number to show in the UI. */
  get nodeCount(): number {
    return this.table.size;
  }

  /** Our external address (of our family) as given or as responders agree (BEP 42 `ip`), or null. */
  get externalIp(): string | null {
    return this.externalIp_;
  }

  stats(): DhtStats {
    return {
      nodes: this.table.size,
      replacements: this.table.replacementCount,
      buckets: this.table.bucketCount,
      storedPeers: this.store.peerCount,
      storedHashes: this.store.size,
      lookupsRunning: this.lookups.size,
      tracked: this.tracked.size,
      rpc: { ...this.rpc.stats },
    };
  }

  /**
   * Joins the DHT: a find_node lookup for our own id, seeded from the loaded table and the bootstrap nodes.
   * Resolves when that lookup ends (never rejects; check `nodeCount`). Also starts the maintenance timer.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.maintenanceTimer === null) this.scheduleMaintenance();
    return this.bootstrap();
  }

  /** The node of the other address family on this host: `want` for its family is answered from its table. */
  pairWith(other: DhtNode | null): void {
    if (other === this || (other !== null && other.family === this.family)) throw new RangeError('a DHT node pairs only with a node of the other address family');
    this.sibling = other;
  }

  /** Up to `k` nodes of our table closest to `target`, as compact node info (our family only). */
  closestNodes(target: Uint8Array, k: number): CompactNode[] {
    const out: CompactNode[] = [];
    for (const n of this.table.closest(target, k)) if (isIP(n.host) === this.family) out.push({ id: n.id, host: n.host, port: n.port });
    return out;
  }

  /** The routing table, for saving between runs (load it with `state`). */
  save(): RoutingTableJson {
    return this.table.toJSON();
  }

  /**
   * get_peers lookup for `infoHash`. Calls `onPeers` with each batch of new peers as they arrive; resolves when the
   * lookup ends.
   */
  async lookupPeers(infoHash: Uint8Array, onPeers?: (peers: readonly PeerAddress[]) => void): Promise<LookupResult> {
    checkHash(infoHash);
    await this.ready();
    const l = await this.runLookup('get_peers', infoHash, onPeers);
    return { peers: l.peers(), closest: l.closest().length, queries: l.queries };
  }

  /** Peers for `infoHash` as they are found; the iteration ends with the lookup. Breaking out aborts the lookup. */
  getPeers(infoHash: Uint8Array): AsyncIterable<PeerAddress> {
    checkHash(infoHash);
    return iteratePeers(async (onPeers, onStart, cancelled) => {
      await this.ready();
      if (cancelled()) return;
      await this.runLookup('get_peers', infoHash, onPeers, onStart);
    });
  }

  /**
   * get_peers lookup, then announce_peer to the closest nodes that gave a token. `port` is our TCP listen port
   * (ignored by receivers when `impliedPort`).
   */
  async announce(infoHash: Uint8Array, port: number, opts: { impliedPort?: boolean; onPeers?: (peers: readonly PeerAddress[]) => void } = {}): Promise<AnnounceResult> {
    checkHash(infoHash);
    if (!(Number.isInteger(port) && port >= (opts.impliedPort ? 0 : 1) && port <= 65535)) throw new RangeError(`announce port ${port} out of range`);
    await this.ready();
    const l = await this.runLookup('get_peers', infoHash, opts.onPeers);
    const holders = l.tokenHolders(this.k);
    const acks = await Promise.all(
      holders.map((h) =>
        this.send(h.contact, { q: 'announce_peer', id: this.id_, infoHash, port, token: h.token, impliedPort: opts.impliedPort ?? false }).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    return { peers: l.peers(), closest: l.closest().length, queries: l.queries, announcedTo: acks.reduce<number>((a, b) => a + b, 0) };
  }

  /**
   * Keeps a torrent on the DHT: a lookup (and announce, when `port` is set) now, then every `announceIntervalMs`.
   * New peers go to `onPeers`. Stop it when the torrent stops.
   */
  track(infoHash: Uint8Array, opts: TrackOptions): TrackHandle {
    checkHash(infoHash);
    return this.tracked.track(infoHash, opts);
  }

  /** Stops everything: timers, lookups, outstanding queries; closes the socket if `startDht` opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenanceTimer !== null) this.timers.clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = null;
    this.tracked.close();
    for (const l of this.lookups) l.abort();
    this.rpc.close();
    if (this.onClose) await this.onClose();
  }


  /** @internal startDht hands the socket over. */
  ownSocket(close: () => Promise<void>): void {
    this.onClose = close;
  }

  // ---------------------------------------------------------------------------------------------
  // bootstrap, maintenance

  /** Waits for a running bootstrap; starts one when the table is empty. */
  private async ready(): Promise<void> {
    if (this.bootstrapping) await this.bootstrapping;
    else if (this.table.size === 0 && !this.closed) await this.bootstrap();
  }

  private bootstrap(): Promise<void> {
    if (this.bootstrapping) return this.bootstrapping;
    this.bootstrapping = (async () => {
      const seeds: Contact[] = this.table.closest(this.id_, this.k * 2).map(toContact);
      seeds.push(...(await resolveBootstrap(this.bootstrapAddrs, this.resolve, this.family)));
      if (this.closed) return;
      this.table.touch(this.id_, this.clock.now());
      await this.runLookup('find_node', this.id_, undefined, undefined, seeds);
    })().finally(() => {
      this.bootstrapping = null;
    });
    return this.bootstrapping;
  }

  private scheduleMaintenance(): void {
    if (this.closed) return;
    this.maintenanceTimer = this.timers.setTimeout(() => {
      this.maintenanceTimer = null;
      this.maintain();
      this.scheduleMaintenance();
    }, this.maintenanceIntervalMs);
  }

  private maintain(): void {
    if (this.closed) return;
    const now = this.clock.now();
    this.store.prune(now);
    if (this.table.size === 0) {
      void this.bootstrap();
      return;
    }
    // One stale bucket at a time keeps the background traffic low.
    const stale = this.table.bucketsNeedingRefresh(now);
    if (stale.length > 0) {
      const target = stale[0];
      this.table.touch(target, now);
      void this.runLookup('find_node', target);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // lookups

  /** Drives one Lookup over the RPC layer; resolves with it when done. */
  private runLookup(kind: LookupKind, target: Uint8Array, onPeers?: (peers: readonly PeerAddress[]) => void, onStart?: (l: Lookup) => void, seeds?: Contact[]): Promise<Lookup> {
    const initial = seeds ?? this.table.closest(target, this.k * 2).map(toContact);
    if (!seeds && initial.length < this.k) {
      // A thin table: add the bootstrap addresses that are plain IPs (no DNS on this path).
      initial.push(...literalBootstrap(this.bootstrapAddrs, this.family));
    }
    const lookup = new Lookup({ kind, target, alpha: this.alpha, k: this.k, selfId: this.id_ }, initial);
    this.lookups.add(lookup);
    onStart?.(lookup);
    if (this.closed) lookup.abort();
    return new Promise<Lookup>((resolve) => {
      let settled = false;
      const pump = (): void => {
        if (this.closed) lookup.abort();
        if (!settled && lookup.done) {
          settled = true;
          this.lookups.delete(lookup);
          resolve(lookup);
          return;
        }
        for (const c of lookup.next()) {
          const q: OutgoingQuery = kind === 'find_node' ? { q: 'find_node', id: this.id_, target, want: this.want } : { q: 'get_peers', id: this.id_, infoHash: target, want: this.want };
          this.send(c, q, () => {
            lookup.onSlow(c);
            pump();
          }).then(
            (r) => {
              const fresh = lookup.onResponse(c, { id: r.id, nodes: this.contactsIn(r), values: r.values ?? [], token: r.token });
              if (fresh.length > 0 && onPeers && !settled) onPeers(fresh);
              pump();
            },
            () => {
              lookup.onFailure(c);
              pump();
            },
          );
        }
        if (!settled && lookup.done) pump();
      };
      pump();
    });
  }

  /** Sends a query and keeps the routing table up to date with the outcome. */
  private async send(to: Contact, q: OutgoingQuery, onRetry?: () => void): Promise<KrpcResponse> {
    try {
      const reply = await this.rpc.query(to, q, { onRetry });
      const r = reply.response;
      if (!this.closed) {
        if (!idsEqual(r.id, this.id_)) this.table.insert({ id: r.id, host: reply.from.host, port: reply.from.port }, this.clock.now(), 'responded');
        if (r.ip) this.voteExternalIp(r.ip.host, reply.from);
      }
      return r;
    } catch (err) {
      if (!this.closed && to.id !== null && err instanceof RpcError && (err.reason === 'timeout' || err.reason === 'malformed')) {
        this.table.markFailed(to.id);
      }
      throw err;
    }
  }

  /** The nodes of our family in a reply: `nodes` for IPv4, `nodes6` for IPv6 (BEP 32). */
  private contactsIn(r: KrpcResponse): Contact[] {
    const list = this.family === 4 ? r.nodes : r.nodes6;
    const out: Contact[] = [];
    if (list) for (const n of list) if (isIP(n.host) === this.family) out.push(toContact(n));
    return out;
  }

  private ping(n: RoutingNode): void {
    void this.send(toContact(n), { q: 'ping', id: this.id_ }).catch(() => undefined);
  }


  // ---------------------------------------------------------------------------------------------
  // BEP 42

  private voteExternalIp(ip: string, voter: Address): void {
    if (isIP(ip) !== this.family) return;
    if (this.ipVotes.vote(voter.host, ip)) this.setExternalIp(ip);
  }

  /**
   * Our external address of this node's family as learnt here (responders' votes) or elsewhere (the router's port
   * mapping, peers' `yourip`). When our id does not fit it (BEP 42), takes a fitting one, as libtorrent does. True
   * when the id changed.
   */
  setExternalIp(ip: string): boolean {
    if (isIP(ip) !== this.family || this.externalIp_ === ip) return false;
    this.externalIp_ = ip;
    if (isBep42Exempt(ip) || isValidNodeIdFor(this.id_, ip)) return false;
    this.table = rehomedTable(this.table, ip, this.clock.now(), this.tableSettings);
    this.id_ = this.table.id;
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // incoming queries

  private answer(q: KrpcQuery, from: Address): QueryAnswer | null {
    if (this.closed) return null;
    const now = this.clock.now();
    // Every node that queries us is a candidate for the routing table (read-only nodes ask not to be).
    if (q.id && !q.readOnly && !idsEqual(q.id, this.id_)) {
      const res = this.table.insert({ id: q.id, host: from.host, port: from.port }, now, 'queried');
      if (res.kind === 'cached' && res.ping) this.ping(res.ping);
    }
    return this.responder.answer(q, from, this.id_, this.nodeSource, now);
  }
}

function checkHash(infoHash: Uint8Array): void {
  if (!(infoHash instanceof Uint8Array) || infoHash.length !== 20) throw new RangeError(`info hash must be 20 bytes, got ${infoHash?.length}`);
}

export interface StartDhtOptions extends Omit<DhtNodeOptions, 'transport'> {
  /** UDP port; 0 picks one (read it back from `node.port`). Usually the same number as the TCP listen port. */
  readonly port: number;
  /** Bind address, of `family`. Default '0.0.0.0' (IPv4) or '::' (IPv6). */
  readonly host?: string;
}

/**
 * Creates a DhtNode and starts bootstrapping (not awaited). With `shared` (the session's listen port, which uTP
 * uses too) the node sends and receives there and `close()` leaves it open; otherwise it binds a UDP socket of
 * its own and `close()` closes it.
 */
export async function startDht(opts: StartDhtOptions & { readonly shared?: DatagramTransport }): Promise<{ node: DhtNode; port: number }> {
  if (opts.shared) {
    const node = new DhtNode({ ...opts, transport: opts.shared });
    void node.start();
    return { node, port: opts.port };
  }
  const socket = await UdpSocket.bind({ port: opts.port, host: opts.host, family: opts.family ?? 4 });
  socket.unref();
  const node = new DhtNode({ ...opts, transport: socket });
  node.ownSocket(() => socket.close());
  void node.start();
  return { node, port: socket.port };
}

