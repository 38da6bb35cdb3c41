import type { Settings } from '../api/types.js';
import { inWindow } from './schedules.js';

/** In settings and commands a limit of 0 means no limit, as in other clients' UIs. */
export function unlimitedIfZero(limit: number | null): number | null {
  return limit === 0 ? null : limit;
}

/** The alternative limits apply: switched on by hand, or inside their weekly window (local time). */
export function altLimitsActive(settings: Settings, now = new Date()): boolean {
  if (settings.altLimitsEnabled) return true;
  const s = settings.altSchedule;
  return s !== null && inWindow(s, now);
}

/** The session-wide rate limits in bytes per second (null: none), the alternative ones when they apply. */
export function globalLimits(settings: Settings, alt = altLimitsActive(settings)): { download: number | null; upload: number | null } {
  return {
    download: unlimitedIfZero(alt ? settings.altDownloadLimit : settings.downloadLimit),
    upload: unlimitedIfZero(alt ? settings.altUploadLimit : settings.uploadLimit),
  };
}
