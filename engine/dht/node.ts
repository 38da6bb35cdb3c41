// DhtNode: one BEP 5 DHT node. Ties the routing table, the KRPC transaction layer, iterative lookups, write tokens
// and the announced-peer store together. I/O comes in through an injected datagram transport (net/udp.ts's UdpSocket,
// or an in-memory one in tests); time through an injected Clock and timers.
//
// Answers ping / find_node / get_peers / announce_peer (tokens checked). Bootstraps with a find_node lookup for its own
// id, seeded from the saved table and the bootstrap routers. Finds peers (`getPeers`, `lookupPeers`), announces
// (`announce`), and keeps torrents announced (`track`: announce now and every `announceIntervalMs`). Refreshes stale
// buckets. Node id per BEP 42 when the external IP is known (given, or agreed on by the `ip` field of responses).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { type Clock, systemClock } from '../common/clock.js';
import { realScheduler } from '../net/bandwidth.js';
import { UdpSocket } from '../net/udp.js';
import type { CompactNode, KrpcQuery, KrpcResponse } from './krpc.js';
import { KrpcErrorCode } from './krpc.js';
import { Lookup, type Contact, type LookupKind, type PeerAddress } from './lookup.js';
import { defaultRandomBytes, idsEqual, isBep42Exempt, isValidNodeIdFor, nodeIdFor, randomNodeId, type RandomBytes } from './node-id.js';
import { PeerStore } from './peer-store.js';
import { RoutingTable, type RoutingNode, type RoutingTableJson } from './routing-table.js';
import { KrpcRpc, RpcError, type Address, type DatagramTransport, type OutgoingQuery, type QueryAnswer, type RpcOptions, type RpcTimers } from './rpc.js';
import { TokenManager } from './tokens.js';

export type { PeerAddress } from './lookup.js';
export type { RoutingTableJson } from './routing-table.js';

/** The usual public bootstrap routers (host names, resolved at bootstrap). */
export const DEFAULT_BOOTSTRAP: readonly Address[] = [
  { host: 'router.bittorrent.com', port: 6881 },
  { host: 'router.utorrent.com', port: 6881 },
  { host: 'dht.transmissionbt.com', port: 6881 },
  { host: 'dht.libtorrent.org', port: 25401 },
];

export interface DhtNodeOptions {
  readonly transport: DatagramTransport;
  readonly clock?: Clock;
  readonly timers?: RpcTimers;
  /** Bootstrap nodes (host names or IPv4 addresses). Default DEFAULT_BOOTSTRAP; tests pass loopback ones or []. */
  readonly bootstrap?: readonly Address[];
  /** A saved routing table (`save()` output) to start from. Ignored if malformed. */
  readonly state?: unknown;
  /** Our id. Default: BEP 42 from `externalIp` when given, else the saved one, else random. */
  readonly id?: Uint8Array;
  /** Our external IPv4 address, when known (for a BEP 42 id). */
  readonly externalIp?: string;
  /** Lookup parallelism, 3..8 is sensible. Default 3. */
  readonly alpha?: number;
  /** Bucket size and lookup width. Default 8. */
  readonly k?: number;
  /** Routing-table entries per IP. Default 1; loopback tests need more (every node is 127.0.0.1). */
  readonly maxNodesPerIp?: number;
  /** How often tracked torrents are re-announced. Default 15 min. */
  readonly announceIntervalMs?: number;
  /** How often buckets are checked for refresh, peers pruned, and an empty table re-bootstrapped. Default 60 s. */
  readonly maintenanceIntervalMs?: number;
  /** Passed to the RPC layer (timeout, retries, rate limits, caps). */
  readonly rpc?: Omit<RpcOptions, 'transport' | 'clock' | 'timers' | 'random'>;
  readonly random?: RandomBytes;
  /** Host name resolution for bootstrap routers. Default node:dns (IPv4). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

export interface LookupResult {
  /** Distinct peers found. */
  readonly peers: readonly PeerAddress[];
  /** Closest nodes that answered (at most k). */
  readonly closest: number;
  readonly queries: number;
}

export interface AnnounceResult extends LookupResult {
  /** announce_peer queries that were acknowledged. */
  readonly announcedTo: number;
}

export interface TrackOptions {
  /** Our TCP listen port to announce, or null to only look for peers (e.g. not listening, private torrents never use DHT). */
  readonly port: number | null;
  /** Called with each batch of new peers as lookups find them. */
  readonly onPeers: (peers: readonly PeerAddress[]) => void;
  /** Announce with implied_port (use our UDP source port; for uTP behind NAT). Default false. */
  readonly impliedPort?: boolean;
}

export interface TrackHandle {
  /** Runs a lookup (and announce) now instead of waiting for the interval. */
  refresh(): void;
  stop(): void;
}

export interface DhtStats {
  readonly nodes: number;
  readonly replacements: number;
  readonly buckets: number;
  readonly storedPeers: number;
  readonly storedHashes: number;
  readonly lookupsRunning: number;
  readonly tracked: number;
  readonly rpc: Readonly<KrpcRpc['stats']>;
}

interface Tracked {
  infoHash: Uint8Array;
  opts: TrackOptions;
  timer: unknown;
  running: boolean;
  stopped: boolean;
  /** Lookups in a row that found no peer: retried sooner (15 s, 30 s, …) than the announce interval. */
  emptyRounds: number;
}

/** First retry after a lookup that found nobody (a magnet added before its seeders announced). */
const EMPTY_RETRY_MS = 15_000;

const MAX_VALUES = 50;

async function defaultResolve(host: string): Promise<string[]> {
  if (isIPv4(host)) return [host];
  const all = await dnsLookup(host, { family: 4, all: true });
  return all.map((a) => a.address);
}

function toContact(n: RoutingNode | CompactNode): Contact {
  return { id: n.id, host: n.host, port: n.port };
}

export class DhtNode {
  private id_: Uint8Array;
  private table: RoutingTable;
  private readonly rpc: KrpcRpc;
  private readonly tokens: TokenManager;
  private readonly store = new PeerStore();
  private readonly clock: Clock;
  private readonly timers: RpcTimers;
  private readonly random: RandomBytes;
  private readonly bootstrapAddrs: readonly Address[];
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly alpha: number;
  private readonly k: number;
  private readonly maxNodesPerIp: number;
  private readonly announceIntervalMs: number;
  private readonly maintenanceIntervalMs: number;
  private readonly tracked = new Set<Tracked>();
  private readonly lookups = new Set<Lookup>();
  /** BEP 42: external IP votes from responders' `ip` fields (voter key -> ip). */
  private readonly ipVotes = new Map<string, string>();
  private externalIp_: string | null;
  private maintenanceTimer: unknown = null;
  private bootstrapping: Promise<void> | null = null;
  private closed = false;
  /** Called when the socket is owned by the node (startDht). */
  private onClose: (() => Promise<void>) | null = null;

  constructor(opts: DhtNodeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? realScheduler;
    this.random = opts.random ?? defaultRandomBytes;
    this.bootstrapAddrs = opts.bootstrap ?? DEFAULT_BOOTSTRAP;
    this.resolve = opts.resolve ?? defaultResolve;
    this.alpha = opts.alpha ?? 3;
    this.k = opts.k ?? 8;
    this.maxNodesPerIp = opts.maxNodesPerIp ?? 1;
    this.announceIntervalMs = opts.announceIntervalMs ?? 15 * 60_000;
    this.maintenanceIntervalMs = opts.maintenanceIntervalMs ?? 60_000;
    this.externalIp_ = opts.externalIp && isIPv4(opts.externalIp) ? opts.externalIp : null;
    const now = this.clock.now();
    const tableOpts = { k: this.k, maxNodesPerIp: this.maxNodesPerIp, random: this.random };
    let id = opts.id;
    if (!id && this.externalIp_ && !isBep42Exempt(this.externalIp_)) id = nodeIdFor(this.externalIp_, this.random(1)[0], this.random);
    let table: RoutingTable | null = null;
    if (opts.state !== undefined) {
      try {
        table = RoutingTable.fromJSON(opts.state, now, id ? { ...tableOpts, ownId: id } : tableOpts);
        // A saved id that does not fit the known external IP is replaced (BEP 42).
        if (!id && this.externalIp_ && !isValidNodeIdFor(table.id, this.externalIp_)) {
          table = RoutingTable.fromJSON(opts.state, now, { ...tableOpts, ownId: nodeIdFor(this.externalIp_, this.random(1)[0], this.random) });
        }
      } catch {
        table = null;
      }
    }
    this.table = table ?? new RoutingTable(id ?? randomNodeId(this.random), now, tableOpts);
    this.id_ = this.table.id;
    this.tokens = new TokenManager(this.clock, { random: this.random });
    this.rpc = new KrpcRpc({ ...opts.rpc, transport: opts.transport, clock: this.clock, timers: this.timers, random: this.random });
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

  /** Our external IPv4 address as given or as responders agree (BEP 42 `ip`), or null. */
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
    return {
      [Symbol.asyncIterator]: () => {
        const queue: PeerAddress[] = [];
        let finished = false;
        let wake: (() => void) | null = null;
        const poke = (): void => {
          const w = wake;
          wake = null;
          w?.();
        };
        let started: Lookup | null = null;
        const run = (async () => {
          await this.ready();
          if (finished) return;
          await this.runLookup('get_peers', infoHash, (ps) => {
            queue.push(...ps);
            poke();
          }, (l) => {
            started = l;
          });
        })().finally(() => {
          finished = true;
          poke();
        });
        void run.catch(() => undefined);
        return {
          next: async (): Promise<IteratorResult<PeerAddress>> => {
            for (;;) {
              const p = queue.shift();
              if (p) return { value: p, done: false };
              if (finished) return { value: undefined, done: true };
              await new Promise<void>((r) => {
                wake = r;
              });
            }
          },
          return: async (): Promise<IteratorResult<PeerAddress>> => {
            finished = true;
            (started as Lookup | null)?.abort();
            poke();
            return { value: undefined, done: true };
          },
        };
      },
    };
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
    const t: Tracked = { infoHash: new Uint8Array(infoHash), opts, timer: null, running: false, stopped: false, emptyRounds: 0 };
    this.tracked.add(t);
    const cycle = (): void => {
      if (t.stopped || this.closed || t.running) return;
      if (t.timer !== null) this.timers.clearTimeout(t.timer);
      t.timer = null;
      t.running = true;
      const work = t.opts.port === null ? this.lookupPeers(t.infoHash, t.opts.onPeers) : this.announce(t.infoHash, t.opts.port, { impliedPort: t.opts.impliedPort, onPeers: t.opts.onPeers });
      void work
        .then((r) => {
          t.emptyRounds = r.peers.length > 0 ? 0 : t.emptyRounds + 1;
        }, () => {
          t.emptyRounds++;
        })
        .finally(() => {
          t.running = false;
          const delay = t.emptyRounds > 0 ? Math.min(this.announceIntervalMs, EMPTY_RETRY_MS * 2 ** (t.emptyRounds - 1)) : this.announceIntervalMs;
          if (!t.stopped && !this.closed) t.timer = this.timers.setTimeout(cycle, delay);
        });
    };
    cycle();
    return {
      refresh: cycle,
      stop: () => {
        t.stopped = true;
        if (t.timer !== null) this.timers.clearTimeout(t.timer);
        t.timer = null;
        this.tracked.delete(t);
      },
    };
  }

  /** Stops everything: timers, lookups, outstanding queries; closes the socket if `startDht` opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenanceTimer !== null) this.timers.clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = null;
    for (const t of this.tracked) {
      t.stopped = true;
      if (t.timer !== null) this.timers.clearTimeout(t.timer);
    }
    this.tracked.clear();
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
      const resolved = await Promise.all(
        this.bootstrapAddrs.map(async (a) => {
          try {
            return (await this.resolve(a.host)).filter((h) => isIPv4(h)).map((host): Contact => ({ id: null, host, port: a.port }));
          } catch {
            return [];
          }
        }),
      );
      for (const list of resolved) seeds.push(...list);
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
      for (const a of this.bootstrapAddrs) if (isIPv4(a.host)) initial.push({ id: null, host: a.host, port: a.port });
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
          const q: OutgoingQuery = kind === 'find_node' ? { q: 'find_node', id: this.id_, target } : { q: 'get_peers', id: this.id_, infoHash: target };
          this.send(c, q, () => {
            lookup.onSlow(c);
            pump();
          }).then(
            (r) => {
              const fresh = lookup.onResponse(c, { id: r.id, nodes: (r.nodes ?? []).map(toContact), values: r.values ?? [], token: r.token });
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

  private ping(n: RoutingNode): void {
    void this.send(toContact(n), { q: 'ping', id: this.id_ }).catch(() => undefined);
  }

  // ---------------------------------------------------------------------------------------------
  // BEP 42

  private voteExternalIp(ip: string, voter: Address): void {
    if (!isIPv4(ip) || isBep42Exempt(ip)) return;
    this.ipVotes.set(voter.host, ip);
    if (this.ipVotes.size > 64) this.ipVotes.delete(this.ipVotes.keys().next().value as string);
    let agree = 0;
    for (const v of this.ipVotes.values()) if (v === ip) agree++;
    if (agree < 3 || agree * 2 <= this.ipVotes.size || this.externalIp_ === ip) return;
    this.externalIp_ = ip;
    if (isValidNodeIdFor(this.id_, ip)) return;
    // A new id for the new address: keep the nodes we know, re-homed around the new id.
    const now = this.clock.now();
    const id = nodeIdFor(ip, this.random(1)[0], this.random);
    this.table = RoutingTable.fromJSON(this.table.toJSON(), now, { k: this.k, maxNodesPerIp: this.maxNodesPerIp, random: this.random, ownId: id });
    this.id_ = this.table.id;
  }

  // ---------------------------------------------------------------------------------------------
  // incoming queries

  private answer(q: KrpcQuery, from: Address): QueryAnswer | null {
    if (this.closed) return null;
    const now = this.clock.now();
    if (q.id && !q.readOnly && !idsEqual(q.id, this.id_)) {
      const res = this.table.insert({ id: q.id, host: from.host, port: from.port }, now, 'queried');
      if (res.kind === 'cached' && res.ping) this.ping(res.ping);
    }
    const id = this.id_;
    switch (q.q) {
      case 'ping':
        return { y: 'r', body: { id } };
      case 'find_node':
        return { y: 'r', body: { id, nodes: this.nodesFor(q.target) } };
      case 'get_peers': {
        const token = this.tokens.issue(from.host, from.port);
        const values = this.store.get(q.infoHash, MAX_VALUES, now, 4);
        const body: Omit<KrpcResponse, 'y' | 'tid' | 'clientVersion' | 'ip'> = { id, token, nodes: this.nodesFor(q.infoHash) };
        if (values.length > 0) body.values = values;
        return { y: 'r', body };
      }
      case 'announce_peer': {
        if (!this.tokens.check(q.token, from.host, from.port)) return { y: 'e', code: KrpcErrorCode.Protocol, message: 'bad token' };
        const port = q.impliedPort ? from.port : q.port;
        if (!this.store.add(q.infoHash, { host: from.host, port }, now)) return { y: 'e', code: KrpcErrorCode.Protocol, message: 'bad announce' };
        return { y: 'r', body: { id } };
      }
      case 'unknown':
        return { y: 'e', code: KrpcErrorCode.MethodUnknown, message: 'method unknown' };
      default: {
        const never: never = q;
        void never;
        return null;
      }
    }
  }

  private nodesFor(target: Uint8Array): CompactNode[] {
    return this.table
      .closest(target, this.k)
      .filter((n) => isIPv4(n.host))
      .map((n) => ({ id: n.id, host: n.host, port: n.port }));
  }
}

function checkHash(infoHash: Uint8Array): void {
  if (!(infoHash instanceof Uint8Array) || infoHash.length !== 20) throw new RangeError(`info hash must be 20 bytes, got ${infoHash?.length}`);
}

export interface StartDhtOptions extends Omit<DhtNodeOptions, 'transport'> {
  /** UDP port; 0 picks one (read it back from `node.port`). Usually the same number as the TCP listen port. */
  readonly port: number;
  /** Bind address. Default '0.0.0.0'. */
  readonly host?: string;
}

/** Binds a UDP socket, creates a DhtNode on it, and starts bootstrapping (not awaited). `close()` closes the socket. */
export async function startDht(opts: StartDhtOptions): Promise<{ node: DhtNode; port: number }> {
  const socket = await UdpSocket.bind({ port: opts.port, host: opts.host });
  socket.unref();
  const node = new DhtNode({ ...opts, transport: socket });
  node.ownSocket(() => socket.close());
  void node.start();
  return { node, port: socket.port };
}

