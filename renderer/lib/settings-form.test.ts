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
