/**
 * The sidebar's counts (torrents per state filter, per category, tag and tracker host), kept up to date
 * from each batch's changed rows instead of recounting every row per batch. Equal counts keep the same
 * objects, so the sidebar re-renders only when a count changed. Matches countByFilter and countLabels.
 */
import type { TorrentId, TorrentSummary } from '../../engine/api/types.js';
import { forEachChangedRow, type ListChange } from './list-change.js';
import { countLabels, type LabelCounts } from './sidebar-filters.js';
import { countByFilter, filterGroup, type FilterCounts } from './torrent-view.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class RowCounts {
  private filterCounts: FilterCounts = countByFilter([]);
  private labelCounts: LabelCounts = countLabels([]);

  get filters(): FilterCounts {
    return this.filterCounts;
  }

  get labels(): LabelCounts {
    return this.labelCounts;
  }

  /** Counts every row (a snapshot, or a change that does not follow the last one counted). */
  reset(torrents: ReadonlyMap<TorrentId, TorrentSummary>): void {
    this.filterCounts = countByFilter(torrents.values());
    this.labelCounts = countLabels(torrents.values());
  }

  /** Applies one batch's change, which must start from the map counted last. Work grows with the rows it names. */
  apply(change: ListChange): void {
    let filters: Mutable<FilterCounts> | null = null;
    let labels: MutableLabels | null = null;
    forEachChangedRow(change, (old, row) => {
      const groupBefore = old ? filterGroup(old) : null;
      const groupAfter = row ? filterGroup(row) : null;
      if (groupBefore !== groupAfter) {
        filters ??= { ...this.filterCounts };
        if (groupBefore !== null) {
          filters[groupBefore]--;
          filters.all--;
        }
        if (groupAfter !== null) {
          filters[groupAfter]++;
          filters.all++;
        }
      }
      if (old && row && old.category === row.category && old.tags === row.tags && old.trackerHosts === row.trackerHosts) return;
      labels ??= mutableLabels(this.labelCounts);
      if (old) addLabels(labels, old, -1);
      if (row) addLabels(labels, row, 1);
    });
    if (filters !== null) this.filterCounts = filters;
    if (labels !== null) this.labelCounts = labels;
  }
}

interface MutableLabels extends Mutable<Omit<LabelCounts, 'byCategory' | 'byTag' | 'byTracker'>> {
  byCategory: Map<string, number>;
  byTag: Map<string, number>;
  byTracker: Map<string, number>;
}

function mutableLabels(c: LabelCounts): MutableLabels {
  return { ...c, byCategory: new Map(c.byCategory), byTag: new Map(c.byTag), byTracker: new Map(c.byTracker) };
}

/** Adds (`sign` 1) or takes away (-1) one row's labels; a count that reaches 0 leaves its map, as countLabels has it. */
function addLabels(c: MutableLabels, t: Pick<TorrentSummary, 'category' | 'tags' | 'trackerHosts'>, sign: 1 | -1): void {
  c.all += sign;
  if (t.category === null) c.uncategorised += sign;
  else bump(c.byCategory, t.category, sign);
  if (t.tags.length === 0) c.untagged += sign;
  for (const tag of t.tags) bump(c.byTag, tag, sign);
  if (t.trackerHosts.length === 0) c.trackerless += sign;
  for (const host of t.trackerHosts) bump(c.byTracker, host, sign);
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}
