/** The renderer's remembered preferences in localStorage: one place for the access and its failures. */

export type StoreReader = Pick<Storage, 'getItem'> | null;
export type StoreWriter = Pick<Storage, 'setItem'> | null;

/** localStorage, or null where it is unavailable (some privacy modes throw on access). */
export function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Stores a value; when storage is full or disabled it lasts for this session only. */
export function writeItem(storage: StoreWriter, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered: nothing else depends on it.
  }
}

/** The stored JSON value as an object, or null when absent, unreadable or not an object. */
export function readJsonObject(storage: StoreReader, key: string): Record<string, unknown> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    return null;
  }
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}
