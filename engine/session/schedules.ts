import type { ActiveSchedules, Settings, WeeklySchedule } from '../api/types.js';

/**
 * The weekly windows of the settings (the alternative limits' and the download pause's), read
 * against the local time of the engine's machine. A window whose end is before its start runs
 * over midnight; as the alternative limits always did, the day of `now` must be one of its days.
 */
export function inWindow(s: WeeklySchedule, now: Date): boolean {
  const minutes = now.getHours() * 60 + now.getMinutes();
  const inTime = s.from <= s.to ? minutes >= s.from && minutes < s.to : minutes >= s.from || minutes < s.to;
  return inTime && s.days.includes(now.getDay());
}

/** "07:00": when a window ends, as the status bar and state reasons say it. */
export function endOf(s: WeeklySchedule): string {
  return `${String(Math.floor(s.to / 60)).padStart(2, '0')}:${String(s.to % 60).padStart(2, '0')}`;
}

/** While the pause schedule holds: the end of its window ("07:00"); otherwise null. */
export function downloadsPausedUntil(settings: Pick<Settings, 'pauseSchedule'>, now: Date): string | null {
  const s = settings.pauseSchedule;
  return s && inWindow(s, now) ? endOf(s) : null;
}

/** The state reason of a download the pause schedule holds back. */
export function schedulePauseReason(until: string): string {
  return `Paused: schedule until ${until}`;
}

/** The schedules in effect now, for the status bar; undefined when none is. */
export function activeSchedules(settings: Pick<Settings, 'altLimitsEnabled' | 'altSchedule' | 'pauseSchedule'>, now: Date): ActiveSchedules | undefined {
  const alt = settings.altSchedule;
  const altLimitsUntil = !settings.altLimitsEnabled && alt && inWindow(alt, now) ? endOf(alt) : null;
  const downloadsPaused = downloadsPausedUntil(settings, now);
  return altLimitsUntil === null && downloadsPaused === null ? undefined : { altLimitsUntil, downloadsPausedUntil: downloadsPaused };
}
