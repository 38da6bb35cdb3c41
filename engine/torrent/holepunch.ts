/**
 * BEP 55 hole punching for one torrent, all three roles:
 * - relay: a connected peer asks us (rendezvous) to introduce it to another peer we are connected to; we send
 *   `connect` to both, each naming the other, or an error saying why not. Rate-limited per asking peer, so a
 *   hostile peer cannot make us send a stream of messages.
 * - initiator: a peer that PEX told us about cannot be dialled (behind NAT): we ask a peer that told us about it,
 *   is connected and speaks ut_holepunch to introduce us.
 * - target (and the initiator again): a relay's `connect` makes us dial the named peer at once over uTP. Both
 *   sides dial at the same moment, so each side's first packets open its own router's NAT state for the other's.
 *   The two connections this makes are settled to one by the duplicate rule (peer/admission.ts).
 * A state machine over the caller's clock; no timers or sockets here.
 */
import type { Clock } from '../common/clock.js';
import type { PeerAddress } from '../peer/address-book.js';
import { decodeHolepunch, encodeHolepunch, HolepunchError, holepunchErrorName, WireError, type ExtendedHandshake, type Message } from '../wire/index.js';
import { normaliseHost } from './pex.js';

export const HOLEPUNCH_EXTENSION = 'ut_holepunch';
/** Messages from one peer we act on (rendezvous relayed, errors sent, connects dialled) per window; more are ignored. */
export const HOLEPUNCH_BUDGET = 8;
export const HOLEPUNCH_BUDGET_WINDOW_MS = 60_000;
/** A target we asked a relay about is not asked about again for this long. */
export const RENDEZVOUS_RETRY_MS = 120_000;
/** Peers remembered per address as having told us about it (PEX), and addresses remembered. */
const MAX_SOURCES_PER_ADDRESS = 4;
const MAX_ADDRESSES = 4096;

/** What hole punching needs of a connection (PeerConnection satisfies it). */
export interface HolepunchConnection {
  readonly incoming: boolean;
  readonly closed: boolean;
  /** BEP 10 `m`: extension name -> the id the peer wants us to use (0: disabled). */
  readonly extensions: ReadonlyMap<string, number>;
  readonly transport: { readonly remoteAddress: string; readonly remotePort: number; readonly kind?: 'tcp' | 'utp' };
  readonly address: string;
  sendMessage(msg: Message): boolean;
}

export interface HolepunchHost<P extends HolepunchConnection> {
  readonly peers: ReadonlySet<P>;
  /** Dial `address` now, over uTP (the peer there is dialling us at the same moment). */
  punch(address: PeerAddress): void;
  log(line: string): void;
}

interface Budget {
  windowStart: number;
  used: number;
}

export class Holepunch<P extends HolepunchConnection> {
  /** Listen ports from extended handshakes (BEP 10 `p`): where an incoming TCP peer can be dialled. */
  private readonly listenPorts = new WeakMap<P, number>();
  private readonly budgets = new WeakMap<P, Budget>();
  /** "host:port" -> the peers that told us about it by PEX, newest last. */
  private readonly sources = new Map<string, P[]>();
  /** "host:port" -> when we last asked a relay to introduce us. */
  private readonly asked = new Map<string, number>();
  /** Messages ignored for going over a peer's budget (for tests and stats). */
  ignored = 0;

  constructor(
    private readonly host: HolepunchHost<P>,
    private readonly clock: Clock,
  ) {}

  onHandshake(peer: P, hs: ExtendedHandshake): void {
    if (hs.p !== undefined) this.listenPorts.set(peer, hs.p);
  }

  /** PEX from `source` named these addresses: it is a relay we may ask about them. */
  learned(addresses: readonly PeerAddress[], source: P): void {
    for (const a of addresses) {
      const key = `${a.host}:${a.port}`;
      const list = this.sources.get(key) ?? [];
      if (!list.includes(source)) list.push(source);
      if (list.length > MAX_SOURCES_PER_ADDRESS) list.shift();
      this.sources.delete(key); // re-inserted as the newest
      this.sources.set(key, list);
      if (this.sources.size > MAX_ADDRESSES) this.sources.delete(this.sources.keys().next().value!);
    }
  }

  /** Our dial to host:port failed (refused or timed out): ask a relay that knows it to introduce us. */
  dialFailed(host: string, port: number): void {
    const key = `${host}:${port}`;
    const now = this.clock.now();
    const last = this.asked.get(key);
    if (last !== undefined && now - last < RENDEZVOUS_RETRY_MS) return;
    const relay = [...(this.sources.get(key) ?? [])].reverse().find((p) => !p.closed && this.host.peers.has(p) && idOf(p) > 0);
    if (!relay) return;
    this.asked.delete(key);
    this.asked.set(key, now);
    if (this.asked.size > MAX_ADDRESSES) this.asked.delete(this.asked.keys().next().value!);
    this.host.log(`hole punch: ${host}:${port} cannot be dialled; asking ${relay.address} to introduce us (BEP 55 rendezvous)`);
    this.send(relay, { type: 'rendezvous', host, port });
  }

  /** A ut_holepunch message from `peer`; a malformed one throws WireError (the connection closes). */
  message(peer: P, payload: Uint8Array): void {
    const msg = decodeHolepunch(payload);
    if (msg.type === 'unknown') return;
    if (msg.type === 'error') {
      this.host.log(`hole punch: ${peer.address} cannot introduce us to ${msg.host}:${msg.port}: ${holepunchErrorName(msg.error)}`);
      return;
    }
    if (!this.spend(peer)) return;
    if (msg.type === 'rendezvous') this.relay(peer, { host: msg.host, port: msg.port });
    else this.connect(peer, { host: msg.host, port: msg.port });
  }

  /** Relay role: introduce `from` to the peer at `target`, or tell `from` why we cannot. */
  private relay(from: P, target: PeerAddress): void {
    const host = normaliseHost(target.host);
    const error = (code: number): void => {
      this.host.log(`hole punch: cannot introduce ${from.address} to ${target.host}:${target.port}: ${holepunchErrorName(code)}`);
      this.send(from, { type: 'error', host: target.host, port: target.port, error: code });
    };
    if (host === null || target.port === 0 || isUnspecified(host)) return error(HolepunchError.noSuchPeer);
    const to = this.findPeer(host, target.port);
    if (!to) return error(HolepunchError.notConnected);
    if (to === from) return error(HolepunchError.noSelf);
    if (idOf(to) === 0) return error(HolepunchError.noSupport);
    const fromEndpoint = this.endpointOf(from);
    if (!fromEndpoint) return error(HolepunchError.noSuchPeer);
    this.host.log(`hole punch: introducing ${from.address} and ${to.address} (BEP 55 connect to both)`);
    this.send(from, { type: 'connect', host: target.host, port: target.port });
    this.send(to, { type: 'connect', host: fromEndpoint.host, port: fromEndpoint.port });
  }

  /** Target or initiator: the relay says dial `address` now; the peer there dials us at the same moment. */
  private connect(relay: P, address: PeerAddress): void {
    const host = normaliseHost(address.host);
    if (host === null || address.port === 0 || isUnspecified(host)) return;
    if (this.findPeer(host, address.port)) return; // connected already
    this.host.log(`hole punch: ${relay.address} says dial ${host}:${address.port}; dialling over uTP now`);
    this.host.punch({ host, port: address.port });
  }

  /** The connected peer reachable at host:port: its remote endpoint, or its address with its listen port. */
  private findPeer(host: string, port: number): P | undefined {
    for (const p of this.host.peers) {
      if (p.closed || normaliseHost(p.transport.remoteAddress) !== host) continue;
      if (p.transport.remotePort === port || this.listenPorts.get(p) === port) return p;
    }
    return undefined;
  }

  /**
   * Where the other side of a punch should dial `peer`: over uTP, the endpoint its packets come from (its router's
   * mapping of its uTP port, which the punch reuses); dialled by us, the port we dialled; else its listen port.
   */
  private endpointOf(peer: P): PeerAddress | null {
    const host = normaliseHost(peer.transport.remoteAddress);
    if (host === null) return null;
    const port = peer.transport.kind === 'utp' || !peer.incoming ? peer.transport.remotePort : this.listenPorts.get(peer);
    return port === undefined || port === 0 ? null : { host, port };
  }

  /** Counts one message acted on against the peer's budget; false once it is spent for this window. */
  private spend(peer: P): boolean {
    const now = this.clock.now();
    let b = this.budgets.get(peer);
    if (!b || now - b.windowStart >= HOLEPUNCH_BUDGET_WINDOW_MS) {
      b = { windowStart: now, used: 0 };
      this.budgets.set(peer, b);
    }
    if (b.used >= HOLEPUNCH_BUDGET) {
      if (this.ignored++ % 100 === 0) this.host.log(`hole punch: ignoring messages from ${peer.address} (more than ${HOLEPUNCH_BUDGET} a minute)`);
      return false;
    }
    b.used++;
    return true;
  }

  private send(peer: P, msg: Parameters<typeof encodeHolepunch>[0]): void {
    const id = idOf(peer);
    if (id === 0) return;
    try {
      peer.sendMessage({ type: 'extended', id, payload: encodeHolepunch(msg) });
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.host.log(`hole punch: not sent to ${peer.address}: ${err.message}`);
    }
  }
}

/** The peer's ut_holepunch id, 0 when it does not speak it. */
function idOf(peer: HolepunchConnection): number {
  return peer.extensions.get(HOLEPUNCH_EXTENSION) ?? 0;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
