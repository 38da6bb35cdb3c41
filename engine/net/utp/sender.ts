// The sending half of a uTP connection: the bytes written, queued until the connection cuts them into packets as it
// sends (so each packet takes the packet size the path allows at that moment), each packet with its sequence number
// kept until acknowledged. It knows what is in flight, what was lost and must go again, and applies cumulative and
// selective ACKs; the connection decides when to send (window, timers) and how big a packet may be.
import { HEADER_SIZE, sackBit, seqDiff } from './packet.js';
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
  /** Next sequence number to transmit for the first time (packets are cut when first sent: also the next to cut). */
  sendNext: number;
  /** Payload bytes transmitted and not yet acknowledged or lost. */
  inFlight = 0;
  /** Payload bytes written and not yet acknowledged (what back-pressure counts). */
  buffered = 0;
  /** Bytes written and not yet cut into packets. */
  unsentBytes = 0;
  /** The FIN's sequence number once cut, -1 before. */
  finSeq = -1;
  /** A FIN goes out after the last byte written. */
  private finPending = false;
  /** Packets marked NEED_RESEND. */
  private lostCount = 0;
  /** Written chunks not yet cut, from `queueHead` on; `queueOffset` bytes of the first are cut already. */
  private queue: Uint8Array[] = [];
  private queueHead = 0;
  private queueOffset = 0;
  readonly ring: PacketRing;
  private readonly result: AckResult = { bytesAcked: 0, lostSeq: -1 };

  constructor(maxSlots: number, firstSeq: number) {
    this.ring = new PacketRing(Math.min(16, maxSlots), maxSlots);
    this.sndUna = this.sendNext = firstSeq & 0xffff;
  }

  /** Packets cut and not yet acknowledged. */
  get outstanding(): number {
    return seqDiff(this.sendNext, this.sndUna);
  }

  /** Something is waiting to be cut and sent for the first time (bytes, or the FIN). */
  get hasUnsent(): boolean {
    return this.unsentBytes > 0 || this.finPending;
  }

  get hasLost(): boolean {
    return this.lostCount > 0;
  }

  /** Queues bytes. `owned`: the caller gives the buffer up, so it is kept without a copy. */
  write(bytes: Uint8Array, owned = false): void {
    if (bytes.length === 0) return;
    // new Uint8Array(view) copies (a Buffer's slice() would not).
    this.queue.push(owned ? bytes : new Uint8Array(bytes));
    this.unsentBytes += bytes.length;
    this.buffered += bytes.length;
  }

  /** The SYN: a payload-less packet cut at once (nothing is written before it). Returns its sequence number. */
  addSyn(): number {
    return this.cutPacket(0);
  }

  /** Asks for a FIN after everything written. */
  requestFin(): void {
    this.finPending = true;
  }

  /** A slot is free for one more packet (growing the ring if allowed). */
  canCut(): boolean {
    // One slot stays free so sendNext never lands on sndUna's slot.
    while (this.outstanding >= this.ring.capacity - 1) {
      if (!this.ring.grow(this.sndUna, this.outstanding)) return false;
    }
    return true;
  }

  /** Payload length the next packet would get with at most `maxPayload` bytes. */
  nextLength(maxPayload: number): number {
    return Math.min(maxPayload, this.unsentBytes);
  }

  /**
   * Cuts the next packet: up to `maxPayload` queued bytes (or the FIN once they are all cut). Its bytes are stored as
   * a datagram with HEADER_SIZE bytes of room in front for the header. Call canCut() first. Returns the sequence number.
   */
  cut(maxPayload: number): number {
    const isFin = this.unsentBytes === 0 && this.finPending;
    const seq = this.cutPacket(this.nextLength(maxPayload));
    if (isFin) {
      this.finPending = false;
      this.finSeq = seq;
    }
    return seq;
  }

  /** Cuts a payload-less DATA packet (a path MTU probe: the connection pads it). Call canCut() first. */
  cutProbe(): number {
    return this.cutPacket(0);
  }

  /** The stored datagram of packet `seq` (payload at HEADER_SIZE) and its payload length. */
  datagramOf(seq: number): Uint8Array {
    return this.ring.packets[this.ring.slot(seq)]!;
  }

  private cutPacket(len: number): number {
    const seq = this.sendNext;
    const datagram = Buffer.allocUnsafe(HEADER_SIZE + len);
    let at = HEADER_SIZE;
    let left = len;
    while (left > 0) {
      const chunk = this.queue[this.queueHead]!;
      const n = Math.min(left, chunk.length - this.queueOffset);
      datagram.set(n === chunk.length ? chunk : chunk.subarray(this.queueOffset, this.queueOffset + n), at);
      at += n;
      left -= n;
      this.queueOffset += n;
      if (this.queueOffset === chunk.length) {
        this.queue[this.queueHead++] = EMPTY;
        this.queueOffset = 0;
      }
    }
    if (this.queueHead > 64 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    this.unsentBytes -= len;
    this.ring.put(seq, datagram, len);
    return seq;
  }


  /** What became of transmitted packet `seq`: acknowledged (cumulatively or selectively), lost (resent or due to be), or neither yet. */
  fate(seq: number): 'acked' | 'lost' | 'pending' {
    const s = this.ring.slot(seq);
    if (seqDiff(seq, this.sndUna) < 0 || this.ring.flags[s]! & SACKED) return 'acked';
    return this.ring.flags[s]! & NEED_RESEND || this.ring.transmissions[s]! > 1 ? 'lost' : 'pending';
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
        ring.clear(seq);
        this.sndUna = (seq + 1) & 0xffff;
      }
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
}

const EMPTY = new Uint8Array(0);
