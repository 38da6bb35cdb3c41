/** Words and numbers for the Trackers tab. Pure. */
import type { TrackerInfo } from '../../../engine/api/types.js';

export function trackerStatusLabel(t: TrackerInfo): string {
  if (t.kind === 'webSeed') return WEB_SEED_STATUS[t.status];
  switch (t.status) {
    case 'idle':
      return 'Not contacted yet';
    case 'updating':
      return 'Announcing…';
    case 'working':
      return 'Working';
    case 'error':
      return 'Not working';
  }
}

const WEB_SEED_STATUS: Readonly<Record<TrackerInfo['status'], string>> = { idle: 'Not used yet', updating: 'Downloading', working: 'Ready', error: 'Not working' };

/** The Tier column: a tracker's tier from 1, or "web seed". */
export function sourceTierLabel(t: TrackerInfo): string {
  return t.kind === 'webSeed' ? 'web seed' : String(t.tier + 1);
}

/** Seconds left of a countdown received `elapsedMs` ago, never below zero; null when unknown. */
export function remainingSeconds(nextAnnounceIn: number | null, elapsedMs: number): number | null {
  if (nextAnnounceIn === null || !Number.isFinite(nextAnnounceIn)) return null;
  return Math.max(0, Math.round(nextAnnounceIn - Math.max(0, elapsedMs) / 1000));
}

/** 75 → "1:15", 3725 → "1:02:05"; 0 → "now". */
export function formatCountdown(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds <= 0) return 'now';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatCount(n: number | null): string {
  return n === null || n < 0 ? '—' : n.toLocaleString('en-US');
}

/** Trackers by tier, then as the engine listed them; web seeds after every tracker. */
export function sortTrackers(trackers: readonly TrackerInfo[]): TrackerInfo[] {
  const rank = (t: TrackerInfo) => (t.kind === 'webSeed' ? Number.MAX_SAFE_INTEGER : t.tier);
  return trackers.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.t);
}

/** The tiers the engine announces to, from the Trackers tab's rows (tier by tier, in the engine's order). */
export function tiersOf(trackers: readonly TrackerInfo[]): string[][] {
  const tiers: string[][] = [];
  let tier: number | null = null;
  // Web seeds are listed among the sources but are not trackers: editing the tiers leaves them out.
  for (const t of sortTrackers(trackers.filter((row) => row.kind !== 'webSeed'))) {
    if (t.tier === tier) tiers[tiers.length - 1].push(t.url);
    else tiers.push([t.url]);
    tier = t.tier;
  }
  return tiers;
}

/** The tiers without `url` (a tier left empty goes). */
export function withoutTracker(tiers: readonly (readonly string[])[], url: string): string[][] {
  return tiers.map((tier) => tier.filter((u) => u !== url)).filter((tier) => tier.length > 0);
}

/** The tiers with `url` added as a tier of its own at the end (unless already listed). */
export function withTracker(tiers: readonly (readonly string[])[], url: string): string[][] {
  const copy = tiers.map((t) => [...t]);
  return copy.some((t) => t.includes(url)) ? copy : [...copy, [url]];
}
