/**
 * The torrent list's layout the user chose: widths dragged by hand (device-independent CSS px), hidden
 * columns, and the sort order. Remembered in localStorage; anything unreadable there falls back to the defaults.
 * Pure apart from the storage handle it is given.
 */
import { readJsonObject, writeItem, type StoreReader, type StoreWriter } from './local-store.js';

export interface ListLayout {
  /** Only the columns the user resized; the others keep their default width. */
  widths: Readonly<Record<string, number>>;
  hidden: readonly string[];
}

export interface LayoutColumn {
  key: string;
  /** The default CSS grid track, e.g. "6em" or "minmax(12em, 1fr)". */
  width: string;
  /** Cannot be hidden (the name: a row without it means nothing). */
  required?: boolean;
}

export const DEFAULT_LIST_LAYOUT: ListLayout = { widths: {}, hidden: [] };
export const MIN_COLUMN_PX = 36;
export const MAX_COLUMN_PX = 2000;
const KEY = 'tessera.listLayout';
const SORT_KEY = 'tessera.listSort';

export function clampWidth(px: number): number {
  return Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, px)));
}

export function gridTemplate(columns: readonly LayoutColumn[], layout: ListLayout): string {
  return visibleColumns(columns, layout)
    .map((c) => {
      const px = layout.widths[c.key];
      return px === undefined ? c.width : `${px}px`;
    })
    .join(' ');
}

export function visibleColumns<C extends LayoutColumn>(columns: readonly C[], layout: ListLayout): C[] {
  return columns.filter((c) => c.required || !layout.hidden.includes(c.key));
}

export function resizeColumn(layout: ListLayout, key: string, px: number): ListLayout {
  const width = clampWidth(px);
  return layout.widths[key] === width ? layout : { ...layout, widths: { ...layout.widths, [key]: width } };
}

export function resetColumnWidths(layout: ListLayout, key?: string): ListLayout {
  if (key === undefined) return Object.keys(layout.widths).length === 0 ? layout : { ...layout, widths: {} };
  if (!(key in layout.widths)) return layout;
  const widths = { ...layout.widths };
  delete widths[key];
  return { ...layout, widths };
}

export function toggleColumn(columns: readonly LayoutColumn[], layout: ListLayout, key: string): ListLayout {
  const column = columns.find((c) => c.key === key);
  if (!column || column.required) return layout;
  const hidden = layout.hidden.includes(key) ? layout.hidden.filter((k) => k !== key) : [...layout.hidden, key];
  return { ...layout, hidden };
}

/** The stored layout, keeping only known columns and sane widths. */
export function loadListLayout(storage: StoreReader, columns: readonly LayoutColumn[]): ListLayout {
  const raw = readJsonObject(storage, KEY);
  if (raw === null) return DEFAULT_LIST_LAYOUT;
  const known = new Map(columns.map((c) => [c.key, c]));
  const widths: Record<string, number> = {};
  const storedWidths = raw.widths;
  if (typeof storedWidths === 'object' && storedWidths !== null) {
    for (const [key, value] of Object.entries(storedWidths)) {
      if (known.has(key) && typeof value === 'number' && Number.isFinite(value)) widths[key] = clampWidth(value);
    }
  }
  const storedHidden = raw.hidden;
  const hidden = Array.isArray(storedHidden)
    ? [...new Set(storedHidden.filter((k): k is string => typeof k === 'string' && known.has(k) && !known.get(k)?.required))]
    : [];
  return { widths, hidden };
}

export function saveListLayout(storage: StoreWriter, layout: ListLayout): void {
  writeItem(storage, KEY, JSON.stringify(layout));
}

export interface ListSort<K extends string> {
  key: K;
  descending: boolean;
}

/** The stored sort order, or null when there is none or it names a column that no longer exists. */
export function loadListSort<K extends string>(storage: StoreReader, keys: readonly K[]): ListSort<K> | null {
  const raw = readJsonObject(storage, SORT_KEY);
  if (raw === null) return null;
  const { key, descending } = raw;
  const known = keys.find((k) => k === key);
  return known !== undefined && typeof descending === 'boolean' ? { key: known, descending } : null;
}

export function saveListSort(storage: StoreWriter, sort: ListSort<string>): void {
  writeItem(storage, SORT_KEY, JSON.stringify({ key: sort.key, descending: sort.descending }));
}
