/**
 * The torrent list's columns: header label, sort key and default width. The user's widths and hidden
 * columns (lib/list-layout.ts) make the one CSS grid template all rows share.
 */
import { useMemo } from 'react';
import { visibleColumns, type LayoutColumn } from '../../lib/list-layout.js';
import { useTessera } from '../../store/context.js';
import type { SortKey } from '../../store/store.js';

export interface Column extends LayoutColumn {
  key: SortKey;
  label: string;
  /** Spoken name of the header button when the label is terse. */
  title: string;
  width: string;
  align?: 'end';
}

export const COLUMNS: readonly Column[] = [
  { key: 'queuePosition', label: '#', title: 'Queue position', width: '3em', align: 'end' },
  { key: 'name', label: 'Name', title: 'Name', width: 'minmax(12em, 1fr)', required: true },
  { key: 'totalBytes', label: 'Size', title: 'Size', width: '5.8em', align: 'end' },
  { key: 'progress', label: 'Progress', title: 'Progress', width: '7em' },
  { key: 'state', label: 'Status', title: 'Status', width: '11.5em' },
  { key: 'downRate', label: 'Down', title: 'Download rate', width: '6.8em', align: 'end' },
  { key: 'upRate', label: 'Up', title: 'Upload rate', width: '6.8em', align: 'end' },
  { key: 'eta', label: 'ETA', title: 'Time remaining', width: '4.5em', align: 'end' },
  { key: 'ratio', label: 'Ratio', title: 'Share ratio', width: '4em', align: 'end' },
  { key: 'peers', label: 'Peers', title: 'Peers', width: '4.4em', align: 'end' },
  { key: 'seeds', label: 'Seeds', title: 'Seeds', width: '4.4em', align: 'end' },
  { key: 'addedAt', label: 'Added', title: 'Added on', width: '11em' },
];

/** The columns shown, in order; the same array until the user changes the layout. */
export function useVisibleColumns(): Column[] {
  const layout = useTessera((s) => s.listLayout);
  return useMemo(() => visibleColumns(COLUMNS, layout), [layout]);
}

/** Row height in px; fixed so the list can place rows by arithmetic (see app.css .row). */
export const ROW_HEIGHT = 26;

export function rowDomId(id: string): string {
  return `torrent-${id}`;
}
