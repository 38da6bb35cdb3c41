import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_UI_SETTINGS, UiSettingsStore, validateUiSettings, validateUiSettingsPatch } from './ui-settings.js';
import { DEFAULT_SIZE, isVisibleOn, restoreWindowState, saveWindowState } from './window-state.js';

test('ui settings: validated field by field, persisted, corrupt files fall back to defaults', () => {
  assert.deepEqual(validateUiSettings({ addWithoutAsking: true, closeToTray: 'yes', extra: 1 }), { ...DEFAULT_UI_SETTINGS, addWithoutAsking: true });
  assert.deepEqual(validateUiSettings([true]), DEFAULT_UI_SETTINGS);
  assert.equal(validateUiSettingsPatch('closeToTray', 1), null);
  assert.equal(validateUiSettingsPatch('__proto__', true), null);
  assert.deepEqual(validateUiSettingsPatch('closeToTray', true), { closeToTray: true });
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ui-'));
  try {
    const file = join(dir, 'ui-settings.json');
    writeFileSync(file, '{not json');
    const store = new UiSettingsStore(file);
    assert.deepEqual(store.get(), DEFAULT_UI_SETTINGS);
    const seen: boolean[] = [];
    store.onChange((s) => seen.push(s.openAtLogin));
    store.set({ openAtLogin: true });
    assert.deepEqual(seen, [true]);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).openAtLogin, true);
    assert.equal(new UiSettingsStore(file).get().openAtLogin, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('window state: restored only when it lies on a display; invalid files give the default size', () => {
  const displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }, { workArea: { x: 1920, y: 0, width: 1280, height: 1024 } }];
  assert.equal(isVisibleOn({ x: 2000, y: 100, width: 800, height: 600 }, displays), true);
  assert.equal(isVisibleOn({ x: 3190, y: 100, width: 800, height: 600 }, displays), false, 'only 10 px on screen');
  assert.equal(isVisibleOn({ x: -5000, y: -5000, width: 800, height: 600 }, displays), false);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ws-'));
  try {
    const file = join(dir, 'window-state.json');
    assert.deepEqual(restoreWindowState(file, displays), { bounds: { ...DEFAULT_SIZE }, maximized: false });
    saveWindowState(file, { bounds: { x: 2000, y: 50, width: 900, height: 700 }, maximized: true });
    assert.deepEqual(restoreWindowState(file, displays), { bounds: { x: 2000, y: 50, width: 900, height: 700 }, maximized: true });
    // The second monitor is gone: keep the size, let the OS place it.
    assert.deepEqual(restoreWindowState(file, [displays[0]!]), { bounds: { width: 900, height: 700 }, maximized: true });
    writeFileSync(file, JSON.stringify({ bounds: { x: 0, y: 0, width: 10, height: 1e9 } }));
    assert.deepEqual(restoreWindowState(file, displays).bounds, { ...DEFAULT_SIZE });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
