// Packetization-layer path MTU discovery for one uTP connection (RFC 8899 DPLPMTUD, in the spirit of libtorrent's
// mtu_floor / mtu_ceiling search). Sizes are UDP payload bytes (the whole uTP datagram). Data goes out at `floor`,
// the largest size known to reach the peer; now and then one probe of the midpoint between floor and ceiling goes
// out. An acknowledged probe raises the floor; a size lost MAX_PROBES times in a row lowers the ceiling (one loss
// may be ordinary packet loss, RFC 8899's MAX_PROBES): a binary search that ends when the two are close. Repeated timeouts of ordinary packets mean the path shrank under us (a black hole): back to the base
// size. After a converged search the ceiling is reopened now and then, in case the path grew.
// Pure: sequence numbers and times come in as arguments; the connection decides when a probe may go.
import { HEADER_SIZE } from './packet.js';

/** Losses of the same probe size before it counts as too big (RFC 8899: MAX_PROBES = 3). */
export const MAX_PROBES = 3;

export interface MtuSearchOptions {
  /** The size every path is assumed to carry (data starts here; never goes below). */
  readonly base: number;
  /** The largest size worth trying: the local interface's MTU minus IP and UDP headers. */
  readonly ceiling: number;
  /** The search ends when ceiling - floor is below this (default 16 bytes). */
  readonly precision?: number;
  /** A converged search starts again after this long (RFC 8899's PMTU_RAISE_TIMER: 600 s). */
  readonly raiseAfterMicros?: number;
}

/** What a connection reports of its path MTU discovery (sizes are UDP payloads; payload = datagram - 20). */
export interface PathMtuStats {
  readonly datagram: number;
  readonly payload: number;
  readonly ceiling: number;
  readonly probesSent: number;
  readonly probesAcked: number;
  readonly probesLost: number;
}

export class MtuSearch {
  readonly base: number;
  readonly maxCeiling: number;
  /** Largest datagram known to get through. */
  floor: number;
  /** Largest datagram that may get through. */
  ceiling: number;
  /** Probes sent, acknowledged, lost: for statistics and tests. */
  probesSent = 0;
  probesAcked = 0;
  probesLost = 0;
  /** Sequence number and size of the probe in flight; -1 and 0 when none is. */
  probeSeq = -1;
  probeSize = 0;
  private readonly precision: number;
  private readonly raiseAfter: number;
  /** When the search last converged (or -1 while it runs). */
  private convergedAt = -1;
  /** Consecutive losses of probes of the current midpoint. */
  private failures = 0;

  constructor(opts: MtuSearchOptions) {
    this.base = Math.min(opts.base, opts.ceiling);
    this.maxCeiling = opts.ceiling;
    this.floor = this.base;
    this.ceiling = opts.ceiling;
    this.precision = Math.max(2, opts.precision ?? 16);
    this.raiseAfter = opts.raiseAfterMicros ?? 600_000_000;
  }

  stats(): PathMtuStats {
    return { datagram: this.floor, payload: this.floor - HEADER_SIZE, ceiling: this.ceiling, probesSent: this.probesSent, probesAcked: this.probesAcked, probesLost: this.probesLost };
  }

  get probing(): boolean {
    return this.probeSeq >= 0;
  }

  /** The size the next probe should have, or 0 when no probe is due (one in flight, or the search has converged). */
  nextProbe(nowMicros: number): number {
    if (this.probing) return 0;
    if (this.ceiling - this.floor < this.precision) {
      if (this.convergedAt < 0) this.convergedAt = nowMicros;
      if (nowMicros - this.convergedAt < this.raiseAfter || this.ceiling >= this.maxCeiling) return 0;
      this.ceiling = this.maxCeiling; // the path may have grown: search again above the floor
      this.convergedAt = -1;
    }
    return this.floor + ((this.ceiling - this.floor + 1) >> 1);
  }

  /** A probe of `size` bytes went out as packet `seq`. */
  probeSent(seq: number, size: number): void {
    this.probeSeq = seq;
    this.probeSize = size;
    this.probesSent++;
  }

  /** The peer acknowledged the probe: the path carries its size. */
  probeAcked(): void {
    if (!this.probing) return;
    this.probesAcked++;
    this.floor = Math.max(this.floor, this.probeSize);
    this.failures = 0;
    this.endProbe();
  }

  /** The probe was lost while packets around it arrived: its size does not get through. */
  probeLost(): void {
    if (!this.probing) return;
    this.probesLost++;
    if (++this.failures >= MAX_PROBES) {
      this.ceiling = Math.max(this.floor, this.probeSize - 1);
      this.failures = 0;
    }
    this.endProbe();
  }

  /** Ordinary packets keep timing out: the path may have shrunk below the floor. Start over from the base size. */
  blackHole(): void {
    this.floor = this.base;
    this.ceiling = this.maxCeiling;
    this.failures = 0;
    this.endProbe();
  }

  private endProbe(): void {
    this.probeSeq = -1;
    this.probeSize = 0;
    if (this.ceiling - this.floor >= this.precision) this.convergedAt = -1;
  }
}

/** IPv4 and IPv6 fixed headers, and UDP's. */
export const IPV4_HEADER = 20;
export const IPV6_HEADER = 40;
export const UDP_HEADER = 8;
/** Largest UDP payload: IPv4's total length is 16 bits and counts both headers (65535 - 20 - 8); IPv6's payload length
 *  is 16 bits and excludes its fixed header, so UDP may carry 65535 - 8 without jumbograms. */
export const MAX_UDP_PAYLOAD_V4 = 65_507;
export const MAX_UDP_PAYLOAD_V6 = 65_527;

/** The largest UDP payload a link of `linkMtu` bytes carries in one unfragmented IP packet of `family`. */
export function maxDatagramForLink(linkMtu: number, family: 4 | 6): number {
  const fits = linkMtu - (family === 4 ? IPV4_HEADER : IPV6_HEADER) - UDP_HEADER;
  return Math.min(fits, family === 4 ? MAX_UDP_PAYLOAD_V4 : MAX_UDP_PAYLOAD_V6);
}
