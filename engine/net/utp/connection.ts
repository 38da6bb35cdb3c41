// One uTP connection (BEP 29) as a pure state machine: packets, writes and clock ticks go in; datagrams (through
// the injected `send`) and delivered bytes come out. No sockets or timers here: net/utp/socket.ts drives it.
//
// Packet size follows the path (mtu.ts): data starts at payloads of 1200 bytes, a 1220-byte datagram (1248 on the
// wire with IPv4 and UDP headers, 1268 with IPv6), which fits the IPv6 minimum MTU of 1280 and every IPv4 path of
// 1280 or more (PPPoE, most VPNs) without fragmentation. While data flows, probes (payload-less DATA packets padded
// to the size under test) search upward to `maxDatagram`, the local interface's limit; a probe that is lost costs
// nothing, since no data rode on it. Packets are cut from the written bytes when first sent, at the size known good.
import { Ledbat } from './ledbat.js';
import { MtuSearch, type PathMtuStats } from './mtu.js';
import {
  ST_DATA,
  ST_FIN,
  ST_RESET,
  ST_STATE,
  ST_SYN,
  encodeHeader,
  HEADER_SIZE,
  headerLength,
  MAX_SACK_BYTES,
  seqDiff,
  type PacketType,
  type UtpHeaderFields,
  type UtpPacket,
} from './packet.js';
import { Receiver } from './receiver.js';
import { Sender } from './sender.js';

export const DEFAULT_PACKET_SIZE = 1200;
/** Largest payload we accept: a whole IPv4 UDP datagram (65507) less the uTP header. Peers choose their own size. */
export const MAX_RECEIVE_PAYLOAD = 65_487;
/** The receive buffer is counted in packets of this size (an Ethernet-sized datagram's payload). */
const RECEIVE_PACKET_BYTES = 1452;
/** Consecutive timeouts of ordinary packets after which the path is taken to have shrunk (an MTU black hole). */
const BLACK_HOLE_TIMEOUTS = 2;

export interface UtpConnectionOptions {
  /** Payload of the packets data starts with, before path MTU discovery raises it (default 1200 bytes; see above). */
  readonly packetSize?: number;
  /** Largest datagram (UDP payload) worth probing for: the interface's MTU less IP and UDP headers. Default: the
   *  starting size, i.e. no path MTU discovery. */
  readonly maxDatagram?: number;
  /** Send buffer: write() says wait once this many 1200-byte packets' worth is written and not yet acknowledged (default 512). */
  readonly sendBufferPackets?: number;
  /** Receive buffer in packets of 1452 bytes; wnd_size advertises what is free of it (default 1024, 1.5 MB). */
  readonly receiveBufferPackets?: number;
  /** Give up on a SYN after this many retransmissions (default 3: about 15 s with 1, 2, 4, 8 s timeouts). */
  readonly synRetries?: number;
  /** Close after this many consecutive timeouts of the same data (default 6). */
  readonly maxTimeouts?: number;
  /** Close when nothing arrives for this long (default 90 s; live peers send keep-alives). */
  readonly idleTimeoutMicros?: number;
  /** Send a STATE when nothing went out for this long, so NAT mappings and the peer's idle timer stay fresh (default 29 s). */
  readonly keepAliveMicros?: number;
  /** Upper clamp of the congestion window (default 4 MB). */
  readonly maxWindowBytes?: number;
}

/** What a connection reports to whoever drives it. `data` chunks may be reused buffers: copy what you keep. */
export interface UtpConnectionEvents {
  send(datagram: Uint8Array): void;
  data(chunk: Uint8Array): void;
  connected(): void;
  drained(): void;
  closed(reason: string): void;
}

export type UtpState = 'syn-sent' | 'connected' | 'closing' | 'closed';

const INITIAL_RTO = 1_000_000;
const MIN_RTO = 500_000;
const MAX_RTO = 30_000_000;
const DUP_ACK_THRESHOLD = 3;

export class UtpConnection {
  state: UtpState;
  private readonly sender: Sender;
  private readonly receiver: Receiver;
  private readonly ledbat: Ledbat;
  private readonly mtu: MtuSearch;
  /** Payload of the data packets we cut now: the MTU search's floor less the header. */
  private packetSize: number;
  /** The largest payload the peer sent us so far (at least ours): a window below it counts as closed. */
  private peerPacketSize: number;
  private readonly sendLimit: number;
  private readonly synRetries: number;
  private readonly maxTimeouts: number;
  private readonly idleTimeout: number;
  private readonly keepAlive: number;
  private peerWindow: number;
  private rtt = 0;
  private rttVar = 0;
  private rto = INITIAL_RTO;
  /** When the oldest packet in flight times out; 0 when nothing is in flight. */
  private rtoDeadline = 0;
  private timeouts = 0;
  private dupAcks = 0;
  /** A loss at or after this seq starts a new loss event (the window halves once per round trip, not per packet). */
  private lossRecoverySeq: number;
  private ackPending = false;
  private windowWasFull = false;
  /** The window we last advertised was too small for a packet: tell the peer when it reopens. */
  private windowWasClosed = false;
  private lastReceivedAt: number;
  private lastSentAt: number;
  /** timestamp_difference to send back: our receive time minus the peer's send time of its latest packet. */
  private replyMicros = 0;
  /** end() was called: a FIN follows the last byte written. */
  private finRequested = false;
  private synSeq = -1;
  private wantsWrite = false;
  /** The next transmission may ignore a closed receive window (the probe after a timeout). */
  private zeroWindowProbe = false;
  private readonly header: { -readonly [K in keyof UtpHeaderFields]: UtpHeaderFields[K] };
  private readonly sackBuf = new Uint8Array(MAX_SACK_BYTES);
  /** Packets sent, counting retransmissions; and retransmissions alone (for tests and statistics). */
  packetsSent = 0;
  retransmits = 0;

  private constructor(
    readonly recvId: number,
    readonly sendId: number,
    firstSeq: number,
    private readonly events: UtpConnectionEvents,
    opts: UtpConnectionOptions,
    nowMicros: number,
  ) {
    const basePayload = opts.packetSize ?? DEFAULT_PACKET_SIZE;
    this.mtu = new MtuSearch({ base: HEADER_SIZE + basePayload, ceiling: Math.max(HEADER_SIZE + basePayload, opts.maxDatagram ?? 0) });
    this.packetSize = this.peerPacketSize = this.mtu.floor - HEADER_SIZE;
    const sendPackets = pow2(opts.sendBufferPackets ?? 512);
    this.sender = new Sender(sendPackets * 2, firstSeq);
    this.sendLimit = sendPackets * basePayload;
    const receivePackets = pow2(opts.receiveBufferPackets ?? 1024);
    this.receiver = new Receiver(MAX_RECEIVE_PAYLOAD, receivePackets * RECEIVE_PACKET_BYTES, receivePackets * 2, (chunk) => this.events.data(chunk));
    this.ledbat = new Ledbat({ packetSize: this.packetSize, maxWindow: opts.maxWindowBytes ?? 4 << 20 });
    this.synRetries = opts.synRetries ?? 3;
    this.maxTimeouts = opts.maxTimeouts ?? 6;
    this.idleTimeout = opts.idleTimeoutMicros ?? 90_000_000;
    this.keepAlive = opts.keepAliveMicros ?? 29_000_000;
    this.peerWindow = this.packetSize;
    this.lossRecoverySeq = firstSeq;
    this.lastReceivedAt = this.lastSentAt = nowMicros;
    this.state = 'syn-sent';
    this.header = { type: ST_STATE, connectionId: sendId, timestampMicros: 0, timestampDiffMicros: 0, windowSize: 0, seqNr: 0, ackNr: 0 };
  }

  /** Starts an outgoing connection: sends the SYN. `recvId` is random; the peer sends to us with it. */
  static connect(recvId: number, firstSeq: number, events: UtpConnectionEvents, opts: UtpConnectionOptions, nowMicros: number): UtpConnection {
    const c = new UtpConnection(recvId & 0xffff, (recvId + 1) & 0xffff, firstSeq, events, opts, nowMicros);
    c.synSeq = c.sender.addSyn();
    c.transmit(c.synSeq, nowMicros, 0);
    return c;
  }

  /** Answers a SYN: connected at once (the STATE we send is the SYN-ACK). Our ids derive from the SYN's. */
  static accept(syn: UtpPacket, firstSeq: number, events: UtpConnectionEvents, opts: UtpConnectionOptions, nowMicros: number): UtpConnection {
    const c = new UtpConnection((syn.connectionId + 1) & 0xffff, syn.connectionId, firstSeq, events, opts, nowMicros);
    c.state = 'connected';
    c.receiver.start((syn.seqNr + 1) & 0xffff);
    c.peerWindow = syn.windowSize;
    c.replyMicros = (micros32(nowMicros) - syn.timestampMicros) >>> 0;
    c.ackPending = true;
    c.flush(nowMicros);
    return c;
  }

  /** Bytes written and not yet acknowledged. */
  get bufferedBytes(): number {
    return this.sender.buffered;
  }

  /** The congestion window (bytes), for tests and statistics. */
  get congestionWindow(): number {
    return this.ledbat.window;
  }

  /** Path MTU discovery so far: the datagram size data goes out at, the search bounds, and its probes. */
  get pathMtu(): PathMtuStats {
    return this.mtu.stats();
  }

  /** A packet from the peer (already matched to this connection by the socket). `datagram` holds its bytes. */
  receive(p: UtpPacket, datagram: Uint8Array, nowMicros: number): void {
    if (this.state === 'closed') return;
    this.lastReceivedAt = nowMicros;
    if (p.type === ST_RESET) return this.close('connection reset by peer');
    if (p.type === ST_SYN) {
      // A retransmitted SYN: our SYN-ACK was lost. Answer again.
      if (this.synSeq < 0 && seqDiff(p.seqNr, this.receiver.ackNr) === 0) this.ackPending = true;
      return;
    }
    this.replyMicros = (micros32(nowMicros) - p.timestampMicros) >>> 0;
    this.peerWindow = p.windowSize;
    if (this.state === 'syn-sent') {
      if (seqDiff(p.ackNr, this.synSeq) !== 0) return; // not an answer to our SYN
      this.state = 'connected';
      // The SYN-ACK carries the seq of the peer's first DATA (not consumed); a DATA that overtook it is that packet.
      this.receiver.start(p.seqNr);
      this.events.connected();
      if (this.state !== 'connected') return;
    }
    this.onAck(p, datagram, nowMicros);
    if (p.type === ST_DATA || p.type === ST_FIN) {
      if (p.payloadLength > this.peerPacketSize) this.peerPacketSize = p.payloadLength;
      const verdict = this.receiver.onPacket(p.seqNr, datagram, p.payloadOffset, p.payloadLength, p.type === ST_FIN);
      if (verdict !== 'outside-window') this.ackPending = true;
      if (this.receiver.finished && (this.state as UtpState) !== 'closed') {
        this.sendAck(nowMicros);
        return this.close('peer closed the connection');
      }
    }
  }

  /** Queues bytes (copied unless `owned`: the caller gives the buffer up); false when the caller should wait for `drained`. */
  write(bytes: Uint8Array, owned = false): boolean {
    if (this.state === 'closed' || this.finRequested) return false;
    this.sender.write(bytes, owned);
    this.wantsWrite = this.sender.buffered >= this.sendLimit;
    return !this.wantsWrite;
  }

  pauseReading(): void {
    this.receiver.pause();
  }

  resumeReading(nowMicros: number): void {
    this.receiver.resume();
    if (this.windowWasClosed && this.receiver.window >= this.peerPacketSize) {
      this.ackPending = true; // window update
      this.flush(nowMicros);
    }
  }

  /** Graceful close: a FIN goes out after everything written; `closed` fires when it is acknowledged. */
  end(nowMicros: number): void {
    this.receiver.stop();
    if (this.state === 'closed' || this.finRequested) return;
    if (this.state === 'syn-sent') return this.abort('connection closed', nowMicros);
    this.finRequested = true;
    this.sender.requestFin();
    this.state = 'closing';
    this.flush(nowMicros);
  }

  /** Abrupt close: a RESET to the peer, `closed` at once. */
  abort(reason: string, nowMicros: number): void {
    if (this.state === 'closed') return;
    if (this.state !== 'syn-sent') this.sendReset(nowMicros);
    this.close(reason);
  }

  /** Sends what the windows allow, then an ACK if one is owed and no packet carried it. Call after a batch of receives. */
  flush(nowMicros: number): void {
    if (this.state === 'closed') return;
    const s = this.sender;
    let sent = false;
    for (let seq = s.firstLost(); seq >= 0; seq = s.firstLost()) {
      if (!this.fits(s.ring.lengths[s.ring.slot(seq)]!)) break;
      this.transmit(seq, nowMicros, 0);
      this.retransmits++;
      sent = true;
    }
    while (s.hasUnsent && !s.hasLost && this.state !== 'syn-sent') {
      if (!this.sendNew(nowMicros)) break;
      sent = true;
    }
    if (this.ackPending || (this.receiver.hasOutOfOrder && sent)) this.sendAck(nowMicros);
    if (this.wantsWrite && s.buffered < this.sendLimit / 2) {
      this.wantsWrite = false;
      this.events.drained();
    }
  }

  /** Timers: retransmission, connect and idle timeouts, keep-alive. Call every few tens of milliseconds. */
  tick(nowMicros: number): void {
    if (this.state === 'closed') return;
    if (nowMicros - this.lastReceivedAt >= this.idleTimeout) return this.close('timed out: nothing received');
    if (this.rtoDeadline > 0 && nowMicros >= this.rtoDeadline) {
      this.timeouts++;
      if (this.state === 'syn-sent' && this.timeouts > this.synRetries) return this.close('connect timed out');
      if (this.timeouts > this.maxTimeouts) return this.close('timed out: no acknowledgement');
      this.rto = Math.min(MAX_RTO, this.rto * 2);
      this.ledbat.onTimeout();
      this.sender.markAllLost();
      this.checkProbe();
      if (this.timeouts >= BLACK_HOLE_TIMEOUTS && this.state !== 'syn-sent') {
        this.mtu.blackHole();
        this.applyPacketSize();
      }
      this.rtoDeadline = 0;
      this.lossRecoverySeq = this.sender.sendNext;
      this.zeroWindowProbe = true;
      this.flush(nowMicros);
    } else if (this.rtoDeadline === 0 && this.peerWindow < this.packetSize && this.sender.hasUnsent) {
      // The peer's window is closed: probe with one packet after a timeout, in case its update was lost.
      this.rtoDeadline = nowMicros + this.rto;
    }
    if (this.state !== 'syn-sent' && nowMicros - this.lastSentAt >= this.keepAlive) this.sendAck(nowMicros);
    this.flush(nowMicros);
  }

  private onAck(p: UtpPacket, datagram: Uint8Array, nowMicros: number): void {
    const s = this.sender;
    const before = s.sndUna;
    const hadInFlight = s.inFlight > 0 || s.sendNext !== s.sndUna;
    const r = s.onAck(p.ackNr, p.sackLength > 0 ? datagram : null, p.sackOffset, p.sackLength, nowMicros, this.rttSample);
    const progressed = s.sndUna !== before;
    // A peer that answers with a closed window is alive: waiting for it to reopen is not a timeout.
    if (p.windowSize < this.packetSize) this.timeouts = 0;
    if (progressed) {
      this.dupAcks = 0;
      this.timeouts = 0;
      this.rtoDeadline = s.sendNext !== s.sndUna ? nowMicros + this.rto : 0;
      if (s.finSeq >= 0 && s.outstanding === 0 && !s.hasUnsent) return this.close('connection closed');
    } else if (p.type === ST_STATE && hadInFlight && p.sackLength === 0 && seqDiff(p.ackNr, (s.sndUna - 1) & 0xffff) === 0) {
      if (++this.dupAcks === DUP_ACK_THRESHOLD) {
        s.markLost(s.sndUna);
        if (r.lostSeq < 0 || seqDiff(s.sndUna, r.lostSeq) < 0) r.lostSeq = s.sndUna;
      }
    }
    // A lost probe says the path is narrower than the probe, not that it is congested (libtorrent: likewise).
    if (r.lostSeq >= 0 && r.lostSeq !== this.mtu.probeSeq && seqDiff(r.lostSeq, this.lossRecoverySeq) >= 0) {
      this.ledbat.onLoss();
      this.lossRecoverySeq = s.sendNext;
    }
    if (r.bytesAcked > 0) {
      const delay = p.timestampDiffMicros !== 0 ? p.timestampDiffMicros : null;
      this.ledbat.onAck(r.bytesAcked, delay, nowMicros, this.windowWasFull);
      this.windowWasFull = false;
    }
    this.checkProbe();
  }

  /** Settles the probe in flight once the peer acknowledged it or it counts as lost. */
  private checkProbe(): void {
    const fate = this.mtu.probing ? this.sender.fate(this.mtu.probeSeq) : 'pending';
    if (fate === 'lost') this.mtu.probeLost();
    if (fate === 'acked') this.mtu.probeAcked();
    this.applyPacketSize(); // returns at once unless the floor moved
  }

  private applyPacketSize(): void {
    const payload = this.mtu.floor - HEADER_SIZE;
    if (payload === this.packetSize) return;
    this.packetSize = payload;
    if (payload > this.peerPacketSize) this.peerPacketSize = payload;
    this.ledbat.setPacketSize(payload);
  }

  /**
   * The size of a probe to send before the next data packet, or 0. Only while a burst of data follows (its selective
   * ACKs tell a lost probe from a late one) and the window holds a few packets (libtorrent's conditions).
   */
  private probeDue(nowMicros: number): number {
    if (this.state === 'syn-sent' || this.sender.unsentBytes < 2 * this.packetSize || this.ledbat.window < 3 * this.mtu.floor) return 0;
    return this.mtu.nextProbe(nowMicros);
  }

  private readonly rttSample = (micros: number): void => {
    if (micros < 0) return;
    if (this.rtt === 0) {
      this.rtt = micros;
      this.rttVar = micros / 2;
    } else {
      this.rttVar += (Math.abs(this.rtt - micros) - this.rttVar) / 4;
      this.rtt += (micros - this.rtt) / 8;
    }
    this.rto = Math.min(MAX_RTO, Math.max(MIN_RTO, this.rtt + 4 * this.rttVar));
  };

  /** Whether the congestion and receive windows let a packet of `len` payload bytes go now. */
  private fits(len: number): boolean {
    const s = this.sender;
    const window = Math.min(this.ledbat.window, this.peerWindow);
    if (s.inFlight > 0 && s.inFlight + len > window) {
      if (s.inFlight + len > this.ledbat.window) this.windowWasFull = true;
      return false;
    }
    return !(s.inFlight === 0 && len > this.peerWindow && !this.zeroWindowProbe);
  }

  /** Cuts and sends the next new packet (after a probe, when one is due) if the windows allow; false when they do not. */
  private sendNew(nowMicros: number): boolean {
    const s = this.sender;
    if (!this.fits(s.nextLength(this.packetSize)) || !s.canCut()) return false;
    const probe = this.probeDue(nowMicros);
    if (probe > 0) {
      const seq = s.cutProbe();
      this.mtu.probeSent(seq, probe);
      this.transmit(seq, nowMicros, probe - HEADER_SIZE);
      if (!s.canCut()) return true;
    }
    this.transmit(s.cut(this.packetSize), nowMicros, 0);
    return true;
  }

  /**
   * Sends packet `seq` (the caller checked the windows). Its first transmission goes out in the datagram the sender
   * cut, header written in place; a retransmission or a padded probe is copied into a datagram of its own, since
   * the first may still be queued in the UDP socket or the simulator.
   */
  private transmit(seq: number, nowMicros: number, padding: number): void {
    const s = this.sender;
    const ring = s.ring;
    const slot = ring.slot(seq);
    const len = ring.lengths[slot]!;
    const stored = ring.packets[slot]!;
    this.zeroWindowProbe = false;
    const type: PacketType = seq === this.synSeq ? ST_SYN : seq === s.finSeq ? ST_FIN : ST_DATA;
    let datagram = stored;
    if (ring.transmissions[slot] !== 0 || padding > 0) {
      datagram = Buffer.allocUnsafe(headerLength(0, padding) + len);
      if (len > 0) datagram.set(stored.subarray(HEADER_SIZE, HEADER_SIZE + len), HEADER_SIZE + padding);
    }
    this.writeHeader(datagram, type, seq, nowMicros, 0, padding);
    this.send(datagram);
    s.markSent(seq, nowMicros);
    this.lastSentAt = nowMicros;
    if (this.rtoDeadline === 0) this.rtoDeadline = nowMicros + this.rto;
  }

  /** A STATE packet (with a selective ACK when packets are held out of order). */
  private sendAck(nowMicros: number): void {
    const sackLength = this.receiver.writeSack(this.sackBuf);
    const datagram = Buffer.allocUnsafe(headerLength(sackLength));
    this.writeHeader(datagram, ST_STATE, this.sender.sendNext, nowMicros, sackLength, 0);
    this.send(datagram);
    this.lastSentAt = nowMicros;
  }

  /** A RESET to the peer. */
  private sendReset(nowMicros: number): void {
    const datagram = Buffer.allocUnsafe(HEADER_SIZE);
    this.writeHeader(datagram, ST_RESET, this.sender.sendNext, nowMicros, 0, 0);
    this.send(datagram);
  }

  private writeHeader(datagram: Uint8Array, type: PacketType, seq: number, nowMicros: number, sackLength: number, padding: number): void {
    const h = this.header;
    h.type = type;
    // A SYN carries the id the peer must answer to; everything else the id the peer receives on.
    h.connectionId = type === ST_SYN ? this.recvId : this.sendId;
    h.timestampMicros = micros32(nowMicros);
    h.timestampDiffMicros = this.replyMicros;
    const window = this.receiver.window;
    h.windowSize = window;
    this.windowWasClosed = window < this.peerPacketSize;
    h.seqNr = seq;
    h.ackNr = type === ST_SYN ? 0 : this.receiver.ackNr;
    encodeHeader(datagram, h, this.sackBuf, sackLength, padding);
  }

  private send(datagram: Uint8Array): void {
    this.ackPending = false;
    this.packetsSent++;
    this.events.send(datagram);
  }

  private close(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.receiver.stop();
    this.events.closed(reason);
  }
}

/** The low 32 bits of a microsecond clock, as the header's timestamps carry it. */
function micros32(nowMicros: number): number {
  return Math.floor(nowMicros) >>> 0;
}

function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return Math.min(p, 16384);
}
