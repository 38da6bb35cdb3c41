/**
 * The session speed graph's recent samples in localStorage, so a reload does not start the graph empty.
 * Bounded: at most MAX_SAVED_SAMPLES, none older than the graph's window, stored as compact JSON.
 */
import type { SpeedHistory } from '../store/speed-history.js';
import { readJsonObject, writeItem, type StoreReader, type StoreWriter } from './local-store.js';

export const SPEED_HISTORY_KEY = 'tessera.speedHistory';
/** Five minutes at four batches a second, the graph's longest span. */
export const MAX_SAVED_SAMPLES = 1200;
export const MAX_SAMPLE_AGE_MS = 5 * 60_000;

interface Saved {
  v: 1;
  /** Times as offsets in ms from `at`, rates rounded to whole bytes/s. */
  at: number;
  t: number[];
  d: number[];
  u: number[];
}

/** The newest samples (at most `max`), as the JSON text to store. */
export function serializeHistory(h: SpeedHistory, max = MAX_SAVED_SAMPLES): string {
  const n = Math.min(h.length, max);
  const first = h.length - n;
  const at = n > 0 ? h.times[h.slot(first)] : 0;
  const saved: Saved = { v: 1, at, t: [], d: [], u: [] };
  for (let i = first; i < h.length; i++) {
    const s = h.slot(i);
    saved.t.push(Math.round(h.times[s] - at));
    saved.d.push(Math.round(h.down[s]));
    saved.u.push(Math.round(h.up[s]));
  }
  return JSON.stringify(saved);
}

function numbers(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
}

/**
 * Puts the stored samples younger than `maxAgeMs` (and older than any sample `h` already has, e.g. from
 * a batch that arrived first) in front of `h`'s own, in time order. Anything malformed is ignored.
 * Returns how many were restored.
 */
export function restoreHistory(h: SpeedHistory, storage: StoreReader, now: number, maxAgeMs = MAX_SAMPLE_AGE_MS): number {
  const raw = readJsonObject(storage, SPEED_HISTORY_KEY);
  if (!raw || raw.v !== 1 || typeof raw.at !== 'number' || !Number.isFinite(raw.at)) return 0;
  const { t, d, u } = raw;
  if (!numbers(t) || !numbers(d) || !numbers(u) || t.length !== d.length || t.length !== u.length) return 0;
  const own = { t: [] as number[], d: [] as number[], u: [] as number[] };
  for (let i = 0; i < h.length; i++) {
    const s = h.slot(i);
    own.t.push(h.times[s]);
    own.d.push(h.down[s]);
    own.u.push(h.up[s]);
  }
  const before = own.t.length > 0 ? Math.min(now, own.t[0] - 1) : now;
  h.clear();
  let last = -Infinity;
  let restored = 0;
  const start = Math.max(0, t.length - h.capacity);
  for (let i = start; i < t.length; i++) {
    const time = raw.at + t[i];
    if (time < now - maxAgeMs || time > before || time < last) continue;
    h.push(time, d[i], u[i]);
    last = time;
    restored++;
  }
  for (let i = 0; i < own.t.length; i++) h.push(own.t[i], own.d[i], own.u[i]);
  return restored;
}

export function saveHistory(h: SpeedHistory, storage: StoreWriter): void {
  writeItem(storage, SPEED_HISTORY_KEY, serializeHistory(h));
}
