/**
 * Kademlia routing table (BEP 5): buckets of K nodes; only the bucket that holds our own id
 * splits. Bucket i (all but the last) holds the nodes whose id shares exactly i leading bits with
 * ours; the last bucket holds those sharing at least (bucket count - 1). Pure: time is passed in
 * (milliseconds from the node's Clock), randomness is injected, nothing is sent from here: when a
 * questionable node should be pinged, `insert` says which and the caller does it.
 *
 * Node states: good (has answered one of our queries and was active, answering or querying us,
 * within the last 15 minutes, with no failed query since), bad (`maxFailures` failed queries in a
 * row, default 2), questionable (everything else, including nodes only heard of from others).
 */
import { parseIp } from '../wire/compact.js';
import {
  commonPrefixLength,
  compareDistance,
  defaultRandomBytes,
  ID_BITS,
  ID_BYTES,
  idsEqual,
  randomIdInBucket,
  type RandomBytes,
} from './node-id.js';
import { toHex } from '../common/hex.js';

export const K = 8;
export const QUESTIONABLE_AFTER_MS = 15 * 60_000;
export const REFRESH_AFTER_MS = 15 * 60_000;

export type NodeState = 'good' | 'questionable' | 'bad';

/** How we came to know a node. */
export type Contact = 'responded' | 'queried' | 'learned';

export interface NodeAddress {
  /** 20 bytes. */
  id: Uint8Array;
  host: string;
  port: number;
}

export interface RoutingNode extends NodeAddress {
  /** When it entered the table (or the replacement cache). */
  readonly addedAt: number;
  /** Last time it answered one of our queries. */
  readonly lastResponded: number | undefined;
  /** Last time it sent us a query. */
  readonly lastQueried: number | undefined;
  /** Failed queries in a row since its last answer. */
  readonly failures: number;
}

interface MutableNode extends NodeAddress {
  addedAt: number;
  lastResponded: number | undefined;
  lastQueried: number | undefined;
  failures: number;
}

interface Bucket {
  nodes: MutableNode[];
  replacements: MutableNode[];
  /** Last time a node was added to it or one of its nodes was active (or the caller refreshed it). */
  lastChanged: number;
}

export type InsertResult =
  /** A new entry in its bucket. `evicted` is the bad (or never-answering) node it displaced. */
  | { kind: 'added'; evicted?: RoutingNode }
  /** Already in the table (or the replacement cache): timestamps updated. */
  | { kind: 'updated' }
  /**
   * The bucket is full: the node went to the bucket's replacement cache. When the bucket holds
   * questionable nodes, `ping` is the one seen longest ago: ping it; if it fails (markFailed until
   * bad), a replacement takes its place. (When the cache is full of better candidates the node
   * is not kept at all.)
   */
  | { kind: 'cached'; ping?: RoutingNode }
  | { kind: 'rejected'; reason: 'self' | 'invalid' | 'ip-limit' | 'id-conflict' };

export interface RoutingTableOptions {
  /** Nodes per bucket (default 8). */
  k?: number;
  /** Replacement cache entries per bucket (default 8). */
  replacementsPerBucket?: number;
  /** Entries (table + replacement caches) allowed per IP address (default 1; loopback tests raise it). */
  maxNodesPerIp?: number;
  /** Failed queries in a row that make a node bad (default 2). */
  maxFailures?: number;
  questionableAfterMs?: number;
  refreshAfterMs?: number;
  random?: RandomBytes;
}

export interface RoutingTableJson {
  version: 1;
  /** Our node id, hex. */
  id: string;
  nodes: { id: string; host: string; port: number }[];
}

function validAddress(n: NodeAddress): boolean {
  return n.id instanceof Uint8Array && n.id.length === ID_BYTES && Number.isInteger(n.port) && n.port >= 1 && n.port <= 65535 && parseIp(n.host) !== undefined;
}

function snapshot(n: MutableNode): RoutingNode {
  return { ...n, id: new Uint8Array(n.id) };
}

export class RoutingTable {
  readonly id: Uint8Array;
  private readonly buckets: Bucket[];
  private readonly byId = new Map<string, { node: MutableNode; cached: boolean }>();
  private readonly perIp = new Map<string, number>();
  private readonly k: number;
  private readonly replacementsPerBucket: number;
  private readonly maxNodesPerIp: number;
  private readonly maxFailures: number;
  private readonly questionableAfterMs: number;
  private readonly refreshAfterMs: number;
  private readonly random: RandomBytes;

  constructor(ownId: Uint8Array, now: number, opts: RoutingTableOptions = {}) {
    if (ownId.length !== ID_BYTES) throw new RangeError(`node id must be ${ID_BYTES} bytes`);
    this.id = new Uint8Array(ownId);
    this.k = opts.k ?? K;
    this.replacementsPerBucket = opts.replacementsPerBucket ?? 8;
    this.maxNodesPerIp = opts.maxNodesPerIp ?? 1;
    this.maxFailures = opts.maxFailures ?? 2;
    this.questionableAfterMs = opts.questionableAfterMs ?? QUESTIONABLE_AFTER_MS;
    this.refreshAfterMs = opts.refreshAfterMs ?? REFRESH_AFTER_MS;
    this.random = opts.random ?? defaultRandomBytes;
    this.buckets = [{ nodes: [], replacements: [], lastChanged: now }];
  }

  /** Nodes in the table (all states; replacement caches not counted). */
  get size(): number {
    let n = 0;
    for (const b of this.buckets) n += b.nodes.length;
    return n;
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  get replacementCount(): number {
    let n = 0;
    for (const b of this.buckets) n += b.replacements.length;
    return n;
  }

  stateOf(node: RoutingNode, now: number): NodeState {
    if (node.failures >= this.maxFailures) return 'bad';
    if (node.failures > 0 || node.lastResponded === undefined) return 'questionable';
    const active = Math.max(node.lastResponded, node.lastQueried ?? -Infinity);
    return now - active < this.questionableAfterMs ? 'good' : 'questionable';
  }

  /** The node with this id in the table (not the replacement cache), as a copy. */
  get(id: Uint8Array): RoutingNode | undefined {
    const e = this.byId.get(toHex(id));
    return e && !e.cached ? snapshot(e.node) : undefined;
  }

  has(id: Uint8Array): boolean {
    const e = this.byId.get(toHex(id));
    return e !== undefined && !e.cached;
  }

  /** All nodes in the table, bucket by bucket (copies). */
  nodes(): RoutingNode[] {
    return this.buckets.flatMap((b) => b.nodes.map(snapshot));
  }

  /** Per bucket: how many nodes and replacements (for status displays and tests). */
  bucketSizes(): { nodes: number; replacements: number }[] {
    return this.buckets.map((b) => ({ nodes: b.nodes.length, replacements: b.replacements.length }));
  }

  private bucketFor(id: Uint8Array): number {
    return Math.min(commonPrefixLength(this.id, id), this.buckets.length - 1);
  }

  /**
   * Records a node: `how` is 'responded' when it just answered us, 'queried' when it sent us a
   * query, 'learned' when another node told us about it.
   */
  insert(addr: NodeAddress, now: number, how: Contact = 'learned'): InsertResult {
    if (!validAddress(addr)) return { kind: 'rejected', reason: 'invalid' };
    if (idsEqual(addr.id, this.id)) return { kind: 'rejected', reason: 'self' };
    const key = toHex(addr.id);
    const existing = this.byId.get(key);
    if (existing) {
      const n = existing.node;
      if (n.host !== addr.host || n.port !== addr.port) {
        // Another address claims a known id: only take it over from a node that never answered or is bad.
        if (n.lastResponded !== undefined && n.failures < this.maxFailures) return { kind: 'rejected', reason: 'id-conflict' };
        if (n.host !== addr.host && (this.perIp.get(addr.host) ?? 0) >= this.maxNodesPerIp) return { kind: 'rejected', reason: 'ip-limit' };
        this.releaseIp(n.host);
        this.claimIp(addr.host);
        n.host = addr.host;
        n.port = addr.port;
        n.lastResponded = undefined;
        n.lastQueried = undefined;
        n.failures = 0;
      }
      this.touchNode(n, now, how);
      if (!existing.cached && how !== 'learned') this.buckets[this.bucketFor(n.id)].lastChanged = now;
      if (existing.cached && how === 'responded') this.promoteIfRoom(n, now);
      return { kind: 'updated' };
    }
    if ((this.perIp.get(addr.host) ?? 0) >= this.maxNodesPerIp) return { kind: 'rejected', reason: 'ip-limit' };

    const node: MutableNode = { id: new Uint8Array(addr.id), host: addr.host, port: addr.port, addedAt: now, lastResponded: undefined, lastQueried: undefined, failures: 0 };
    this.touchNode(node, now, how);

    for (;;) {
      const bi = this.bucketFor(node.id);
      const bucket = this.buckets[bi];
      if (bucket.nodes.length < this.k) {
        this.addToBucket(bucket, node, now);
        return { kind: 'added' };
      }
      // Full. Replace a bad node at once.
      const bad = bucket.nodes.find((n) => n.failures >= this.maxFailures);
      if (bad) {
        this.evict(bucket, bad);
        this.addToBucket(bucket, node, now);
        return { kind: 'added', evicted: snapshot(bad) };
      }
      // Split the bucket holding our own id, then try again.
      if (bi === this.buckets.length - 1 && this.buckets.length < ID_BITS) {
        this.split(now);
        continue;
      }
      // A node that just answered beats one we have only heard of and never reached.
      if (how === 'responded') {
        const unverified = bucket.nodes.filter((n) => n.lastResponded === undefined && n.lastQueried === undefined);
        if (unverified.length > 0) {
          const old = unverified.reduce((a, b) => (b.addedAt < a.addedAt ? b : a));
          this.evict(bucket, old);
          this.addToBucket(bucket, node, now);
          this.addReplacement(bucket, old);
          return { kind: 'added', evicted: snapshot(old) };
        }
      }
      this.addReplacement(bucket, node);
      const questionable = bucket.nodes.filter((n) => this.stateOf(n, now) === 'questionable');
      if (questionable.length === 0) return { kind: 'cached' };
      const ping = questionable.reduce((a, b) => (lastActive(b) < lastActive(a) ? b : a));
      return { kind: 'cached', ping: snapshot(ping) };
    }
  }

  /** The node answered one of our queries. Returns false when the id is unknown. */
  markResponded(id: Uint8Array, now: number): boolean {
    const e = this.byId.get(toHex(id));
    if (!e) return false;
    this.touchNode(e.node, now, 'responded');
    if (e.cached) this.promoteIfRoom(e.node, now);
    else this.buckets[this.bucketFor(id)].lastChanged = now;
    return true;
  }

  /**
   * One of our queries to the node failed (timed out). When that makes it bad and its bucket has
   * a replacement, the best replacement (latest to answer, else latest seen) takes its place.
   */
  markFailed(id: Uint8Array): { state: NodeState | undefined; removed?: RoutingNode; promoted?: RoutingNode } {
    const e = this.byId.get(toHex(id));
    if (!e) return { state: undefined };
    const n = e.node;
    n.failures++;
    if (n.failures < this.maxFailures) return { state: 'questionable' };
    const bucket = this.buckets[this.bucketFor(n.id)];
    if (e.cached) {
      this.evict(bucket, n);
      return { state: 'bad', removed: snapshot(n) };
    }
    if (bucket.replacements.length === 0) return { state: 'bad' };
    const best = bucket.replacements.reduce((a, b) => (replacementRank(b) > replacementRank(a) ? b : a));
    this.evict(bucket, n);
    bucket.replacements.splice(bucket.replacements.indexOf(best), 1);
    bucket.nodes.push(best);
    this.byId.set(toHex(best.id), { node: best, cached: false });
    return { state: 'bad', removed: snapshot(n), promoted: snapshot(best) };
  }

  /** Removes a node from the table or replacement cache. */
  remove(id: Uint8Array): boolean {
    const e = this.byId.get(toHex(id));
    if (!e) return false;
    this.evict(this.buckets[this.bucketFor(id)], e.node);
    return true;
  }

  /**
   * Up to `k` nodes closest to `target` by XOR distance, closest first. Bad nodes are left out;
   * so are questionable ones when `goodOnly`.
   */
  closest(target: Uint8Array, k = K, opts: { now?: number; goodOnly?: boolean } = {}): RoutingNode[] {
    const all: MutableNode[] = [];
    for (const b of this.buckets) {
      for (const n of b.nodes) {
        if (n.failures >= this.maxFailures) continue;
        if (opts.goodOnly && this.stateOf(n, opts.now ?? 0) !== 'good') continue;
        all.push(n);
      }
    }
    all.sort((a, b) => compareDistance(target, a.id, b.id));
    return all.slice(0, Math.max(0, k)).map(snapshot);
  }

  /**
   * For each bucket untouched for `refreshAfterMs`: a random id inside it, to look up with
   * find_node. Call `touch(target, now)` when the lookup starts so it is not returned again at once.
   */
  bucketsNeedingRefresh(now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const last = this.buckets.length - 1;
    this.buckets.forEach((b, i) => {
      if (now - b.lastChanged >= this.refreshAfterMs) out.push(randomIdInBucket(this.id, i, this.random, i === last));
    });
    return out;
  }

  /** Marks the bucket that covers `target` as refreshed now. */
  touch(target: Uint8Array, now: number): void {
    this.buckets[this.bucketFor(target)].lastChanged = now;
  }

  /** The table's nodes that are not bad, for saving; reload with `fromJSON`. */
  toJSON(): RoutingTableJson {
    const nodes: RoutingTableJson['nodes'] = [];
    for (const b of this.buckets) {
      for (const n of b.nodes) if (n.failures < this.maxFailures) nodes.push({ id: toHex(n.id), host: n.host, port: n.port });
    }
    return { version: 1, id: toHex(this.id), nodes };
  }

  /**
   * A table from `toJSON` output. Reloaded nodes are questionable (timestamps of another run mean
   * nothing): ping them. Entries that are malformed or over the IP limit are skipped; a value
   * that is not a saved table at all throws TypeError. `ownId` overrides the saved id (say, after
   * the external IP changed and BEP 42 asks for a new one).
   */
  static fromJSON(data: unknown, now: number, opts: RoutingTableOptions & { ownId?: Uint8Array } = {}): RoutingTable {
    if (typeof data !== 'object' || data === null) throw new TypeError('routing table: not an object');
    const d = data as Record<string, unknown>;
    if (d.version !== 1) throw new TypeError('routing table: unknown version');
    const savedId = typeof d.id === 'string' && /^[0-9a-fA-F]{40}$/.test(d.id) ? hexToBytes(d.id) : undefined;
    const ownId = opts.ownId ?? savedId;
    if (!ownId) throw new TypeError('routing table: bad id');
    if (!Array.isArray(d.nodes)) throw new TypeError('routing table: nodes is not a list');
    const table = new RoutingTable(ownId, now, opts);
    for (const raw of d.nodes as unknown[]) {
      if (typeof raw !== 'object' || raw === null) continue;
      const n = raw as Record<string, unknown>;
      if (typeof n.id !== 'string' || !/^[0-9a-fA-F]{40}$/.test(n.id) || typeof n.host !== 'string' || typeof n.port !== 'number') continue;
      table.insert({ id: hexToBytes(n.id), host: n.host, port: n.port }, now, 'learned');
    }
    return table;
  }

  // -------------------------------------------------------------------------------------------

  private touchNode(n: MutableNode, now: number, how: Contact): void {
    if (how === 'responded') {
      n.lastResponded = now;
      n.failures = 0;
    } else if (how === 'queried') {
      n.lastQueried = now;
    }
  }

  private claimIp(host: string): void {
    this.perIp.set(host, (this.perIp.get(host) ?? 0) + 1);
  }

  private releaseIp(host: string): void {
    const c = (this.perIp.get(host) ?? 0) - 1;
    if (c > 0) this.perIp.set(host, c);
    else this.perIp.delete(host);
  }

  private addToBucket(bucket: Bucket, node: MutableNode, now: number): void {
    bucket.nodes.push(node);
    bucket.lastChanged = now;
    if (!this.byId.has(toHex(node.id))) this.claimIp(node.host);
    this.byId.set(toHex(node.id), { node, cached: false });
  }

  private addReplacement(bucket: Bucket, node: MutableNode): void {
    if (this.replacementsPerBucket <= 0) {
      this.byId.delete(toHex(node.id));
      return;
    }
    if (bucket.replacements.length >= this.replacementsPerBucket) {
      const worst = bucket.replacements.reduce((a, b) => (replacementRank(b) < replacementRank(a) ? b : a));
      if (replacementRank(worst) > replacementRank(node)) return;
      this.evict(bucket, worst);
    }
    bucket.replacements.push(node);
    if (!this.byId.has(toHex(node.id))) this.claimIp(node.host);
    this.byId.set(toHex(node.id), { node, cached: true });
  }

  /** Takes a node out of the bucket's list or replacement cache (and the indexes). */
  private evict(bucket: Bucket, node: MutableNode): void {
    let i = bucket.nodes.indexOf(node);
    if (i >= 0) bucket.nodes.splice(i, 1);
    else if ((i = bucket.replacements.indexOf(node)) >= 0) bucket.replacements.splice(i, 1);
    else return;
    this.byId.delete(toHex(node.id));
    this.releaseIp(node.host);
  }

  /** A cached node that just answered moves into the table if its bucket has room or a bad node. */
  private promoteIfRoom(node: MutableNode, now: number): void {
    const bucket = this.buckets[this.bucketFor(node.id)];
    const bad = bucket.nodes.find((n) => n.failures >= this.maxFailures);
    if (bucket.nodes.length >= this.k && !bad) return;
    if (bad) this.evict(bucket, bad);
    bucket.replacements.splice(bucket.replacements.indexOf(node), 1);
    bucket.nodes.push(node);
    bucket.lastChanged = now;
    this.byId.set(toHex(node.id), { node, cached: false });
  }

  private split(now: number): void {
    const old = this.buckets[this.buckets.length - 1];
    const fresh: Bucket = { nodes: [], replacements: [], lastChanged: now };
    this.buckets.push(fresh);
    const depth = this.buckets.length - 1;
    const far = (n: MutableNode): boolean => commonPrefixLength(this.id, n.id) < depth;
    fresh.nodes = old.nodes.filter((n) => !far(n));
    old.nodes = old.nodes.filter(far);
    fresh.replacements = old.replacements.filter((n) => !far(n));
    old.replacements = old.replacements.filter(far);
    // Fill free slots from the replacement caches.
    for (const b of [old, fresh]) {
      b.replacements.sort((x, y) => replacementRank(y) - replacementRank(x));
      while (b.nodes.length < this.k && b.replacements.length > 0) {
        const n = b.replacements.shift() as MutableNode;
        b.nodes.push(n);
        this.byId.set(toHex(n.id), { node: n, cached: false });
      }
    }
  }
}

function lastActive(n: MutableNode): number {
  return Math.max(n.lastResponded ?? -Infinity, n.lastQueried ?? -Infinity, n.addedAt);
}

/** Higher is a better replacement: answered recently, then active recently. */
function replacementRank(n: MutableNode): number {
  if (n.failures > 0) return -1e15 + lastActive(n);
  return n.lastResponded !== undefined ? 1e15 + n.lastResponded : lastActive(n);
}

function hexToBytes(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}
