// Serving other nodes: the replies to incoming ping / find_node / get_peers / announce_peer queries (BEP 5).
// get_peers hands out a write token; announce_peer must bring one back from the same address before its peer is
// stored. Pure with respect to I/O: the node's RPC layer sends what `answer` returns.
import { isIPv4 } from '../net/address.js';
import type { CompactNode, KrpcQuery, KrpcResponse } from './krpc.js';
import { KrpcErrorCode } from './krpc.js';
import type { PeerStore } from './peer-store.js';
import type { RoutingTable } from './routing-table.js';
import type { Address, QueryAnswer } from './rpc.js';
import type { TokenManager } from './tokens.js';

/** Peers in one get_peers reply, at most (keeps the datagram under the usual MTU). */
const MAX_VALUES = 50;

export class QueryResponder {
  constructor(
    private readonly tokens: TokenManager,
    private readonly store: PeerStore,
    /** Nodes in a find_node / get_peers reply. */
    private readonly k: number,
  ) {}

  /** The reply of node `id`, whose routing table is `table`, to query `q` from `from`; null for no reply. */
  answer(q: KrpcQuery, from: Address, id: Uint8Array, table: RoutingTable, now: number): QueryAnswer | null {
    switch (q.q) {
      case 'ping':
        return { y: 'r', body: { id } };
      case 'find_node':
        return { y: 'r', body: { id, nodes: this.nodesFor(table, q.target) } };
      case 'get_peers': {
        const token = this.tokens.issue(from.host, from.port);
        const values = this.store.get(q.infoHash, MAX_VALUES, now, 4);
        const body: Omit<KrpcResponse, 'y' | 'tid' | 'clientVersion' | 'ip'> = { id, token, nodes: this.nodesFor(table, q.infoHash) };
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

  /** The k closest IPv4 nodes to `target` (compact node info is IPv4 only). */
  private nodesFor(table: RoutingTable, target: Uint8Array): CompactNode[] {
    return table
      .closest(target, this.k)
      .filter((n) => isIPv4(n.host))
      .map((n) => ({ id: n.id, host: n.host, port: n.port }));
  }
}
