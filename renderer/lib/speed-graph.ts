/** The speed graph's maths: a rate axis with round ticks in binary units, a time axis, and series points. Pure. */

/** What the graph reads from a SpeedHistory ring buffer. */
export interface RateSeries {
  readonly length: number;
  readonly times: Float64Array;
  readonly down: Float64Array;
  readonly up: Float64Array;
  slot(i: number): number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface RateAxis {
  /** The top of the axis in bytes/s: a whole number of steps at or above the data. */
  max: number;
  step: number;
  ticks: Tick[];
}

const UNITS = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'] as const;

/**
 * Round steps (1, 2 or 5 × 10^k of one binary unit) so about `target` ticks cover `peak`. `floor` keeps an
 * idle graph from zooming into noise: 0..10 KiB/s rather than 0..3 B/s.
 */
export function rateAxis(peak: number, target = 4, floor = 10 * 1024): RateAxis {
  const m = Math.max(Number.isFinite(peak) ? peak : 0, floor, 1);
  let u = 0;
  while (u < UNITS.length - 1 && m >= 1024 ** (u + 1)) u++;
  const unit = 1024 ** u;
  const rough = m / unit / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(rough));
  // Of the round steps near the rough one, the one whose tick count comes closest to the target.
  let stepUnits = mag;
  let bestMiss = Infinity;
  for (const nice of [1, 2, 5, 10]) {
    const miss = Math.abs(Math.ceil(m / unit / (nice * mag) - 1e-9) - target);
    if (miss < bestMiss) {
      bestMiss = miss;
      stepUnits = nice * mag;
    }
  }
  const step = stepUnits * unit;
  const count = Math.max(1, Math.ceil(m / step - 1e-9));
  const decimals = stepUnits >= 1 ? 0 : Math.ceil(-Math.log10(stepUnits) - 1e-9);
  const ticks: Tick[] = [];
  for (let i = 0; i <= count; i++) {
    const inUnits = i * stepUnits;
    ticks.push({ value: i * step, label: i === 0 ? '0' : `${trim(inUnits.toFixed(decimals))} ${UNITS[u]}` });
  }
  return { max: count * step, step, ticks };
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Time ticks, oldest first, as offsets from now in ms: every minute over 5 minutes, "now" last. */
export function timeTicks(windowMs: number, stepMs = 60_000): Tick[] {
  const ticks: Tick[] = [];
  for (let t = -Math.floor(windowMs / stepMs) * stepMs; t <= 0; t += stepMs) {
    ticks.push({ value: t, label: t === 0 ? 'now' : `−${formatSpan(-t)}` });
  }
  return ticks;
}

function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The highest download or upload rate among samples at or after `from`. */
export function peakSince(h: RateSeries, from: number): number {
  let peak = 0;
  for (let i = 0; i < h.length; i++) {
    const s = h.slot(i);
    if (h.times[s] < from) continue;
    if (h.down[s] > peak) peak = h.down[s];
    if (h.up[s] > peak) peak = h.up[s];
  }
  return peak;
}

export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The series as x, y pairs inside `rect`, from the last sample before the window (so the line enters
 * from the left edge) to the newest. Rates above `max` are clamped to the top.
 */
export function seriesPoints(h: RateSeries, which: 'down' | 'up', now: number, windowMs: number, rect: PlotRect, max: number): Float64Array {
  const from = now - windowMs;
  let first = 0;
  for (let i = 0; i < h.length; i++) {
    if (h.times[h.slot(i)] >= from) break;
    first = i;
  }
  const count = h.length - first;
  const out = new Float64Array(Math.max(0, count) * 2);
  const values = which === 'down' ? h.down : h.up;
  for (let i = 0; i < count; i++) {
    const s = h.slot(first + i);
    const x = rect.left + ((h.times[s] - from) / windowMs) * rect.width;
    const v = Math.min(Math.max(values[s], 0), max);
    out[i * 2] = Math.max(rect.left, x);
    out[i * 2 + 1] = rect.top + rect.height - (max > 0 ? (v / max) * rect.height : 0);
  }
  return out;
}

/** The newest sample's rates, or zeros. */
export function latest(h: RateSeries): { down: number; up: number; time: number } {
  if (h.length === 0) return { down: 0, up: 0, time: 0 };
  const s = h.slot(h.length - 1);
  return { down: h.down[s], up: h.up[s], time: h.times[s] };
}
