/**
 * The colour theme: the choice is stored in localStorage; <html> gets data-theme="light" or "dark", with
 * "system" resolved here from prefers-color-scheme (so app.css defines each theme once, and the canvases
 * that read its colours see concrete values).
 */
import { localStore, writeItem, type StoreReader, type StoreWriter } from './local-store.js';

export type Theme = 'light' | 'dark' | 'system';

const KEY = 'tessera.theme';

export function loadTheme(storage: StoreReader): Theme {
  const v = storage?.getItem(KEY);
  return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
}

export function saveTheme(storage: StoreWriter, theme: Theme): void {
  writeItem(storage, KEY, theme);
}

export function resolveTheme(theme: Theme, systemPrefersDark: boolean): 'light' | 'dark' {
  return theme === 'system' ? (systemPrefersDark ? 'dark' : 'light') : theme;
}

export function applyTheme(root: HTMLElement, theme: Theme, systemPrefersDark: boolean): void {
  root.dataset.theme = resolveTheme(theme, systemPrefersDark);
}

export const DARK_SCHEME_QUERY = '(prefers-color-scheme: dark)';

/** Applies the stored choice to this document, following the system's scheme when that is the choice. */
export function applyStoredTheme(): void {
  applyTheme(document.documentElement, loadTheme(localStore()), window.matchMedia(DARK_SCHEME_QUERY).matches);
}
