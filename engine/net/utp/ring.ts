// Fixed-size packet slots indexed by sequence number (seq mod capacity): the send buffer (packets written but not
// yet acknowledged) and the receive buffer (packets that arrived out of order or while reading is paused) of a uTP
// connection. Payloads live in one flat byte array and per-slot state in typed arrays, so the hot path creates no
// objects per packet. A ring starts small and doubles up to its maximum when a connection needs more slots: a
// mostly idle peer costs a few KiB, not a full window.

/** Slot flags. */
export const PRESENT = 1;
/** Send side: transmitted and neither acknowledged nor considered lost. */
export const IN_FLIGHT = 2;
/** Send side: the peer acknowledged it selectively. */
export const SACKED = 4;
/** Send side: considered lost; goes out again when the window allows. */
export const NEED_RESEND = 8;

export class PacketRing {
  capacity: number;
  private mask: number;
  data: Uint8Array;
  lengths: Uint16Array;
  flags: Uint8Array;
  /** Send side: when the slot was last transmitted (microseconds) and how often. */
  sentAt: Float64Array;
  transmissions: Uint8Array;

  constructor(
    readonly slotSize: number,
    initialSlots: number,
    readonly maxSlots: number,
  ) {
    if ((maxSlots & (maxSlots - 1)) !== 0 || (initialSlots & (initialSlots - 1)) !== 0) throw new RangeError('ring sizes must be powers of two');
    this.capacity = initialSlots;
    this.mask = initialSlots - 1;
    this.data = new Uint8Array(initialSlots * slotSize);
    this.lengths = new Uint16Array(initialSlots);
    this.flags = new Uint8Array(initialSlots);
    this.sentAt = new Float64Array(initialSlots);
    this.transmissions = new Uint8Array(initialSlots);
  }

  slot(seq: number): number {
    return seq & this.mask;
  }

  /** Byte offset of a sequence number's payload in `data`. */
  offset(seq: number): number {
    return (seq & this.mask) * this.slotSize;
  }

  has(seq: number): boolean {
    return (this.flags[seq & this.mask]! & PRESENT) !== 0;
  }

  /** Stores a copy of `src[from..from+len)` as `seq`'s payload. */
  put(seq: number, src: Uint8Array, from: number, len: number): void {
    const s = seq & this.mask;
    this.data.set(src.subarray(from, from + len), s * this.slotSize);
    this.lengths[s] = len;
    this.flags[s] = PRESENT;
    this.transmissions[s] = 0;
  }

  clear(seq: number): void {
    this.flags[seq & this.mask] = 0;
  }

  /**
   * Doubles the capacity (up to maxSlots) keeping the `count` live slots that start at `firstSeq`; returns false at
   * the maximum. Sequence numbers are 16 bits and capacities divide 2^16, so seq & mask stays a valid index.
   */
  grow(firstSeq: number, count: number): boolean {
    if (this.capacity >= this.maxSlots) return false;
    const old = { data: this.data, lengths: this.lengths, flags: this.flags, sentAt: this.sentAt, transmissions: this.transmissions, mask: this.mask };
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.data = new Uint8Array(this.capacity * this.slotSize);
    this.lengths = new Uint16Array(this.capacity);
    this.flags = new Uint8Array(this.capacity);
    this.sentAt = new Float64Array(this.capacity);
    this.transmissions = new Uint8Array(this.capacity);
    for (let i = 0; i < count; i++) {
      const seq = (firstSeq + i) & 0xffff;
      const from = seq & old.mask;
      const to = seq & this.mask;
      this.data.set(old.data.subarray(from * this.slotSize, (from + 1) * this.slotSize), to * this.slotSize);
      this.lengths[to] = old.lengths[from]!;
      this.flags[to] = old.flags[from]!;
      this.sentAt[to] = old.sentAt[from]!;
      this.transmissions[to] = old.transmissions[from]!;
    }
    return true;
  }
}
