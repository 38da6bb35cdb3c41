import type { Settings } from '../api/types.js';
import { summarize, type Entry } from './entry.js';

/**
 * The seeding goal a running seed has reached, in words for the log ("ratio 2.00", "60 min"), or
 * null. Its own limits win over the settings'; a force-started torrent seeds on regardless.
 */
export function seedGoalReached(e: Entry, settings: Settings, now: number): string | null {
  const t = e.torrent;
  if (!t || t.state !== 'seeding' || e.forceStart) return null;
  const ratioLimit = e.ratioLimit ?? settings.ratioLimit;
  const timeLimit = e.seedTimeLimitMinutes ?? settings.seedTimeLimitMinutes;
  if (ratioLimit === null && timeLimit === null) return null;
  const seeded = e.seedingSecondsBase + (e.seedingSince !== null ? (now - e.seedingSince) / 1000 : 0);
  const s = summarize(e);
  const ratioMet = ratioLimit !== null && s.ratio >= ratioLimit;
  const timeMet = timeLimit !== null && seeded >= timeLimit * 60;
  if (!ratioMet && !timeMet) return null;
  return ratioMet ? `ratio ${s.ratio.toFixed(2)}` : `${Math.round(seeded / 60)} min`;
}
