/** A fixed-size bit set in BitTorrent order: bit 0 is the high bit of byte 0. */
export class Bitfield {
  readonly bytes: Uint8Array;
  private setCount = 0;

  constructor(readonly length: number, bytes?: Uint8Array) {
    const byteLength = Math.ceil(length / 8);
    if (bytes) {
      if (bytes.length !== byteLength) throw new RangeError(`bitfield needs ${byteLength} bytes, got ${bytes.length}`);
      this.bytes = new Uint8Array(bytes);
      this.clearSpareBits();
      this.setCount = countBits(this.bytes);
    } else {
      this.bytes = new Uint8Array(byteLength);
    }
  }

  static full(length: number): Bitfield {
    const b = new Bitfield(length);
    b.bytes.fill(0xff);
    b.clearSpareBits();
    b.setCount = length;
    return b;
  }

  /** True when the spare bits past `length` in the last byte are all zero (BEP 3 requires it). */
  static spareBitsClear(length: number, bytes: Uint8Array): boolean {
    const spare = bytes.length * 8 - length;
    if (spare <= 0) return true;
    return (bytes[bytes.length - 1] & ((1 << spare) - 1)) === 0;
  }

  get count(): number {
    return this.setCount;
  }

  get complete(): boolean {
    return this.setCount === this.length;
  }

  get empty(): boolean {
    return this.setCount === 0;
  }

  has(index: number): boolean {
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  /** Sets the bit; returns false when it was already set. */
  set(index: number): boolean {
    if (index < 0 || index >= this.length) throw new RangeError(`bit ${index} out of range 0..${this.length - 1}`);
    const mask = 0x80 >> (index & 7);
    const byte = this.bytes[index >> 3];
    if (byte & mask) return false;
    this.bytes[index >> 3] = byte | mask;
    this.setCount++;
    return true;
  }

  /** Clears the bit; returns false when it was already clear. */
  clear(index: number): boolean {
    if (index < 0 || index >= this.length) throw new RangeError(`bit ${index} out of range 0..${this.length - 1}`);
    const mask = 0x80 >> (index & 7);
    const byte = this.bytes[index >> 3];
    if (!(byte & mask)) return false;
    this.bytes[index >> 3] = byte & ~mask;
    this.setCount--;
    return true;
  }

  copy(): Bitfield {
    return new Bitfield(this.length, this.bytes);
  }

  private clearSpareBits(): void {
    const spare = this.bytes.length * 8 - this.length;
    if (spare > 0) this.bytes[this.bytes.length - 1] &= 0xff << spare;
  }
}

const POPCOUNT = new Uint8Array(256);
for (let i = 0; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

export function countBits(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += POPCOUNT[bytes[i]];
  return n;
}
