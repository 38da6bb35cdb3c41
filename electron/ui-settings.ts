/**
 * Settings that only the desktop shell uses (the engine's own settings travel over the protocol):
 * stored as ui-settings.json in userData, validated field by field on load.
 */
import { readJson, writeJson } from './json-file.js';

export interface UiSettings {
  /** Open requests (argv, double-clicked .torrent, magnet links) are added with defaults, no dialog. */
  addWithoutAsking: boolean;
  /** Register Tessera as the system's magnet: handler. */
  registerMagnetHandler: boolean;
  openAtLogin: boolean;
  /** With openAtLogin: start in the tray, window hidden. */
  startMinimised: boolean;
  /** Closing the window hides it to the tray; quit from the tray or menu. */
  closeToTray: boolean;
}

export const DEFAULT_UI_SETTINGS: Readonly<UiSettings> = Object.freeze({
  addWithoutAsking: false,
  registerMagnetHandler: false,
  openAtLogin: false,
  startMinimised: false,
  closeToTray: false,
});

const KEYS = Object.keys(DEFAULT_UI_SETTINGS) as (keyof UiSettings)[];

/** Known boolean fields are taken, anything else (unknown keys, wrong types) falls back to the default. */
export function validateUiSettings(raw: unknown): UiSettings {
  const out: UiSettings = { ...DEFAULT_UI_SETTINGS };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const k of KEYS) {
    const v: unknown = Object.prototype.hasOwnProperty.call(raw, k) ? (raw as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/** One patch from the menu: a known key and a boolean, or null. */
export function validateUiSettingsPatch(key: unknown, value: unknown): Partial<UiSettings> | null {
  if (typeof key !== 'string' || !(KEYS as string[]).includes(key) || typeof value !== 'boolean') return null;
  return { [key]: value };
}

export class UiSettingsStore {
  private current: UiSettings;
  private readonly listeners = new Set<(s: UiSettings, prev: UiSettings) => void>();

  constructor(private readonly file: string) {
    this.current = validateUiSettings(readJson(file));
  }

  get(): UiSettings {
    return { ...this.current };
  }

  set(patch: Partial<UiSettings>): UiSettings {
    const prev = this.current;
    this.current = validateUiSettings({ ...prev, ...patch });
    try {
      writeJson(this.file, this.current);
    } catch {
      // A read-only profile keeps the setting for this run.
    }
    for (const l of this.listeners) l(this.get(), { ...prev });
    return this.get();
  }

  onChange(listener: (s: UiSettings, prev: UiSettings) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
