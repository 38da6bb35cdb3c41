/** Human-readable numbers for the UI: sizes, rates, durations, dates, ratios. Pure. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.5 KiB". Three significant digits at most, so columns stay narrow and steady. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  // 1023.7 KiB would print as "1024 KiB"; carry it into the next unit instead.
  if (v >= 999.95 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

/** Bytes/s → "1.5 MiB/s"; 0 shows as an empty string in lists, so idle rows stay quiet. */
export function formatRate(bytesPerSecond: number, zero = ''): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return zero;
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A limit in bytes/s, or null for none. */
export function formatLimit(limit: number | null): string {
  return limit === null ? '∞' : formatRate(limit, '0 B/s');
}

/** Seconds → "45s", "3m 20s", "2h 05m", "3d 4h", "∞" for unknown (-1) or absurd values. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '∞';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  const days = Math.floor(s / 86_400);
  if (days > 365) return '∞';
  return `${days}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 0.4567 → "45.6%"; 1 → "100%". Never rounds an incomplete torrent up to 100%. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  if (fraction >= 1) return '100%';
  const p = Math.floor(fraction * 1000) / 10;
  return `${p.toFixed(1)}%`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞';
  return ratio.toFixed(2);
}

/** Epoch ms → "2024-05-01 14:03" in local time: sortable at a glance and the same in every locale. */
export function formatDate(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Minutes after midnight → "HH:MM". */
export function formatMinuteOfDay(minutes: number): string {
  const m = Math.max(0, Math.min(1439, Math.round(minutes)));
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** "HH:MM" → minutes after midnight, or null if it is not a time of day. */
export function parseMinuteOfDay(text: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

/**
 * A rate limit typed in KiB/s: "" or "0" → null (unlimited), "500" → 512000. Returns undefined for text
 * that is not a non-negative number, so forms can say so.
 */
export function parseKiBps(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  const v = Math.round(Number(t) * 1024);
  return v === 0 ? null : v;
}

/** A limit in bytes/s as the KiB/s a form shows ("" for unlimited). */
export function toKiBpsText(limit: number | null): string {
  if (limit === null) return '';
  const k = limit / 1024;
  return Number.isInteger(k) ? String(k) : k.toFixed(1);
}
