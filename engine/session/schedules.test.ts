import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeSchedules, downloadsPausedUntil, inWindow } from './schedules.js';
import { altLimitsActive } from './limits.js';
import { DEFAULT_SETTINGS } from '../api/validate.js';
import type { Settings } from '../api/types.js';

/** A local time on a known weekday: 2026-12-07 is a Monday (day 1). */
const at = (day: number, hh: number, mm: number): Date => new Date(2026, 11, 6 + day, hh, mm);
const WEEKDAYS = [1, 2, 3, 4, 5];

test('a window within one day: from inclusive, to exclusive, only on its days', () => {
  const s = { days: WEEKDAYS, from: 9 * 60, to: 17 * 60 };
  assert.equal(inWindow(s, at(1, 8, 59)), false);
  assert.equal(inWindow(s, at(1, 9, 0)), true);
  assert.equal(inWindow(s, at(1, 16, 59)), true);
  assert.equal(inWindow(s, at(1, 17, 0)), false);
  assert.equal(inWindow(s, at(0, 12, 0)), false, 'Sunday is not one of its days');
});

test('a window over midnight holds from its start to its end the next morning', () => {
  const s = { days: [0, 1, 2, 3, 4, 5, 6], from: 23 * 60, to: 7 * 60 };
  assert.equal(inWindow(s, at(2, 22, 59)), false);
  assert.equal(inWindow(s, at(2, 23, 30)), true);
  assert.equal(inWindow(s, at(3, 6, 59)), true);
  assert.equal(inWindow(s, at(3, 7, 0)), false);
});

test('the pause schedule says until when; the status bar gets both schedules, and nothing when none applies', () => {
  const settings: Settings = { ...DEFAULT_SETTINGS, pauseSchedule: { days: WEEKDAYS, from: 1 * 60, to: 7 * 60 }, altSchedule: { days: WEEKDAYS, from: 0, to: 7 * 60 + 30 } };
  assert.equal(downloadsPausedUntil(settings, at(1, 3, 0)), '07:00');
  assert.equal(downloadsPausedUntil(settings, at(1, 7, 0)), null);
  assert.deepEqual(activeSchedules(settings, at(1, 3, 0)), { altLimitsUntil: '07:30', downloadsPausedUntil: '07:00' });
  assert.deepEqual(activeSchedules(settings, at(1, 7, 10)), { altLimitsUntil: '07:30', downloadsPausedUntil: null });
  assert.equal(activeSchedules(settings, at(1, 8, 0)), undefined);
  // Switched on by hand, the alternative limits have no end to show.
  assert.deepEqual(activeSchedules({ ...settings, altLimitsEnabled: true }, at(1, 7, 10)), undefined);
  assert.equal(altLimitsActive(settings, at(1, 7, 10)), true);
  assert.equal(altLimitsActive(settings, at(6, 7, 10)), false);
});
