import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsForm, optionsPatch, type OptionsRow } from './torrent-options-form.js';

const row: OptionsRow = { downloadLimit: null, uploadLimit: 102_400, ratioLimit: null, seedTimeLimitMinutes: 60, maxConnections: null, sequential: false, firstLastPiecesFirst: false };

test('the patch names only the edited fields', () => {
  const initial = optionsForm([row]);
  assert.equal(initial.uploadLimit, '100');
  assert.deepEqual(optionsPatch({ ...initial, ratioLimit: '0.5', sequential: true }, initial), { ok: true, options: { ratioLimit: 0.5, sequential: true } });
  assert.deepEqual(optionsPatch({ ...initial, seedTimeLimitMinutes: '' }, initial), { ok: true, options: { seedTimeLimitMinutes: null } });
});

test('torrents that differ start empty and are left alone unless edited', () => {
  const initial = optionsForm([row, { ...row, uploadLimit: null, sequential: true }]);
  assert.equal(initial.uploadLimit, '');
  assert.deepEqual(optionsPatch(initial, initial), { ok: true, options: {} });
});

test('bad values name the field and say what to enter', () => {
  const initial = optionsForm([row]);
  const r = optionsPatch({ ...initial, maxConnections: '0' }, initial);
  assert.ok(!r.ok && r.field === 'maxConnections' && /1 to 65535/.test(r.message));
  const q = optionsPatch({ ...initial, ratioLimit: 'lots' }, initial);
  assert.ok(!q.ok && q.field === 'ratioLimit');
});
