/**
 * The colour theme: the choice is stored in localStorage; <html> gets data-theme="light" or "dark", with
 * "system" resolved here from prefers-color-scheme (so app.css defines each theme once, and the canvases
 * that read its colours see concrete values).
 */
export type Theme = 'light' | 'dark' | 'system';

const KEY = 'tessera.theme';

export function loadTheme(storage: Pick<Storage, 'getItem'> | null): Theme {
  const v = storage?.getItem(KEY);
  return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
}

export function saveTheme(storage: Pick<Storage, 'setItem'> | null, theme: Theme): void {
  try {
    storage?.setItem(KEY, theme);
  } catch {
    // Storage can be full or disabled; the theme then lasts for this session only.
  }
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

/** localStorage, or null where it is unavailable (some privacy modes throw on access). */
export function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
