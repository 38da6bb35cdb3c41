import { CanonicalSlots } from './canonical-slots.js';
import type { PeerConnection } from './connection.js';

/** Peers we may dial, peers we are connected to, and peers we refuse. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/**
 * Many peers share 127.0.0.1 in tests and on a seedbox behind NAT, so a ban on a
 * loopback address names the address and port; elsewhere it names the address.
 */
export function banKey(host: string, port: number): string {
  return LOOPBACK.test(host) ? `${host}:${port}` : host;
}

/**
 * How long after its n-th failed dial in a row an address is tried again: 1 s, 5 s, 15 s, 1 min, 4 min, ... up to
 * 30 min. The first retries are soon because the commonest failure is a peer not ready yet (a seeder still adding
 * the torrent refuses the handshake): waiting a minute there cost 70 s before the first byte of a stream (bench
 * stream), and WebTorrent, retrying after 1 s, served it in under one.
 */
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000];
export function retryDelayMs(failures: number): number {
  const i = failures - 1;
  return i < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[i] : Math.min(60_000 * 4 ** (i - 3), 30 * 60_000);
}

/** Redial delay after a clean close of a connection that traded nothing (no piece data, no metadata). */
export const IDLE_REDIAL_MS = 30_000;
/** A connection closed sooner than this after it opened counts toward a peer's run of quick closes. */
export const QUICK_CLOSE_MS = 30_000;
const TRADED_REDIAL_FIRST_MS = 2_000;
const TRADED_REDIAL_MAX_MS = 60_000;

/**
 * Redial delay after a clean close of a connection that traded piece data or metadata, the `quickCloses`-th such
 * close in a row that came soon after connecting: 2 s, 4 s, 8 s, ... at most 1 min. Such a peer is worth dialling
 * again soon, as Transmission does for a peer that recently gave it data: aria2 fetches a magnet's metadata over one
 * connection, closes it and starts the download as a new session that never dials us (it has no address for us),
 * so waiting the idle 30 s cost 30 s of its download. A peer that keeps closing on us right away backs off.
 */
export function tradedRedialDelayMs(quickCloses: number): number {
  return Math.min(TRADED_REDIAL_FIRST_MS * 2 ** Math.max(0, quickCloses - 1), TRADED_REDIAL_MAX_MS);
}

/**
 * A connection the peer closes within this long of opening it, before anything was traded, is retried once after
 * EARLY_CLOSE_REDIAL_MS rather than IDLE_REDIAL_MS. The commonest cause is the peer settling two connections between
 * us that crossed (each side dialled the other): libtorrent keeps one per endpoint and closes the other, and when its
 * own dial then fails (a hybrid torrent's libtorrent leecher that had just dialled itself rejected our answer as
 * "invalid info-hash"), neither side has a connection and libtorrent waits a minute before dialling again. The e2e
 * ratio-goal spec waited ~60 s for that about one run in five.
 */
export const EARLY_CLOSE_MS = 5_000;
export const EARLY_CLOSE_REDIAL_MS = 3_000;

/** How a connection that completed its handshake ended. */
export interface ClosedSession {
  /** The peer closed it (or the network failed) after piece data or ut_metadata pieces went either way. A peer we
   * closed ourselves (a slow reader, a duplicate, room made for a better peer) is not worth redialling soon. */
  readonly traded: boolean;
  /** The peer (or the network) ended it, not we. */
  readonly byPeer: boolean;
  /** How long the connection was open. */
  readonly lastedMs: number;
  /** The peer had every piece: not worth dialling while we have every piece too (see candidates). */
  readonly seed?: boolean;
}

/** `remote`: the connection ended from the peer's side (PeerHandler.onClose). */
export function closedSession(peer: PeerConnection, remote: boolean, now: number): ClosedSession {
  return { traded: remote && (peer.metadataTraded || peer.downloadMeter.total > 0 || peer.uploadMeter.total > 0), byPeer: remote, lastedMs: now - peer.connectedAt, seed: peer.isSeed };
}

export class AddressBook {
  /** BEP 40: once our address is known, addresses are dialled best-ranked first and a full torrent keeps the best. */
  readonly slots = new CanonicalSlots();
  private readonly known = new Map<string, { address: PeerAddress; failures: number; quickCloses: number; earlyClosed: boolean; seed: boolean; nextTry: number }>();
  private readonly banned = new Set<string>();
  private readonly connected = new Set<string>();

  add(address: PeerAddress, now: number): boolean {
    if (address.port <= 0 || address.port > 65535) return false;
    const key = `${address.host}:${address.port}`;
    if (this.known.has(key) || this.isBanned(address.host, address.port)) return false;
    this.known.set(key, { address, failures: 0, quickCloses: 0, earlyClosed: false, seed: false, nextTry: now });
    return true;
  }

  ban(host: string, port: number): void {
    this.banned.add(banKey(host, port));
  }

  isBanned(host: string, port: number): boolean {
    return this.banned.has(banKey(host, port)) || this.banned.has(host);
  }

  markConnected(host: string, port: number): void {
    this.connected.add(`${host}:${port}`);
  }

  /** A dial, or a connection before its handshake completed, failed: retried after retryDelayMs. */
  markFailed(host: string, port: number, now: number): void {
    const entry = this.disconnected(host, port);
    if (!entry) return;
    entry.failures++;
    entry.nextTry = now + retryDelayMs(entry.failures);
  }

  /** A connection that completed its handshake closed: the peer is reachable; redialled soon (tradedRedialDelayMs) if it ended a connection that traded with us, else after IDLE_REDIAL_MS. */
  markClosed(host: string, port: number, session: ClosedSession, now: number): void {
    const entry = this.disconnected(host, port);
    if (!entry) return;
    entry.failures = 0;
    entry.seed = session.seed === true;
    if (session.lastedMs >= QUICK_CLOSE_MS) entry.quickCloses = 0;
    if (session.traded || session.lastedMs >= EARLY_CLOSE_MS) entry.earlyClosed = false;
    if (!session.traded) {
      // Closed by the peer at once: once soon (EARLY_CLOSE_MS), then the idle wait while it keeps doing so.
      const early = session.byPeer && session.lastedMs < EARLY_CLOSE_MS && !entry.earlyClosed;
      if (early) entry.earlyClosed = true;
      entry.nextTry = now + (early ? EARLY_CLOSE_REDIAL_MS : IDLE_REDIAL_MS);
      return;
    }
    if (session.lastedMs < QUICK_CLOSE_MS) entry.quickCloses++;
    entry.nextTry = now + tradedRedialDelayMs(entry.quickCloses);
  }

  private disconnected(host: string, port: number): { failures: number; quickCloses: number; earlyClosed: boolean; seed: boolean; nextTry: number } | undefined {
    const key = `${host}:${port}`;
    this.connected.delete(key);
    return this.known.get(key);
  }

  /** Makes `address` due now, past failures forgotten (added when new): a hole punch dials it at once. False: banned, or connected or dialling already. */
  dueNow(address: PeerAddress, now: number): boolean {
    const key = `${address.host}:${address.port}`;
    if (this.isBanned(address.host, address.port) || this.connected.has(key)) return false;
    const entry = this.known.get(key);
    if (!entry) return this.add(address, now);
    entry.failures = 0;
    entry.nextTry = now;
    return true;
  }

  /** Forgets past failures: every known address is due now (a setting that made them fail changed, e.g. encryption). */
  retryAll(now: number): void {
    for (const entry of this.known.values()) {
      entry.failures = 0;
      entry.nextTry = now;
    }
  }

  isConnected(host: string, port: number): boolean {
    return this.connected.has(`${host}:${port}`);
  }

  /**
   * The connection limit is reached and a peer at `incoming` knocks: true when room was made for it, by
   * closing the connected peer of lowest canonical priority (BEP 40), ranked below the newcomer.
   */
  makeRoom(incoming: { readonly remoteAddress: string; readonly remotePort: number }, peers: Iterable<PeerConnection>): boolean {
    return this.slots.makeRoom({ host: incoming.remoteAddress, port: incoming.remotePort }, peers);
  }

  /**
   * Up to `max` addresses that are due for a connection attempt: the first found, or once our own address
   * is known the highest ranked by BEP 40 canonical priority of all that are due. `weAreSeed`: addresses whose last
   * connection showed a seed are left out, as libtorrent leaves them (two seeds have nothing to trade, and a
   * seeding torrent redialled each of them every 30 s, only to close at the bitfield).
   */
  candidates(max: number, now: number, rank: ((address: PeerAddress) => number) | undefined = this.slots.rank, weAreSeed = false): PeerAddress[] {
    const due: { address: PeerAddress; entry: { nextTry: number }; rank: number }[] = [];
    for (const [key, entry] of this.known) {
      if (!rank && due.length >= max) break;
      if (this.connected.has(key) || entry.nextTry > now || entry.failures > 5 || (weAreSeed && entry.seed)) continue;
      if (this.isBanned(entry.address.host, entry.address.port)) continue;
      due.push({ address: entry.address, entry, rank: rank ? rank(entry.address) : 0 });
    }
    if (rank) due.sort((a, b) => b.rank - a.rank);
    const out = due.slice(0, max);
    for (const d of out) d.entry.nextTry = now + 60_000;
    return out.map((d) => d.address);
  }

  get size(): number {
    return this.known.size;
  }
}
