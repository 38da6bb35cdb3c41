/**
 * Peers announced to us (announce_peer) per info hash, for answering get_peers. Bounded: at most
 * `maxPeersPerHash` peers per hash (a new peer replaces the one announced longest ago) and at
 * most `maxHashes` hashes (a new hash first drops expired entries, then the hash announced to
 * longest ago). Entries expire `ttlMs` (30 min) after their last announce. Pure: time is passed in.
 */
import type { CompactPeer } from '../wire/compact.js';
import { formatIp, parseIp } from '../wire/compact.js';
import { toHex } from '../common/hex.js';

export const PEER_TTL_MS = 30 * 60_000;

export interface PeerStoreOptions {
  maxPeersPerHash?: number;
  maxHashes?: number;
  ttlMs?: number;
  /** Uniform in [0, 1) (default Math.random): picks which peers `get` returns when there are more. */
  random?: () => number;
}

interface Entry {
  host: string;
  port: number;
  family: 4 | 6;
  at: number;
}

interface Swarm {
  peers: Map<string, Entry>;
  lastAnnounce: number;
}

export class PeerStore {
  private readonly swarms = new Map<string, Swarm>();
  private readonly maxPeersPerHash: number;
  private readonly maxHashes: number;
  private readonly ttlMs: number;
  private readonly random: () => number;

  constructor(opts: PeerStoreOptions = {}) {
    this.maxPeersPerHash = opts.maxPeersPerHash ?? 200;
    this.maxHashes = opts.maxHashes ?? 2000;
    this.ttlMs = opts.ttlMs ?? PEER_TTL_MS;
    this.random = opts.random ?? Math.random;
  }

  /** Number of info hashes with at least one peer (expired ones count until pruned). */
  get size(): number {
    return this.swarms.size;
  }

  get peerCount(): number {
    let n = 0;
    for (const s of this.swarms.values()) n += s.peers.size;
    return n;
  }

  /**
   * Records an announce. Returns false (and stores nothing) for a malformed hash, host or port.
   * Re-announcing the same host:port refreshes it.
   */
  add(infoHash: Uint8Array, peer: CompactPeer, now: number): boolean {
    if (infoHash.length !== 20 || this.maxPeersPerHash <= 0 || this.maxHashes <= 0) return false;
    const ip = parseIp(peer.host);
    if (!ip || !Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) return false;
    const key = toHex(infoHash);
    let swarm = this.swarms.get(key);
    if (!swarm) {
      if (this.swarms.size >= this.maxHashes) this.prune(now);
      if (this.swarms.size >= this.maxHashes) {
        let oldestKey: string | undefined;
        let oldest = Infinity;
        for (const [k, s] of this.swarms) {
          if (s.lastAnnounce < oldest) {
            oldest = s.lastAnnounce;
            oldestKey = k;
          }
        }
        if (oldestKey !== undefined) this.swarms.delete(oldestKey);
      }
      swarm = { peers: new Map(), lastAnnounce: now };
      this.swarms.set(key, swarm);
    }
    swarm.lastAnnounce = now;
    const host = formatIp(ip); // one text form per address
    const peerKey = `${host}|${peer.port}`;
    const existing = swarm.peers.get(peerKey);
    if (existing) {
      // Map order is insertion order: move it to the back (most recent).
      swarm.peers.delete(peerKey);
      existing.at = now;
      swarm.peers.set(peerKey, existing);
      return true;
    }
    if (swarm.peers.size >= this.maxPeersPerHash) {
      // The first entry is the one announced longest ago.
      const first = swarm.peers.keys().next();
      if (!first.done) swarm.peers.delete(first.value);
    }
    swarm.peers.set(peerKey, { host, port: peer.port, family: ip.length === 4 ? 4 : 6, at: now });
    return true;
  }

  /**
   * Up to `max` live peers for the hash, a random pick when there are more; `family` limits them
   * to IPv4 or IPv6 (BEP 32). Expired peers of this hash are dropped on the way.
   */
  get(infoHash: Uint8Array, max: number, now: number, family?: 4 | 6): CompactPeer[] {
    const swarm = this.swarms.get(toHex(infoHash));
    if (!swarm) return [];
    this.expire(toHex(infoHash), swarm, now);
    const live: Entry[] = [];
    for (const e of swarm.peers.values()) if (family === undefined || e.family === family) live.push(e);
    const n = Math.max(0, Math.min(Math.floor(max), live.length));
    // Partial Fisher-Yates: the first n slots become a uniform sample.
    for (let i = 0; i < n && n < live.length; i++) {
      const j = i + Math.floor(this.random() * (live.length - i));
      [live[i], live[j]] = [live[j], live[i]];
    }
    return live.slice(0, n).map((e) => ({ host: e.host, port: e.port }));
  }

  /** Drops every expired peer (and hashes left empty). */
  prune(now: number): void {
    for (const [k, s] of this.swarms) this.expire(k, s, now);
  }

  private expire(key: string, swarm: Swarm, now: number): void {
    // Entries are in announce order, so expired ones are at the front.
    for (const [k, e] of swarm.peers) {
      if (now - e.at < this.ttlMs) break;
      swarm.peers.delete(k);
    }
    if (swarm.peers.size === 0) this.swarms.delete(key);
  }
}
