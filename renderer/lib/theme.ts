/** The colour theme: stored in localStorage, applied as data-theme on <html> (app.css resolves "system"). */
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

export function applyTheme(root: HTMLElement, theme: Theme): void {
  root.dataset.theme = theme;
}

/** localStorage, or null where it is unavailable (some privacy modes throw on access). */
export function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
