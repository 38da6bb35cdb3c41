/**
 * Keeps the store's visibleIds and sidebar counts in step with the torrents and the view parameters,
 * through a ListView (which avoids re-sorting for changes that cannot move rows) and a timer for the
 * re-sorts it defers.
 */
import { ListView } from '../lib/list-view.js';
import { countByFilter, sameCounts } from '../lib/torrent-view.js';
import { countLabels, sameLabelCounts } from '../lib/sidebar-filters.js';
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

  const refresh = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const s = store.getState();
    const result = view.update(s.torrents, { filter: s.filter, search: s.search, sort: s.sort, category: s.categoryFilter, tag: s.tagFilter, tracker: s.trackerFilter }, now());
    let counts = s.counts;
    if (countedFrom !== s.torrents) {
      countedFrom = s.torrents;
      const fresh = countByFilter(s.torrents.values());
      if (!sameCounts(fresh, counts)) counts = fresh;
      const labels = countLabels(s.torrents.values());
      if (!sameLabelCounts(labels, s.labelCounts)) s.setLabelCounts(labels);
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
