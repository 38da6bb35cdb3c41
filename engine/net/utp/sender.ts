// The sending half of a uTP connection: the bytes written, cut into packets of at most `packetSize`, each with its
// sequence number, kept until acknowledged. It knows what is in flight, what was lost and must go again, and
// applies cumulative and selective ACKs; the connection decides when to send (window, timers).
import { sackBit, seqDiff } from './packet.js';
import { IN_FLIGHT, NEED_RESEND, PacketRing, PRESENT, SACKED } from './ring.js';

/** Selective ACKs past a packet that make it count as lost (BEP 29 and libtorrent: 3). */
export const SACK_LOSS_THRESHOLD = 3;

export interface AckResult {
  /** Payload bytes acknowledged for the first time. */
  bytesAcked: number;
  /** The lowest packet newly found lost, or -1. */
  lostSeq: number;
}

export class Sender {
  /** Oldest sequence number not yet acknowledged. */
  sndUna: number;
  /** Next sequence number to transmit for the first time. */
  sendNext: number;
  /** Sequence number the next packet written will get. */
  writeSeq: number;
  /** Payload bytes transmitted and not yet acknowledged or lost. */
  inFlight = 0;
  /** Payload bytes written and not yet acknowledged (what back-pressure counts). */
  buffered = 0;
  /** Packets marked NEED_RESEND. */
  private lostCount = 0;
  /** Bytes written while the ring was at its maximum; they move into it as ACKs free slots. */
  private overflow: Uint8Array[] = [];
  readonly ring: PacketRing;
  private readonly result: AckResult = { bytesAcked: 0, lostSeq: -1 };

  constructor(
    readonly packetSize: number,
    maxSlots: number,
    firstSeq: number,
  ) {
    this.ring = new PacketRing(packetSize, Math.min(16, maxSlots), maxSlots);
    this.sndUna = this.sendNext = this.writeSeq = firstSeq & 0xffff;
  }

  /** Packets written and not yet acknowledged. */
  get outstanding(): number {
    return seqDiff(this.writeSeq, this.sndUna);
  }

  get unsentPackets(): number {
    return seqDiff(this.writeSeq, this.sendNext);
  }

  get hasLost(): boolean {
    return this.lostCount > 0;
  }

  /** Appends bytes: fills the last unsent packet, then new packets. */
  write(bytes: Uint8Array): void {
    this.buffered += bytes.length;
    if (this.overflow.length > 0) {
      this.overflow.push(bytes.slice());
      return;
    }
    const taken = this.fill(bytes, 0);
    if (taken < bytes.length) this.overflow.push(bytes.slice(taken));
  }

  /** Adds a payload-less packet (SYN or FIN) after everything written; returns its sequence number. */
  addControl(): number {
    this.moveOverflow();
    if (this.overflow.length > 0 || !this.reserveSlot()) throw new Error('uTP send buffer full'); // callers check canAddControl
    const seq = this.writeSeq;
    this.ring.lengths[this.ring.slot(seq)] = 0;
    this.ring.flags[this.ring.slot(seq)] = PRESENT;
    this.ring.transmissions[this.ring.slot(seq)] = 0;
    this.writeSeq = (seq + 1) & 0xffff;
    return seq;
  }

  canAddControl(): boolean {
    this.moveOverflow();
    return this.overflow.length === 0 && (this.outstanding < this.ring.capacity - 1 || this.ring.capacity < this.ring.maxSlots);
  }

  /** Marks `seq` as transmitted now. */
  markSent(seq: number, nowMicros: number): void {
    const s = this.ring.slot(seq);
    const f = this.ring.flags[s]!;
    if (f & NEED_RESEND) this.lostCount--;
    if (!(f & IN_FLIGHT)) this.inFlight += this.ring.lengths[s]!;
    this.ring.flags[s] = (f & ~NEED_RESEND) | IN_FLIGHT;
    this.ring.sentAt[s] = nowMicros;
    if (this.ring.transmissions[s]! < 255) this.ring.transmissions[s]!++;
    if (seq === this.sendNext) this.sendNext = (seq + 1) & 0xffff;
  }

  /** The first packet that must go again, or -1. */
  firstLost(): number {
    if (this.lostCount === 0) return -1;
    for (let seq = this.sndUna; seq !== this.sendNext; seq = (seq + 1) & 0xffff) {
      if (this.ring.flags[this.ring.slot(seq)]! & NEED_RESEND) return seq;
    }
    this.lostCount = 0; // cannot happen; keeps a miscount from stalling the sender
    return -1;
  }

  /** Marks one transmitted, unacknowledged packet lost (it leaves the in-flight count). */
  markLost(seq: number): void {
    const s = this.ring.slot(seq);
    const f = this.ring.flags[s]!;
    if (!(f & PRESENT) || f & (SACKED | NEED_RESEND)) return;
    if (f & IN_FLIGHT) this.inFlight -= this.ring.lengths[s]!;
    this.ring.flags[s] = (f & ~IN_FLIGHT) | NEED_RESEND;
    this.lostCount++;
  }

  /** The retransmission timer fired: everything in flight counts as lost. */
  markAllLost(): void {
    for (let seq = this.sndUna; seq !== this.sendNext; seq = (seq + 1) & 0xffff) this.markLost(seq);
  }

  /**
   * Applies the peer's ack_nr and optional selective ACK. `rttSample` gets the round trip of each packet
   * acknowledged that was sent once (Karn: a resent packet's ACK is ambiguous). The result object is reused.
   */
  onAck(ackNr: number, sack: Uint8Array | null, sackOffset: number, sackLength: number, nowMicros: number, rttSample: (micros: number) => void): AckResult {
    const r = this.result;
    r.bytesAcked = 0;
    r.lostSeq = -1;
    const ring = this.ring;
    const acked = seqDiff(ackNr, this.sndUna) + 1;
    // Only ACKs of packets we actually sent count; anything else is stale or forged.
    if (acked > 0 && seqDiff(ackNr, this.sendNext) < 0) {
      for (let i = 0; i < acked; i++) {
        const seq = this.sndUna;
        const s = ring.slot(seq);
        const f = ring.flags[s]!;
        const len = ring.lengths[s]!;
        if (f & IN_FLIGHT) this.inFlight -= len;
        if (f & NEED_RESEND) this.lostCount--;
        if (!(f & SACKED)) {
          r.bytesAcked += len;
          if (ring.transmissions[s] === 1) rttSample(nowMicros - ring.sentAt[s]!);
        }
        this.buffered -= len;
        ring.flags[s] = 0;
        this.sndUna = (seq + 1) & 0xffff;
      }
      this.moveOverflow();
    }
    if (sack !== null && sackLength > 0) this.applySack(ackNr, sack, sackOffset, sackLength, nowMicros, rttSample);
    return r;
  }

  private applySack(ackNr: number, sack: Uint8Array, offset: number, length: number, nowMicros: number, rttSample: (micros: number) => void): void {
    const r = this.result;
    const ring = this.ring;
    const bits = length * 8;
    let sackedAbove = 0;
    // From the highest bit down, so each unacknowledged packet knows how many were received after it.
    for (let i = bits - 1; i >= -1; i--) {
      const seq = (ackNr + 2 + i) & 0xffff;
      if (seqDiff(seq, this.sndUna) < 0) break;
      if (seqDiff(seq, this.sendNext) >= 0) continue;
      const s = ring.slot(seq);
      const f = ring.flags[s]!;
      if (i >= 0 && sackBit(sack, offset, i)) {
        sackedAbove++;
        if (f & SACKED) continue;
        if (f & IN_FLIGHT) this.inFlight -= ring.lengths[s]!;
        if (f & NEED_RESEND) this.lostCount--;
        r.bytesAcked += ring.lengths[s]!;
        if (ring.transmissions[s] === 1) rttSample(nowMicros - ring.sentAt[s]!);
        ring.flags[s] = PRESENT | SACKED;
      } else if (sackedAbove >= SACK_LOSS_THRESHOLD && f & IN_FLIGHT) {
        this.markLost(seq);
        r.lostSeq = seq;
      }
    }
  }

  /** Copies as much of `bytes[from..]` as fits into packets; returns how far it got. */
  private fill(bytes: Uint8Array, from: number): number {
    const ring = this.ring;
    let at = from;
    // Top up the last packet if it has not gone out yet.
    if (this.writeSeq !== this.sendNext && at < bytes.length) {
      const last = (this.writeSeq - 1) & 0xffff;
      const s = ring.slot(last);
      const len = ring.lengths[s]!;
      const n = Math.min(this.packetSize - len, bytes.length - at);
      if (n > 0 && (ring.flags[s]! & PRESENT) && ring.transmissions[s] === 0 && len > 0) {
        ring.data.set(bytes.subarray(at, at + n), s * this.packetSize + len);
        ring.lengths[s] = len + n;
        at += n;
      }
    }
    while (at < bytes.length && this.reserveSlot()) {
      const n = Math.min(this.packetSize, bytes.length - at);
      ring.put(this.writeSeq, bytes, at, n);
      this.writeSeq = (this.writeSeq + 1) & 0xffff;
      at += n;
    }
    return at;
  }

  /** Makes room for one more packet at writeSeq (growing the ring if allowed); false when it is full. */
  private reserveSlot(): boolean {
    // One slot stays free so writeSeq never lands on sndUna's slot.
    while (this.outstanding >= this.ring.capacity - 1) {
      if (!this.ring.grow(this.sndUna, this.outstanding)) return false;
    }
    return true;
  }

  private moveOverflow(): void {
    while (this.overflow.length > 0) {
      const head = this.overflow[0]!;
      const taken = this.fill(head, 0);
      if (taken === head.length) this.overflow.shift();
      else {
        this.overflow[0] = head.subarray(taken);
        return;
      }
    }
  }
}
