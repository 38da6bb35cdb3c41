import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Settings } from '../../engine/api/types.js';
import { DEFAULT_SETTINGS } from '../../engine/api/validate.js';
import { toForm, fromForm, settingsPatch } from './settings-form.js';
import { editedFields, rebaseForm } from './settings-rebase.js';

const base: Settings = {
  ...DEFAULT_SETTINGS,
  downloadDir: '/data/dl', listenPort: 6881, maxActiveDownloads: 3, maxActiveSeeds: 5, stalledAfterMinutes: 5,
  downloadLimit: null, uploadLimit: null, altDownloadLimit: 102_400, altUploadLimit: 51_200, altLimitsEnabled: false, altSchedule: null,
  maxConnections: 200, maxConnectionsPerTorrent: 50, uploadSlotsPerTorrent: 4, ratioLimit: 0.5, seedTimeLimitMinutes: null,
  seedGoalAction: 'pause', dht: true, pex: true, lsd: true, encryption: 'prefer',
};

test('a field the user did not edit follows a change made elsewhere; an edited one keeps the edit', () => {
  const form = { ...toForm(base), uploadSlotsPerTorrent: '8' };
  const elsewhere: Settings = { ...base, ratioLimit: 0.7, uploadSlotsPerTorrent: 6 };
  const next = rebaseForm(form, base, elsewhere);
  assert.equal(next.ratioLimit, '0.7');
  assert.equal(next.uploadSlotsPerTorrent, '8');
  assert.deepEqual(editedFields(next, elsewhere), ['uploadSlotsPerTorrent']);
});

test('saving after a change elsewhere sends only the edit, never the stale value (issue 18: 0.7 reverted to 0.5)', () => {
  const form = { ...toForm(base), uploadSlotsPerTorrent: '8' };
  const elsewhere: Settings = { ...base, ratioLimit: 0.7 };
  const next = rebaseForm(form, base, elsewhere);
  const r = fromForm(next, elsewhere);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(elsewhere, r.settings), { uploadSlotsPerTorrent: 8 });
});

test('list fields (the schedule days) compare by value', () => {
  const withSchedule: Settings = { ...base, altSchedule: { days: [1, 2], from: 60, to: 120 } };
  const form = toForm(withSchedule);
  const moved: Settings = { ...withSchedule, altSchedule: { days: [3], from: 60, to: 120 } };
  assert.deepEqual(rebaseForm(form, withSchedule, moved).scheduleDays, [3]);
});
