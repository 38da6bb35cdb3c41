// The DHT node's public option, result and handle types, and the default bootstrap routers.
import type { Clock } from '../common/clock.js';
import type { PeerAddress } from './lookup.js';
import type { KrpcRpc, Address, DatagramTransport, RpcOptions, RpcTimers } from './rpc.js';
import type { RandomBytes } from './node-id.js';

/** The usual public bootstrap routers (host names, resolved at bootstrap). */
export const DEFAULT_BOOTSTRAP: readonly Address[] = [
  { host: 'router.bittorrent.com', port: 6881 },
  { host: 'router.utorrent.com', port: 6881 },
  { host: 'dht.transmissionbt.com', port: 6881 },
  { host: 'dht.libtorrent.org', port: 25401 },
];

export interface DhtNodeOptions {
  readonly transport: DatagramTransport;
  /** The address family of `transport`, which this node serves (BEP 32: one DHT per family). Default 4. */
  readonly family?: 4 | 6;
  readonly clock?: Clock;
  readonly timers?: RpcTimers;
  /** Bootstrap nodes (host names or IP addresses; a node uses those of its family). Default DEFAULT_BOOTSTRAP; tests pass loopback ones or []. */
  readonly bootstrap?: readonly Address[];
  /** A saved routing table (`save()` output) to start from. Ignored if malformed. */
  readonly state?: unknown;
  /** Our id. Default: BEP 42 from `externalIp` when given, else the saved one, else random. */
  readonly id?: Uint8Array;
  /** Our external address of `family`, when known (for a BEP 42 id); one of the other family is ignored. */
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
  /** Host name resolution for bootstrap routers (addresses of `family`). Default node:dns. */
  readonly resolve?: (host: string, family?: 4 | 6) => Promise<string[]>;
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
