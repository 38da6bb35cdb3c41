// Serving other nodes: the replies to incoming ping / find_node / get_peers / announce_peer queries (BEP 5).
// get_peers hands out a write token; announce_peer must bring one back from the same address before its peer is
// stored. Pure with respect to I/O: the node's RPC layer sends what `answer` returns.
//
// BEP 32: a node serves one address family (its socket's). Replies carry `nodes` (IPv4) or `nodes6` (IPv6) as the
// query's `want` asks, else the node's own family; a family the node cannot see (no IPv6 node beside an IPv4 one)
// is left out. `values` are the peers of the querier's family: the IPv4 and IPv6 DHTs store nothing of each other.
import { isIP } from '../net/address.js';
import type { CompactNode, KrpcQuery, KrpcResponse, WantFamily } from './krpc.js';
import { KrpcErrorCode } from './krpc.js';
import type { PeerStore } from './peer-store.js';
import type { Address, QueryAnswer } from './rpc.js';
import type { TokenManager } from './tokens.js';

/** The k closest nodes of an address family to a target, or null when this host runs no DHT of that family. */
export type NodeSource = (family: 4 | 6, target: Uint8Array, k: number) => CompactNode[] | null;

type ReplyBody = Omit<KrpcResponse, 'y' | 'tid' | 'clientVersion' | 'ip'>;

/** Peers in one get_peers reply, at most (keeps the datagram under the usual MTU). */
const MAX_VALUES = 50;

export class QueryResponder {
  constructor(
    private readonly tokens: TokenManager,
    private readonly store: PeerStore,
    /** Nodes in a find_node / get_peers reply. */
    private readonly k: number,
    /** The family this node serves (its socket's). */
    private readonly family: 4 | 6 = 4,
  ) {}

  /** The reply of node `id`, whose nodes (and its sibling's) come from `nodes`, to query `q` from `from`; null for no reply. */
  answer(q: KrpcQuery, from: Address, id: Uint8Array, nodes: NodeSource, now: number): QueryAnswer | null {
    switch (q.q) {
      case 'ping':
        return { y: 'r', body: { id } };
      case 'find_node':
        return { y: 'r', body: this.withNodes({ id }, nodes, q.target, q.want) };
      case 'get_peers': {
        const token = this.tokens.issue(from.host, from.port);
        const values = this.store.get(q.infoHash, MAX_VALUES, now, isIP(from.host) === 6 ? 6 : 4);
        const body = this.withNodes({ id, token }, nodes, q.infoHash, q.want);
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

  /** Adds `nodes` and/or `nodes6` as `want` asks (no `want`, or nothing usable in it: our own family). */
  private withNodes(body: ReplyBody, nodes: NodeSource, target: Uint8Array, want: readonly WantFamily[] | undefined): ReplyBody {
    const own: WantFamily = this.family === 4 ? 'n4' : 'n6';
    const families = want !== undefined && want.length > 0 ? want : [own];
    let any = false;
    for (const w of families) {
      const list = nodes(w === 'n4' ? 4 : 6, target, this.k);
      if (list === null) continue;
      any = true;
      if (w === 'n4') body.nodes = list;
      else body.nodes6 = list;
    }
    // Asked only for a family we do not run: answer with our own rather than with no nodes at all.
    if (!any) {
      const list = nodes(this.family, target, this.k) ?? [];
      if (this.family === 4) body.nodes = list;
      else body.nodes6 = list;
    }
    return body;
  }
}
