// The host's DHT on both address families (BEP 32): an IPv4 node and an IPv6 node, each with its own socket, routing
// table and id (BEP 42 derives the id from the external address, which differs per family), paired so each answers
// a `want` for the other family from the other's table. Torrents are looked up and announced on both; the peers
// both find go to the same callback. Their tables are saved together: the IPv4 table as it always was, with the
// IPv6 one under `v6` (an older build reads the file and ignores `v6`).
//
// Two nodes rather than one node with two tables: BEP 32 makes the DHTs independent networks (no IPv6 data in the
// IPv4 DHT), and a node per family keeps every piece of node.ts (lookups, tokens, BEP 42 votes, the peer store)
// single-family and unchanged; only the replies to `want` cross over (DhtNode.pairWith).
import { isIP } from '../net/address.js';
import { startDht, type DhtNode, type StartDhtOptions } from './node.js';
import type { PeerAddress } from './lookup.js';
import type { LookupResult, TrackHandle, TrackOptions } from './node-types.js';
import type { RoutingTableJson } from './routing-table.js';
import type { DatagramTransport } from './rpc.js';

/** What `save()` writes: the IPv4 table's JSON (when there is an IPv4 node) plus the IPv6 table under `v6`. */
export type DualStackState = Partial<RoutingTableJson> & { v6?: RoutingTableJson };

/** The saved state of each family: the IPv4 table is the top level, the IPv6 table its `v6` field. */
export function splitState(state: unknown): { v4: unknown; v6: unknown } {
  if (typeof state !== 'object' || state === null) return { v4: undefined, v6: undefined };
  const s = state as Record<string, unknown>;
  return { v4: 'version' in s ? state : undefined, v6: s.v6 };
}

/**
 * Where each family's DHT socket binds, from the session's listen address: the wildcard (or none) binds both
 * wildcards; a loopback address of either family binds both loopbacks (a local test session stays local); any
 * other address pins that family only. null: no node of that family.
 */
export function dhtBindHosts(listenHost: string | undefined): { v4: string | null; v6: string | null } {
  if (listenHost === undefined || listenHost === '' || listenHost === '0.0.0.0' || listenHost === '::') return { v4: '0.0.0.0', v6: '::' };
  const family = isIP(listenHost);
  if (family === 4) return { v4: listenHost, v6: listenHost.startsWith('127.') ? '::1' : null };
  if (family === 6) return { v4: listenHost === '::1' ? '127.0.0.1' : null, v6: listenHost };
  throw new RangeError(`DHT listen address must be an IP address, got ${JSON.stringify(listenHost.slice(0, 64))}`);
}

export class DualStackDht {
  constructor(
    readonly v4: DhtNode | null,
    readonly v6: DhtNode | null,
  ) {
    v4?.pairWith(v6);
    v6?.pairWith(v4);
  }

  /** Nodes in both routing tables: the number to show in the UI. */
  get nodeCount(): number {
    return (this.v4?.nodeCount ?? 0) + (this.v6?.nodeCount ?? 0);
  }

  /** Nodes in the IPv6 routing table alone. */
  get nodeCount6(): number {
    return this.v6?.nodeCount ?? 0;
  }

  private get nodes(): DhtNode[] {
    const out: DhtNode[] = [];
    if (this.v4) out.push(this.v4);
    if (this.v6) out.push(this.v6);
    return out;
  }

  /** Keeps a torrent on every family's DHT; the peers each finds go to `opts.onPeers`. */
  track(infoHash: Uint8Array, opts: TrackOptions): TrackHandle {
    const handles = this.nodes.map((n) => n.track(infoHash, opts));
    return {
      refresh: () => handles.forEach((h) => h.refresh()),
      stop: () => handles.forEach((h) => h.stop()),
    };
  }

  /** A get_peers lookup on every family at once; the peers of all, each once. */
  async lookupPeers(infoHash: Uint8Array, onPeers?: (peers: readonly PeerAddress[]) => void): Promise<LookupResult> {
    const results = await Promise.all(this.nodes.map((n) => n.lookupPeers(infoHash, onPeers)));
    const seen = new Set<string>();
    const peers: PeerAddress[] = [];
    for (const r of results) {
      for (const p of r.peers) {
        const key = `${p.host}|${p.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        peers.push(p);
      }
    }
    return { peers, closest: results.reduce((a, r) => a + r.closest, 0), queries: results.reduce((a, r) => a + r.queries, 0) };
  }

  /** Our external address learnt elsewhere: the node of its family takes an id that fits it (BEP 42). The node whose id changed, or null. */
  setExternalIp(ip: string): DhtNode | null {
    const node = isIP(ip) === 6 ? this.v6 : isIP(ip) === 4 ? this.v4 : null;
    return node && node.setExternalIp(ip) ? node : null;
  }

  save(): DualStackState {
    const state: DualStackState = this.v4 ? { ...this.v4.save() } : {};
    if (this.v6) state.v6 = this.v6.save();
    return state;
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
  }
}

export interface StartDualStackOptions extends Omit<StartDhtOptions, 'host' | 'family' | 'state' | 'id' | 'externalIp'> {
  /** The session's listen address (see dhtBindHosts); default both wildcards. */
  readonly host?: string;
  /** The listen port's IPv4 UDP socket, shared with uTP; absent: the IPv4 node binds its own. */
  readonly shared?: DatagramTransport;
  /** The listen port's IPv6 UDP socket, shared with uTP; absent: the IPv6 node binds its own, same port number. */
  readonly shared6?: DatagramTransport;
  /** Run the IPv6 DHT too. Default true (it stays off, with a note, when the host has no IPv6). */
  readonly ipv6?: boolean;
  /** Both tables as `DualStackDht.save()` wrote them (or an older IPv4-only save). */
  readonly state?: unknown;
}

export interface DualStackStart {
  readonly dht: DualStackDht;
  /** Each family's UDP port; null when that family's node did not start. */
  readonly port: number | null;
  readonly port6: number | null;
  /** Why a family is not running, one line each (none when both run or were not asked for). */
  readonly notes: readonly string[];
}

/**
 * Starts the IPv4 and the IPv6 node (bootstrapping is not awaited). A family that cannot start (no IPv6 on this
 * host, the port taken) is left out with a note; when neither starts, rejects with both reasons.
 */
export async function startDualStackDht(opts: StartDualStackOptions): Promise<DualStackStart> {
  const { shared, shared6, ipv6, state, host, ...common } = opts;
  const hosts = dhtBindHosts(host);
  const saved = splitState(state);
  const notes: string[] = [];
  let v4: { node: DhtNode; port: number } | null = null;
  if (shared || hosts.v4 !== null) {
    try {
      v4 = await startDht({ ...common, family: 4, host: hosts.v4 ?? undefined, shared, state: saved.v4 });
    } catch (err) {
      notes.push(`no IPv4 DHT: ${(err as Error).message}`);
    }
  }
  let v6: { node: DhtNode; port: number } | null = null;
  if (ipv6 !== false && (shared6 || hosts.v6 !== null)) {
    const base = { ...common, family: 6 as const, host: hosts.v6 ?? undefined, shared: shared6, state: saved.v6 };
    // The same port number as IPv4 (as libtorrent does); another one when that is taken on IPv6.
    const port = opts.port !== 0 ? opts.port : (v4?.port ?? 0);
    try {
      v6 = await startDht({ ...base, port });
    } catch (err) {
      if (port !== 0 && !shared6 && /already in use/.test((err as Error).message)) {
        v6 = await startDht({ ...base, port: 0 }).catch((e: Error) => (notes.push(`no IPv6 DHT: ${e.message}`), null));
      } else notes.push(`no IPv6 DHT: ${(err as Error).message}`);
    }
  }
  if (!v4 && !v6) throw new Error(notes.join('; ') || 'no address family to run the DHT on');
  return { dht: new DualStackDht(v4?.node ?? null, v6?.node ?? null), port: v4?.port ?? null, port6: v6?.port ?? null, notes };
}
