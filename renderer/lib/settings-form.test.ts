import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../../engine/api/validate.js';
import type { Settings } from '../../engine/api/types.js';
import { fieldOfError, fromForm, settingsPatch, toForm } from './settings-form.js';
import { applyTheme, loadTheme, saveTheme } from './theme.js';

const base: Settings = { ...DEFAULT_SETTINGS, downloadDir: '/home/u/Downloads', downloadLimit: 512_000 };

test('a form round trip gives the same settings and an empty patch', () => {
  const r = fromForm(toForm(base), base);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(base, r.settings), {});
});

test('edits become a patch of just the changed keys, in engine units', () => {
  const f = { ...toForm(base), listenPort: '51413', uploadLimit: '100', downloadLimit: '', scheduleEnabled: true, scheduleDays: [5, 1], scheduleFrom: '22:00', scheduleTo: '6:30', ratioLimit: '2.5' };
  const r = fromForm(f, base);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(base, r.settings), {
    listenPort: 51413,
    uploadLimit: 102_400,
    downloadLimit: null,
    altSchedule: { days: [1, 5], from: 1320, to: 390 },
    ratioLimit: 2.5,
  });
});

test('the encryption choice round-trips and becomes a one-key patch', () => {
  assert.equal(toForm(base).encryption, 'prefer');
  const r = fromForm({ ...toForm(base), encryption: 'require' }, base);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(base, r.settings), { encryption: 'require' });
  assert.equal(fieldOfError("InvalidSettings: settings.encryption must be one of 'prefer', 'require', 'disable'"), 'encryption');
});

test('transports: uTP/TCP switches and the preference become a patch; both off is refused at the TCP switch', () => {
  const r = fromForm({ ...toForm(base), utp: false, preferUtp: false }, base);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(base, r.settings), { utp: false, preferUtp: false });
  assert.deepEqual(fromForm({ ...toForm(base), utp: false, tcp: false }, base), { ok: false, field: 'tcp', message: 'Keep TCP or uTP on: peers cannot reach you with both off.' });
  assert.equal(fieldOfError('settings tcp and utp cannot both be off'), null);
  assert.equal(fieldOfError('settings.preferUtp must be a boolean'), 'preferUtp');
});

test('bad input names its field', () => {
  const bad = (over: Partial<ReturnType<typeof toForm>>) => {
    const r = fromForm({ ...toForm(base), ...over }, base);
    return r.ok ? null : r.field;
  };
  assert.equal(bad({ listenPort: '70000' }), 'listenPort');
  assert.equal(bad({ listenPort: 'x' }), 'listenPort');
  assert.equal(bad({ downloadLimit: 'fast' }), 'downloadLimit');
  assert.equal(bad({ scheduleEnabled: true, scheduleDays: [] }), 'scheduleDays');
  assert.equal(bad({ scheduleEnabled: true, scheduleFrom: '25:00' }), 'scheduleFrom');
  assert.equal(bad({ seedTimeLimitMinutes: '1.5' }), 'seedTimeLimitMinutes');
  assert.equal(bad({ downloadDir: '  ' }), 'downloadDir');
  assert.equal(bad({ maxConnections: '0' }), 'maxConnections');
});

test('engine errors map to a field when they name one', () => {
  assert.equal(fieldOfError('InvalidSettings: settings.listenPort must be an integer'), 'listenPort');
  assert.equal(fieldOfError('settings.altSchedule.days[0] must be 0..6'), 'scheduleDays');
  assert.equal(fieldOfError('disk is full'), null);
});

test('theme: stored choice, system by default, applied as data-theme with system resolved', () => {
  const data = new Map<string, string>();
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  assert.equal(loadTheme(storage), 'system');
  saveTheme(storage, 'dark');
  assert.equal(loadTheme(storage), 'dark');
  data.set('tessera.theme', 'neon');
  assert.equal(loadTheme(storage), 'system');
  assert.equal(loadTheme(null), 'system');
  const el = { dataset: {} as Record<string, string> };
  applyTheme(el as unknown as HTMLElement, 'light', true);
  assert.equal(el.dataset.theme, 'light', 'a chosen theme wins over the system');
  applyTheme(el as unknown as HTMLElement, 'system', true);
  assert.equal(el.dataset.theme, 'dark');
  applyTheme(el as unknown as HTMLElement, 'system', false);
  assert.equal(el.dataset.theme, 'light');
});

test('the pause schedule and watch folders become a patch; a relative or repeated folder is refused at the watch folders', () => {
  const withWatch: Settings = { ...base, watchFolders: [{ path: '/srv/watch', category: null, startPaused: false, afterAdd: 'keep' }] };
  const same = fromForm(toForm(withWatch), withWatch);
  assert.ok(same.ok);
  assert.deepEqual(settingsPatch(withWatch, same.settings), {});
  const f = {
    ...toForm(withWatch),
    pauseEnabled: true,
    pauseDays: [6, 0],
    pauseFrom: '01:00',
    pauseTo: '07:00',
    watchFolders: [...toForm(withWatch).watchFolders, { path: ' /srv/tv ', category: ' TV ', startPaused: true, afterAdd: 'delete' as const }],
  };
  const r = fromForm(f, withWatch);
  assert.ok(r.ok);
  assert.deepEqual(settingsPatch(withWatch, r.settings), {
    pauseSchedule: { days: [0, 6], from: 60, to: 420 },
    watchFolders: [
      { path: '/srv/watch', category: null, startPaused: false, afterAdd: 'keep' },
      { path: '/srv/tv', category: 'TV', startPaused: true, afterAdd: 'delete' },
    ],
  });
  const relative = fromForm({ ...f, watchFolders: [{ path: 'watch', category: '', startPaused: false, afterAdd: 'rename' }] }, withWatch);
  assert.deepEqual(relative.ok ? null : [relative.field, /Watch folder 1: "watch" is a relative path/.test(relative.message)], ['watchFolders', true]);
  const twice = fromForm({ ...f, watchFolders: [f.watchFolders[0], f.watchFolders[0]] }, withWatch);
  assert.deepEqual(twice.ok ? null : [twice.field, /Watch folder 2: .* listed twice/.test(twice.message)], ['watchFolders', true]);
  const noDays = fromForm({ ...f, pauseDays: [] }, withWatch);
  assert.equal(noDays.ok ? null : noDays.field, 'pauseDays');
  assert.equal(fieldOfError('InvalidCommand: settings.watchFolders[0].path: "/x" is a file, not a folder; choose a folder.'), 'watchFolders');
  assert.equal(fieldOfError('settings.pauseSchedule.days[1] repeats an earlier day'), 'pauseDays');
});
