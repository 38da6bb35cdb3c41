// Bottleneck shaping without netem: an htb class caps the rate of a veth end's egress and a byte FIFO under it
// holds `queueMs` worth of that rate, so a flow that outruns the link builds up to that much queueing delay.

export interface Shape {
  /** tc-style rate: `<number>(bit|kbit|mbit|gbit)`, e.g. '20mbit'. */
  readonly rate: string;
  /** How much delay the queue can hold at `rate` before it drops (tail drop). Default 250 ms. */
  readonly queueMs?: number;
}

const UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };
/** A full-size Ethernet frame: the FIFO holds at least two, whatever the rate. */
const MIN_QUEUE_BYTES = 2 * 1514;

/** Bits per second of a tc-style rate string. */
export function parseRate(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/.exec(rate);
  if (!m) throw new Error(`lab: rate ${JSON.stringify(rate)} must look like 20mbit (units bit, kbit, mbit, gbit)`);
  const bps = Number(m[1]) * UNITS[m[2]];
  if (!(bps >= 8000)) throw new Error(`lab: rate ${rate} is below 8kbit`);
  return bps;
}

/** Byte limit of the FIFO that holds `queueMs` at `rate`. */
export function queueBytes(rate: string, queueMs: number): number {
  if (!(queueMs > 0 && queueMs <= 10_000)) throw new Error(`lab: queueMs ${queueMs} must be in (0, 10000]`);
  return Math.max(MIN_QUEUE_BYTES, Math.round((parseRate(rate) / 8) * (queueMs / 1000)));
}

/**
 * `tc` argument lists that shape `dev`'s egress (run inside its namespace). The htb quantum is set explicitly so the
 * kernel does not warn about the r2q default at high rates; the burst is small so the rate holds over short intervals.
 */
export function shapingCommands(dev: string, shape: Required<Shape>): string[][] {
  const bps = parseRate(shape.rate);
  const quantum = Math.min(60_000, Math.max(1514, Math.round(bps / 8 / 1000)));
  return [
    ['qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10'],
    ['class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', shape.rate, 'ceil', shape.rate, 'quantum', String(quantum)],
    ['qdisc', 'add', 'dev', dev, 'parent', '1:10', 'handle', '10:', 'bfifo', 'limit', String(queueBytes(shape.rate, shape.queueMs))],
  ];
}
