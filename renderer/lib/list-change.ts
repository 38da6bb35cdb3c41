/**
 * What one batch did to the torrent map: the map before and after, and the rows it named. The list view
 * and the sidebar counts update from these few rows instead of walking all of them (10,000 rows per
 * batch cost more than the rest of a batch together).
 */
import type { TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';

export interface ListChange {
  from: ReadonlyMap<TorrentId, TorrentSummary>;
  to: ReadonlyMap<TorrentId, TorrentSummary>;
  added: readonly TorrentSummary[];
  changed: readonly TorrentPatch[];
  removed: readonly TorrentId[];
}

/**
 * Calls `visit(old, row)` once for each row the change named whose object changed: `old` undefined for a
 * row new in `to`, `row` undefined for one gone from it.
 */
export function forEachChangedRow(change: ListChange, visit: (old: TorrentSummary | undefined, row: TorrentSummary | undefined) => void): void {
  // The common batch only patches rows, each once (diffLists builds a batch so): no set of ids needed.
  if (change.added.length === 0 && change.removed.length === 0) {
    for (const p of change.changed) visitRow(change, p.id, visit);
    return;
  }
  // Else a row named twice (added and patched, say) is still visited once: a count must not take it twice.
  const ids = new Set<TorrentId>();
  for (const t of change.added) ids.add(t.id);
  for (const id of change.removed) ids.add(id);
  for (const p of change.changed) ids.add(p.id);
  for (const id of ids) visitRow(change, id, visit);
}

function visitRow(change: ListChange, id: TorrentId, visit: (old: TorrentSummary | undefined, row: TorrentSummary | undefined) => void): void {
  const old = change.from.get(id);
  const row = change.to.get(id);
  if (old !== row) visit(old, row);
}
