/**
 * Keeps an open Settings form current while the engine's settings change underneath it (another tab,
 * the CLI, the alt-limits toggle): a field the user has not edited follows the new value, a field the
 * user edited keeps the edit. The save then sends only the edits, measured against the newest values,
 * so a save never writes back a value someone else has changed since the dialog opened.
 */
import type { Settings } from '../../engine/api/types.js';
import { toForm, type SettingsForm } from './settings-form.js';

export function rebaseForm(form: SettingsForm, oldBase: Settings, newBase: Settings): SettingsForm {
  return rebaseFields(form, toForm(oldBase), toForm(newBase));
}

/** Any form: each field still equal to `before` (not edited) takes its value from `after`. */
export function rebaseFields<T extends object>(form: T, before: T, after: T): T {
  const next = { ...form };
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (sameField(form[k], before[k])) next[k] = after[k];
  }
  return next;
}

/** The names of the fields whose value differs from the settings' (what the user has edited). */
export function editedFields(form: SettingsForm, base: Settings): (keyof SettingsForm)[] {
  const b = toForm(base);
  return (Object.keys(b) as (keyof SettingsForm)[]).filter((k) => !sameField(form[k], b[k]));
}

function sameField(a: unknown, b: unknown): boolean {
  // Arrays of days or of watch-folder rows: by value.
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
