// The receiving half of a uTP connection: puts DATA packets back in order, hands bytes to the reader, tracks the
// ack_nr to advertise, builds the selective-ACK bitmask for packets past a hole, and measures the free receive
// window. In-order packets go straight from the datagram to the reader; only packets that arrive early, or while
// the reader is paused, are copied (each into a buffer of its own size: packets range from 1 KiB to 64 KiB).
import { MAX_SACK_BYTES, seqDiff } from './packet.js';
import { PacketRing } from './ring.js';

/** 'no-room': within sequence range but past our advertised buffer (a zero-window probe); the peer needs an ACK. */
export type DataVerdict = 'new' | 'duplicate' | 'outside-window' | 'no-room';

export class Receiver {
  /** Last sequence number received with nothing missing before it. */
  ackNr = 0;
  private deliverNext = 1;
  /** Highest sequence number held in the ring (meaningful while `outOfOrder` > 0). */
  private highest = 0;
  private outOfOrder = 0;
  private buffered = 0;
  private eofSeq = -1;
  private paused = false;
  /** Set by stop(): the reader is gone, nothing more is delivered. */
  private stopped = false;
  private readonly ring: PacketRing;
  private readonly maxBytes: number;

  /** Buffer space a held packet uses up: at least bufferBytes / slots, so the byte window can never outrun the slots. */
  private readonly minCharge: number;

  /**
   * `bufferBytes` is the budget we advertise; the ring has `slots` slots, and each held packet is charged at least
   * bufferBytes / slots, so a peer that keeps within our window always finds a slot. Payloads over `maxPayload` are
   * refused.
   */
  constructor(
    private readonly maxPayload: number,
    bufferBytes: number,
    slots: number,
    private readonly deliver: (chunk: Uint8Array) => void,
  ) {
    this.ring = new PacketRing(16, Math.max(16, slots));
    this.maxBytes = bufferBytes;
    this.minCharge = Math.ceil(bufferBytes / this.ring.maxSlots);
  }

  /** The peer's next packet will carry `firstSeq`. */
  start(firstSeq: number): void {
    this.ackNr = (firstSeq - 1) & 0xffff;
    this.deliverNext = firstSeq & 0xffff;
  }

  /** Free receive buffer in bytes: what we advertise as wnd_size. */
  get window(): number {
    return Math.max(0, this.maxBytes - this.buffered);
  }

  /** True once the peer's FIN arrived and every byte before it was delivered. */
  get finished(): boolean {
    return this.eofSeq >= 0 && this.deliverNext === ((this.eofSeq + 1) & 0xffff);
  }

  get hasOutOfOrder(): boolean {
    return this.outOfOrder > 0;
  }

  /** A DATA or FIN packet: its payload is `datagram[offset..offset+length)`. */
  onPacket(seq: number, datagram: Uint8Array, offset: number, length: number, isFin: boolean): DataVerdict {
    if (this.eofSeq >= 0 && seqDiff(seq, this.eofSeq) > 0) return 'outside-window'; // nothing exists past the FIN
    const ahead = seqDiff(seq, this.ackNr);
    if (ahead <= 0) return 'duplicate';
    const fromReader = seqDiff(seq, this.deliverNext);
    if (fromReader >= this.ring.maxSlots || length > this.maxPayload) return 'outside-window';
    if (isFin) {
      if (this.eofSeq >= 0 && this.eofSeq !== seq) return 'duplicate';
      this.eofSeq = seq;
    }
    if (ahead === 1 && this.deliverNext === seq && !this.paused && !this.stopped) {
      // The common case: next in order and a reader waiting. No copy.
      this.ackNr = seq;
      this.deliverNext = (seq + 1) & 0xffff;
      if (length > 0) this.deliver(datagram.subarray(offset, offset + length));
    } else {
      if (this.buffered + Math.max(length, this.minCharge) > this.maxBytes) return 'no-room';
      // Grow first: until then seq's slot may hold an older packet.
      while (fromReader >= this.ring.capacity) this.ring.grow(this.deliverNext, seqDiff(this.ackNr, this.deliverNext) + 1 + this.spanPastAck());
      if (this.ring.has(seq)) return 'duplicate';
      const copy = new Uint8Array(length);
      copy.set(datagram.subarray(offset, offset + length));
      this.ring.put(seq, copy, length);
      this.buffered += Math.max(length, this.minCharge);
      if (ahead === 1) this.ackNr = seq;
      else {
        if (this.outOfOrder === 0 || seqDiff(seq, this.highest) > 0) this.highest = seq;
        this.outOfOrder++;
      }
    }
    this.advanceAck();
    this.drain();
    return 'new';
  }

  /** Stops delivering until resume(); arriving data is buffered and the advertised window shrinks. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drain();
  }

  /** The reader is gone: never deliver again. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Writes the selective-ACK bitmask for packets held past the first hole into `out` (bit i: seq ackNr + 2 + i);
   * returns its length in bytes (a multiple of 4), 0 when nothing is out of order.
   */
  writeSack(out: Uint8Array): number {
    if (this.outOfOrder === 0) return 0;
    const span = Math.min(MAX_SACK_BYTES * 8, seqDiff(this.highest, this.ackNr) - 1);
    if (span <= 0) return 0;
    const bytes = Math.min(MAX_SACK_BYTES, ((span + 31) >> 5) << 2);
    out.fill(0, 0, bytes);
    for (let i = 0; i < span; i++) {
      if (this.ring.has((this.ackNr + 2 + i) & 0xffff)) out[i >> 3] = out[i >> 3]! | (1 << (i & 7));
    }
    return bytes;
  }

  private spanPastAck(): number {
    return this.outOfOrder > 0 ? Math.max(0, seqDiff(this.highest, this.ackNr)) : 0;
  }

  /** Moves ackNr over packets that filled a hole. */
  private advanceAck(): void {
    while (this.outOfOrder > 0) {
      const next = (this.ackNr + 1) & 0xffff;
      if (!this.ring.has(next)) break;
      this.ackNr = next;
      this.outOfOrder--;
    }
  }

  /** Hands the reader every buffered in-order packet, unless paused. The reader may pause or stop us meanwhile. */
  private drain(): void {
    const ring = this.ring;
    while (!this.paused && !this.stopped && seqDiff(this.ackNr, this.deliverNext) >= 0) {
      const seq = this.deliverNext;
      if (!ring.has(seq)) break; // delivered straight from its datagram already (cannot happen) or a gap
      const s = ring.slot(seq);
      const len = ring.lengths[s]!;
      const payload = ring.packets[s]!;
      ring.clear(seq);
      this.buffered -= Math.max(len, this.minCharge);
      this.deliverNext = (seq + 1) & 0xffff;
      if (len > 0) this.deliver(payload);
    }
  }
}
