// LEDBAT congestion control as BEP 29 describes it (and RFC 6817 frames it): the sender's window grows while the
// one-way queuing delay its packets see stays under a 100 ms target and shrinks when it exceeds it. The delay is
// measured relative to the lowest delay seen recently (the base delay), so the clocks of the two ends need not
// agree. Loss halves the window; a timeout drops it to one packet. Pure: time comes in as arguments.

export interface LedbatOptions {
  /** Largest payload of one packet in bytes: the window never goes below it. */
  readonly packetSize: number;
  /** Target queuing delay (BEP 29: 100 ms). */
  readonly targetMicros?: number;
  /** Most the window grows per round trip when the delay is zero (BEP 29: 3000 bytes). */
  readonly maxIncreasePerRtt?: number;
  /** Upper clamp of the window in bytes. */
  readonly maxWindow?: number;
  /** Starting window in bytes (default: two packets). */
  readonly initialWindow?: number;
  /** Base-delay history: this many one-minute buckets (RFC 6817's BASE_HISTORY is 10). */
  readonly historyMinutes?: number;
}

const MINUTE_MICROS = 60_000_000;

/** Minimum one-way delay per minute over the last few minutes; delays are 32-bit wrapping microsecond counts. */
export class BaseDelayHistory {
  private readonly buckets: Float64Array;
  private current = 0;
  private bucketStart = -1;
  private filled = 0;

  constructor(minutes: number) {
    this.buckets = new Float64Array(Math.max(1, minutes));
  }

  /** Adds one sample taken at `nowMicros`. */
  add(sample: number, nowMicros: number): void {
    if (this.bucketStart < 0) {
      this.bucketStart = nowMicros;
      this.buckets[0] = sample;
      this.filled = 1;
      return;
    }
    if (nowMicros - this.bucketStart >= MINUTE_MICROS * this.buckets.length) {
      // Idle for longer than the whole history: nothing in it is current.
      this.bucketStart = nowMicros;
      this.buckets[this.current] = sample;
      this.filled = 1;
      return;
    }
    while (nowMicros - this.bucketStart >= MINUTE_MICROS) {
      this.bucketStart += MINUTE_MICROS;
      this.current = (this.current + 1) % this.buckets.length;
      this.buckets[this.current] = sample;
      if (this.filled < this.buckets.length) this.filled++;
    }
    if (wrappedLess(sample, this.buckets[this.current]!)) this.buckets[this.current] = sample;
  }

  /** The lowest sample in the history, or null before the first. */
  get base(): number | null {
    if (this.filled === 0) return null;
    let min = this.buckets[this.current]!;
    for (let i = 1; i < this.filled; i++) {
      const b = this.buckets[(this.current - i + this.buckets.length) % this.buckets.length]!;
      if (wrappedLess(b, min)) min = b;
    }
    return min;
  }
}

/** a < b for 32-bit wrapping values (the peer's clock offset is arbitrary, so delays may wrap). */
function wrappedLess(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** The packet size BEP 29's 3000-byte gain per round trip was set for (2.5 packets of 1200 bytes). */
const GAIN_REFERENCE_PACKET = 1200;

export class Ledbat {
  private packetSize: number;
  private readonly target: number;
  private readonly maxIncrease: number;
  private readonly maxWindow: number;
  private readonly history: BaseDelayHistory;
  private windowBytes: number;
  /** The latest queuing delay estimate (sample minus base delay), microseconds. */
  ourDelayMicros = 0;

  constructor(opts: LedbatOptions) {
    this.packetSize = opts.packetSize;
    this.target = opts.targetMicros ?? 100_000;
    this.maxIncrease = opts.maxIncreasePerRtt ?? 3000;
    this.maxWindow = opts.maxWindow ?? 1 << 20;
    this.windowBytes = Math.min(this.maxWindow, opts.initialWindow ?? 2 * opts.packetSize);
    this.history = new BaseDelayHistory(opts.historyMinutes ?? 10);
  }

  /** Bytes the sender may have in flight. */
  get window(): number {
    return this.windowBytes;
  }

  /**
   * An ACK covered `bytesAcked` newly acknowledged bytes. `delaySample` is the one-way delay the peer reported
   * for our packets (timestamp_difference), or null when it reported none. `windowFull` tells whether the
   * sender was using its whole window: an application-limited sender does not grow it (the window would
   * otherwise balloon without ever being tested against the path).
   */
  onAck(bytesAcked: number, delaySample: number | null, nowMicros: number, windowFull: boolean): void {
    if (bytesAcked <= 0) return;
    if (delaySample !== null) {
      this.history.add(delaySample, nowMicros);
      const base = this.history.base!;
      this.ourDelayMicros = Math.max(0, (delaySample - base) | 0);
    }
    const offTarget = this.target - this.ourDelayMicros;
    const delayFactor = offTarget / this.target; // 1 at zero delay, negative above target
    const windowFactor = Math.min(1, bytesAcked / this.windowBytes);
    // The most the window grows per round trip scales with the packet size once packets outgrow 1200 bytes (RFC 6817
    // counts the gain in MSS): with 64 KiB packets on loopback, 3000 bytes per round trip would take minutes to open.
    const maxIncrease = this.maxIncrease * Math.max(1, this.packetSize / GAIN_REFERENCE_PACKET);
    const gain = maxIncrease * delayFactor * windowFactor;
    if (gain > 0 && !windowFull) return;
    this.setWindow(this.windowBytes + gain);
  }

  /** Path MTU discovery changed the packet size: the window's floor (one packet) and its gain follow. */
  setPacketSize(bytes: number): void {
    this.packetSize = bytes;
    if (this.windowBytes < bytes) this.windowBytes = Math.min(this.maxWindow, bytes);
  }

  /** A packet was lost (duplicate ACKs or selective ACKs): halve the window (BEP 29's loss factor 0.5). */
  onLoss(): void {
    this.setWindow(this.windowBytes / 2);
  }

  /** The retransmission timer fired: back to one packet. */
  onTimeout(): void {
    this.windowBytes = this.packetSize;
  }

  private setWindow(bytes: number): void {
    this.windowBytes = Math.min(this.maxWindow, Math.max(this.packetSize, bytes));
  }
}
