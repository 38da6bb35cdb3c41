/**
 * Peer exchange (BEP 11, ut_pex) for one torrent: tells each ut_pex-capable peer which peers we
 * are connected to (as a diff since the last message to it) and takes the peers others tell us
 * about, within limits. A state machine driven by the caller's clock: the torrent calls
 * `due(peers, now)` from its tick and sends what it returns; no timers or sockets here.
 *
 * Private torrents (BEP 27) never use PEX: the torrent does not create one.
 */
import { isIPv4, isIPv6, unmapIPv4 } from '../net/address.js';
import { decodePex, encodePex, PexFlags, type ExtendedHandshake, type PexPeer } from '../wire/index.js';
import type { PeerAddress } from '../peer/address-book.js';

export const PEX_EXTENSION = 'ut_pex';
/** BEP 11: at most one message a minute to a peer. */
export const PEX_INTERVAL_MS = 60_000;
/** The first message goes out this long after the peer's extended handshake. */
export const PEX_FIRST_DELAY_MS = 3_000;
/** Messages from one peer closer together than this are ignored (libtorrent treats them as flooding). */
export const PEX_MIN_RECEIVE_GAP_MS = 45_000;
/** Added (and, separately, dropped) entries per message we send (BEP 11 asks for about 50). */
export const PEX_MAX_SEND = 50;
/** Peers taken from one received message (IPv4 and IPv6 together); the rest are ignored. */
export const PEX_MAX_TAKE = 50;
/** Entries decoded per list of a received message (longer lists are truncated, not an error). */
const PEX_MAX_DECODE = 100;

/** What PEX needs of a connection (PeerConnection satisfies it). */
export interface PexConnection {
  readonly incoming: boolean;
  readonly isSeed: boolean;
  readonly closed: boolean;
  /** BEP 10 `m`: extension name -> the id the peer wants us to use (0: disabled). */
  readonly extensions: ReadonlyMap<string, number>;
  readonly transport: { readonly remoteAddress: string; readonly remotePort: number; readonly kind?: 'tcp' | 'utp' };
}

export interface PexOptions {
  /** Exchange peers at all (default true); the session's `pex` setting. */
  readonly enabled?: boolean;
  readonly intervalMs?: number;
  readonly firstDelayMs?: number;
  readonly minReceiveGapMs?: number;
}

/** One message to send: `id` is the peer's ut_pex id. */
export interface PexOutgoing<P> {
  readonly peer: P;
  readonly id: number;
  readonly payload: Uint8Array;
  readonly added: number;
  readonly dropped: number;
}

export type PexReceived =
  /** `utp`: those of `peers` whose flags say they accept uTP (flag 0x04), for the dialler to try uTP first. */
  | { readonly kind: 'peers'; readonly peers: PeerAddress[]; readonly utp: PeerAddress[] }
  /** Too soon after the last message from this peer. */
  | { readonly kind: 'flood' };

interface PeerState {
  epoch: number;
  /** Clock time of the peer's (last) extended handshake. */
  handshakeAt: number;
  lastSentAt: number | null;
  lastReceivedAt: number | null;
  /** The listen port the peer told us (BEP 10 `p`). */
  listenPort: number | undefined;
  /** The peer prefers encrypted connections (BEP 10 `e`). */
  encryption: boolean;
  /** What this peer has been told about and not told dropped since: "host:port" -> address. Bounded by our peer count. */
  advertised: Map<string, PeerAddress>;
}

interface Candidate extends PexPeer {
  readonly key: string;
  readonly conn: PexConnection;
}

/** "::ffff:1.2.3.4" -> "1.2.3.4"; null for something that is not an IP address. */
export function normaliseHost(host: string): string | null {
  const h = unmapIPv4(host);
  return isIPv4(h) || isIPv6(h) ? h : null;
}

export class Pex<P extends PexConnection> {
  private on: boolean;
  /** Bumped when PEX is turned back on: per-peer send state from before is stale (the peers reset theirs). */
  private epoch = 0;
  /** Received messages ignored for arriving too soon (for tests and stats). */
  floods = 0;
  private readonly intervalMs: number;
  private readonly firstDelayMs: number;
  private readonly minReceiveGapMs: number;
  private readonly states = new WeakMap<P, PeerState>();

  constructor(opts: PexOptions = {}) {
    this.on = opts.enabled ?? true;
    this.intervalMs = opts.intervalMs ?? PEX_INTERVAL_MS;
    this.firstDelayMs = opts.firstDelayMs ?? PEX_FIRST_DELAY_MS;
    this.minReceiveGapMs = opts.minReceiveGapMs ?? PEX_MIN_RECEIVE_GAP_MS;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Off: nothing is sent, received messages are ignored by the caller. Back on: every peer is told afresh. */
  setEnabled(on: boolean): void {
    if (on && !this.on) this.epoch++;
    this.on = on;
  }

  private stateOf(peer: P, now: number): PeerState {
    let s = this.states.get(peer);
    if (!s) {
      s = { epoch: this.epoch, handshakeAt: now, lastSentAt: null, lastReceivedAt: null, listenPort: undefined, encryption: false, advertised: new Map() };
      this.states.set(peer, s);
    } else if (s.epoch !== this.epoch) {
      s.epoch = this.epoch;
      s.lastSentAt = null;
      s.advertised.clear();
    }
    return s;
  }

  /** Notes what an extended handshake tells PEX: the listen port and the encryption preference. */
  onHandshake(peer: P, hs: ExtendedHandshake, now: number): void {
    const s = this.stateOf(peer, now);
    s.handshakeAt = now;
    if (hs.p !== undefined) s.listenPort = hs.p;
    if (hs.prefersEncryption !== undefined) s.encryption = hs.prefersEncryption;
  }

  /**
   * A ut_pex message from `peer`. Throws WireError when malformed. Peers are capped at
   * PEX_MAX_TAKE; seeds are skipped while we seed; messages closer together than the minimum gap are ignored.
   */
  receive(peer: P, payload: Uint8Array, now: number, seeding: boolean): PexReceived {
    const s = this.stateOf(peer, now);
    if (s.lastReceivedAt !== null && now - s.lastReceivedAt < this.minReceiveGapMs) {
      this.floods++;
      return { kind: 'flood' };
    }
    s.lastReceivedAt = now;
    const msg = decodePex(payload, PEX_MAX_DECODE);
    const peers: PeerAddress[] = [];
    const utp: PeerAddress[] = [];
    for (const p of [...msg.added, ...msg.added6]) {
      if (peers.length >= PEX_MAX_TAKE) break;
      if (p.port === 0 || (seeding && (p.flags & PexFlags.seed) !== 0)) continue;
      peers.push({ host: p.host, port: p.port });
      if ((p.flags & PexFlags.utp) !== 0) utp.push(peers[peers.length - 1]);
    }
    return { kind: 'peers', peers, utp };
  }

  /** The address others can dial `conn` at, or null when we do not know its listen port. */
  private candidate(conn: P): Candidate | null {
    const host = normaliseHost(conn.transport.remoteAddress);
    if (host === null) return null;
    let port: number | undefined;
    let flags = 0;
    if (!conn.incoming) {
      port = conn.transport.remotePort;
      flags |= PexFlags.reachable;
    } else {
      port = this.states.get(conn)?.listenPort;
    }
    if (port === undefined || port < 1 || port > 65535) return null;
    if (conn.isSeed) flags |= PexFlags.seed;
    if (this.states.get(conn)?.encryption) flags |= PexFlags.preferEncryption;
    if (conn.transport.kind === 'utp') flags |= PexFlags.utp;
    if ((conn.extensions.get('ut_holepunch') ?? 0) > 0) flags |= PexFlags.holepunch; // BEP 55: a relay may introduce it
    return { host, port, flags, key: `${host}:${port}`, conn };
  }

  /**
   * The messages due at `now` to the connected peers that speak ut_pex: for each, the peers
   * connected now that it has not been told about (added) and those it was told about that are
   * gone (dropped), at most PEX_MAX_SEND of each, never itself. Nothing is due with nothing new.
   */
  due(peers: ReadonlySet<P> | readonly P[], now: number): PexOutgoing<P>[] {
    const out: PexOutgoing<P>[] = [];
    if (!this.enabled) return out;
    let current: Map<string, Candidate> | null = null;
    for (const peer of peers) {
      const id = peer.extensions.get(PEX_EXTENSION);
      if (!id || peer.closed) continue;
      if (!this.states.has(peer)) continue; // no extended handshake yet
      const s = this.stateOf(peer, now);
      const dueAt = s.lastSentAt === null ? s.handshakeAt + this.firstDelayMs : s.lastSentAt + this.intervalMs;
      if (now < dueAt) continue;
      s.lastSentAt = now;
      if (current === null) {
        current = new Map();
        for (const c of peers) {
          if (c.closed) continue;
          const cand = this.candidate(c);
          if (cand) current.set(cand.key, cand);
        }
      }
      const msg = this.diff(peer, s, current);
      if (msg) out.push({ peer, id, ...msg });
    }
    return out;
  }

  private diff(peer: P, s: PeerState, current: ReadonlyMap<string, Candidate>): { payload: Uint8Array; added: number; dropped: number } | null {
    const own = normaliseHost(peer.transport.remoteAddress);
    const ownKeys = new Set([`${own}:${peer.transport.remotePort}`, `${own}:${s.listenPort ?? 0}`]);
    const added: PexPeer[] = [];
    const added6: PexPeer[] = [];
    for (const [key, c] of current) {
      if (added.length + added6.length >= PEX_MAX_SEND) break;
      if (c.conn === peer || ownKeys.has(key) || s.advertised.has(key)) continue;
      (isIPv4(c.host) ? added : added6).push({ host: c.host, port: c.port, flags: c.flags });
      s.advertised.set(key, { host: c.host, port: c.port });
    }
    const dropped: PeerAddress[] = [];
    const dropped6: PeerAddress[] = [];
    for (const [key, a] of s.advertised) {
      if (dropped.length + dropped6.length >= PEX_MAX_SEND) break;
      if (current.has(key) && current.get(key)?.conn !== peer) continue;
      (isIPv4(a.host) ? dropped : dropped6).push(a);
      s.advertised.delete(key);
    }
    const nAdded = added.length + added6.length;
    const nDropped = dropped.length + dropped6.length;
    if (nAdded === 0 && nDropped === 0) return null;
    return { payload: encodePex({ added, added6, dropped, dropped6 }), added: nAdded, dropped: nDropped };
  }
}
