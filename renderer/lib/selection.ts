/** Multi-selection over the visible list: click, ctrl/cmd-click, shift-click and keyboard moves. Pure. */
import type { TorrentId } from '../../engine/api/types.js';

export interface Selection {
  selected: ReadonlySet<TorrentId>;
  /** Where a shift-extension starts. */
  anchor: TorrentId | null;
  /** The row with the keyboard cursor (the focused row). */
  lead: TorrentId | null;
}

export type ClickMode = 'only' | 'toggle' | 'range';

export function clickSelect(s: Selection, id: TorrentId, mode: ClickMode, visible: readonly TorrentId[]): Selection {
  if (mode === 'only') return { selected: new Set([id]), anchor: id, lead: id };
  if (mode === 'toggle') {
    const next = new Set(s.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return { selected: next, anchor: id, lead: id };
  }
  const range = rangeBetween(visible, s.anchor, id);
  if (range === null) return { selected: new Set([id]), anchor: id, lead: id };
  return { selected: new Set(range), anchor: s.anchor, lead: id };
}

/** The ids from `from` to `to` inclusive, in list order, or null if either is not visible. */
export function rangeBetween(visible: readonly TorrentId[], from: TorrentId | null, to: TorrentId): TorrentId[] | null {
  const a = from === null ? -1 : visible.indexOf(from);
  const b = visible.indexOf(to);
  if (a < 0 || b < 0) return null;
  return a <= b ? visible.slice(a, b + 1) : visible.slice(b, a + 1);
}

/**
 * Moves the cursor by `delta` rows (clamped; Infinity for Home/End). Plain moves select the new row
 * alone; `extend` (shift) selects from the anchor to it; `keepSelection` (ctrl) moves only the cursor.
 */
export function moveCursor(
  s: Selection,
  delta: number,
  visible: readonly TorrentId[],
  how: { extend: boolean; keepSelection: boolean },
): Selection {
  if (visible.length === 0) return s;
  const at = s.lead === null ? -1 : visible.indexOf(s.lead);
  let index: number;
  if (at < 0) index = delta < 0 ? visible.length - 1 : 0;
  else index = Math.max(0, Math.min(visible.length - 1, at + (Number.isFinite(delta) ? delta : delta > 0 ? visible.length : -visible.length)));
  const id = visible[index];
  if (how.keepSelection) return { ...s, lead: id };
  if (how.extend) {
    const anchor = s.anchor !== null && visible.includes(s.anchor) ? s.anchor : id;
    return { selected: new Set(rangeBetween(visible, anchor, id)!), anchor, lead: id };
  }
  return { selected: new Set([id]), anchor: id, lead: id };
}

/** The selected ids in list order (commands keep the user's order, e.g. for queue moves). */
export function selectedInOrder(visible: readonly TorrentId[], selected: ReadonlySet<TorrentId>): TorrentId[] {
  if (selected.size === 0) return [];
  const out = visible.filter((id) => selected.has(id));
  // Selected rows hidden by a filter still count: append them so a command never silently skips them.
  if (out.length < selected.size) for (const id of selected) if (!out.includes(id)) out.push(id);
  return out;
}
