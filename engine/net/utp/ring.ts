// Packet slots indexed by sequence number (seq mod capacity): the send buffer (packets cut and not yet acknowledged)
// and the receive buffer (packets that arrived out of order or while reading is paused) of a uTP connection. Per-slot
// state lives in typed arrays and each slot holds a reference to its packet's bytes (packets vary in size with the
// path MTU, from about 1 KiB to 64 KiB on loopback, so fixed-size slots would waste most of their memory). A ring
// starts small and doubles up to its maximum when a connection needs more slots: a mostly idle peer costs little.

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
  /** The slot's bytes (the sender keeps whole datagrams, the receiver payload copies); null when empty. */
  packets: (Uint8Array | null)[];
  /** Payload length of the slot's packet. */
  lengths: Uint32Array;
  flags: Uint8Array;
  /** Send side: when the slot was last transmitted (microseconds) and how often. */
  sentAt: Float64Array;
  transmissions: Uint8Array;

  constructor(
    initialSlots: number,
    readonly maxSlots: number,
  ) {
    if ((maxSlots & (maxSlots - 1)) !== 0 || (initialSlots & (initialSlots - 1)) !== 0) throw new RangeError('ring sizes must be powers of two');
    this.capacity = initialSlots;
    this.mask = initialSlots - 1;
    this.packets = new Array<Uint8Array | null>(initialSlots).fill(null);
    this.lengths = new Uint32Array(initialSlots);
    this.flags = new Uint8Array(initialSlots);
    this.sentAt = new Float64Array(initialSlots);
    this.transmissions = new Uint8Array(initialSlots);
  }

  slot(seq: number): number {
    return seq & this.mask;
  }

  has(seq: number): boolean {
    return (this.flags[seq & this.mask]! & PRESENT) !== 0;
  }

  /** Stores `packet` (kept by reference) with a payload of `len` bytes as `seq`. */
  put(seq: number, packet: Uint8Array, len: number): void {
    const s = seq & this.mask;
    this.packets[s] = packet;
    this.lengths[s] = len;
    this.flags[s] = PRESENT;
    this.transmissions[s] = 0;
  }

  clear(seq: number): void {
    const s = seq & this.mask;
    this.flags[s] = 0;
    this.packets[s] = null;
  }

  /**
   * Doubles the capacity (up to maxSlots) keeping the `count` live slots that start at `firstSeq`; returns false at
   * the maximum. Sequence numbers are 16 bits and capacities divide 2^16, so seq & mask stays a valid index.
   */
  grow(firstSeq: number, count: number): boolean {
    if (this.capacity >= this.maxSlots) return false;
    const old = { packets: this.packets, lengths: this.lengths, flags: this.flags, sentAt: this.sentAt, transmissions: this.transmissions, mask: this.mask };
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.packets = new Array<Uint8Array | null>(this.capacity).fill(null);
    this.lengths = new Uint32Array(this.capacity);
    this.flags = new Uint8Array(this.capacity);
    this.sentAt = new Float64Array(this.capacity);
    this.transmissions = new Uint8Array(this.capacity);
    for (let i = 0; i < count; i++) {
      const seq = (firstSeq + i) & 0xffff;
      const from = seq & old.mask;
      const to = seq & this.mask;
      this.packets[to] = old.packets[from]!;
      this.lengths[to] = old.lengths[from]!;
      this.flags[to] = old.flags[from]!;
      this.sentAt[to] = old.sentAt[from]!;
      this.transmissions[to] = old.transmissions[from]!;
    }
    return true;
  }
}
