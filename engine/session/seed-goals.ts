import type { Settings } from '../api/types.js';
import { setPaused, summarize, type Entry } from './entry.js';

/** A seeding goal a running seed has reached: `log` for the log ("ratio 2.00"), `reason` for the user ("ratio goal 2.00 reached"). */
export interface GoalReached {
  readonly log: string;
  readonly reason: string;
  readonly goal: 'ratio' | 'seedTime';
}

/**
 * The seeding goal a running seed has reached, or null. Its own limits win over the settings'; a
 * force-started torrent seeds on regardless.
 */
export function seedGoalReached(e: Entry, settings: Settings, now: number): GoalReached | null {
  const t = e.torrent;
  if (!t || t.state !== 'seeding' || e.forceStart) return null;
  const ratioLimit = e.ratioLimit ?? settings.ratioLimit;
  const timeLimit = e.seedTimeLimitMinutes ?? settings.seedTimeLimitMinutes;
  if (ratioLimit === null && timeLimit === null) return null;
  const seeded = e.seedingSecondsBase + (e.seedingSince !== null ? (now - e.seedingSince) / 1000 : 0);
  const s = summarize(e);
  // The upload goal (below) fires when the uploaded bytes reach ratio × the denominator, rounded up to a byte.
  const ratioMet = ratioLimit !== null && s.ratio >= ratioLimit - 1e-9;
  const timeMet = timeLimit !== null && seeded >= timeLimit * 60;
  if (ratioMet) return { log: `ratio ${s.ratio.toFixed(2)}`, reason: `ratio goal ${ratioLimit.toFixed(2)} reached`, goal: 'ratio' };
  if (timeMet) return { log: `${Math.round(seeded / 60)} min`, reason: `seeding time goal ${formatMinutes(timeLimit)} reached`, goal: 'seedTime' };
  return null;
}

/** What a reached seeding goal does to the session. */
export interface SeedGoalHost {
  remove(e: Entry): void;
  touch(e: Entry): void;
  applyQueue(): void;
  log(line: string, e: Entry): void;
}

/**
 * Checks a running torrent's seeding goals (each tick, and when its upload goal fires): while none is
 * reached its upload goal is kept current; once one is, it is removed or paused per the settings.
 */
export function checkSeedGoals(e: Entry, settings: Settings, now: number, host: SeedGoalHost): void {
  const reached = seedGoalReached(e, settings, now);
  if (reached === null) {
    // Set on every tick: the goal moves with the totals, and the torrent checks it per block sent.
    if (e.torrent?.state === 'seeding') e.torrent.setUploadGoal(uploadGoalOf(e, settings));
    return;
  }
  host.log(`seeding goal reached (${reached.log}): ${settings.seedGoalAction}`, e);
  if (settings.seedGoalAction === 'remove') host.remove(e);
  else {
    if (setPaused(e, true)) host.touch(e);
    e.pausedFor = { goal: reached.goal, reason: reached.reason };
    // Stopped now, not at the next tick: a fast peer would otherwise take more than the goal.
    host.applyQueue();
  }
}

/**
 * The upload meter total (this run's uploads) at which a running seed reaches its ratio goal, for
 * Torrent.setUploadGoal; null when it has none (or is force-started). Same ratio as summarize's:
 * uploaded over downloaded, or over the verified bytes when nothing was downloaded (a seed from the start).
 */
export function uploadGoalOf(e: Entry, settings: Settings): number | null {
  const t = e.torrent;
  const ratioLimit = e.ratioLimit ?? settings.ratioLimit;
  if (!t || ratioLimit === null || e.forceStart) return null;
  const downloaded = e.downloadedBase + t.downloadMeter.total;
  const denominator = downloaded > 0 ? downloaded : summarize(e).doneBytes;
  if (denominator <= 0) return null;
  return Math.max(0, Math.ceil(ratioLimit * denominator) - e.uploadedBase);
}

function formatMinutes(minutes: number): string {
  return minutes % 60 === 0 && minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`;
}
