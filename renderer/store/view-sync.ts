/**
 * Keeps the store's visibleIds and sidebar counts in step with the torrents and the view parameters,
 * through a ListView (which avoids re-sorting for changes that cannot move rows) and a timer for the
 * re-sorts it defers.
 */
import { ListView } from '../lib/list-view.js';
import { sameCounts } from '../lib/torrent-view.js';
import { sameLabelCounts } from '../lib/sidebar-filters.js';
import { RowCounts } from '../lib/row-counts.js';
import type { TesseraState, TesseraStore } from './store.js';

export interface ViewSyncOptions {
  minResortMs?: number;
  now?: () => number;
}

export function connectListView(store: TesseraStore, options: ViewSyncOptions = {}): () => void {
  const view = new ListView(options.minResortMs ?? 500);
  const now = options.now ?? (() => performance.now());
  let timer: ReturnType<typeof setTimeout> | null = null;
  let countedFrom: TesseraState['torrents'] | null = null;
  const rowCounts = new RowCounts();

  const refresh = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const s = store.getState();
    // The batch that made this map, if it did: the view and the counts look at the rows it names only.
    const change = s.listChange !== null && s.listChange.to === s.torrents ? s.listChange : null;
    const result = view.update(s.torrents, { filter: s.filter, search: s.search, sort: s.sort, category: s.categoryFilter, tag: s.tagFilter, tracker: s.trackerFilter }, now(), change);
    let counts = s.counts;
    if (countedFrom !== s.torrents) {
      if (change !== null && change.from === countedFrom) rowCounts.apply(change);
      else rowCounts.reset(s.torrents);
      countedFrom = s.torrents;
      if (!sameCounts(rowCounts.filters, counts)) counts = rowCounts.filters;
      if (!sameLabelCounts(rowCounts.labels, s.labelCounts)) s.setLabelCounts(rowCounts.labels);
    }
    s.setView(result.ids, counts);
    if (result.resortInMs !== null) timer = setTimeout(refresh, result.resortInMs);
  };

  const off = store.subscribe((s, prev) => {
    if (s.torrents !== prev.torrents || s.filter !== prev.filter || s.search !== prev.search || s.sort !== prev.sort || s.categoryFilter !== prev.categoryFilter || s.tagFilter !== prev.tagFilter || s.trackerFilter !== prev.trackerFilter) refresh();
  });
  refresh();
  return () => {
    off();
    if (timer !== null) clearTimeout(timer);
  };
}
