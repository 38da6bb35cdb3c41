/**
 * The visible-id list, kept up to date cheaply as batches arrive. A batch replaces the torrent map, but
 * most of it is rate changes of columns the list is not sorted by: those keep the current order without
 * sorting. Changes that move rows (sort value, filter or search membership) re-sort at most once per
 * `minResortMs`; additions and parameter changes re-sort at once; removals only drop ids.
 */
import type { TorrentId, TorrentSummary } from '../../engine/api/types.js';
import { matchesFilter, matchesSearch, searchTerms, sortValue, visibleIds, type ViewParams } from './torrent-view.js';
import { forEachChangedRow, type ListChange } from './list-change.js';
import { matchesLabels, sameCategoryFilter, sameTagFilter, sameTrackerFilter, ALL_CATEGORIES, ALL_TAGS, ALL_TRACKERS } from './sidebar-filters.js';

export interface ListViewResult {
  ids: readonly TorrentId[];
  /** When a deferred re-sort is due, in ms from now; null when the list is current. */
  resortInMs: number | null;
}

export class ListView {
  private ids: readonly TorrentId[] = [];
  private source: ReadonlyMap<TorrentId, TorrentSummary> | null = null;
  private params: ViewParams | null = null;
  private terms: string[] = [];
  private sortedAt = Number.NEGATIVE_INFINITY;
  private dirty = false;
  /** How many full recomputations ran (for tests and the benchmark). */
  recomputes = 0;

  constructor(private readonly minResortMs = 500) {}

  /**
   * The ids to show for `torrents`. `change`, when it is the batch that made `torrents` from the map seen
   * last, lets the update look at the rows it names only; without it every row is compared.
   */
  update(torrents: ReadonlyMap<TorrentId, TorrentSummary>, params: ViewParams, now: number, change: ListChange | null = null): ListViewResult {
    const prev = this.source;
    if (prev === null || !sameParams(this.params, params)) {
      this.params = params;
      this.terms = searchTerms(params.search);
      return this.recompute(torrents, now);
    }
    if (torrents !== prev) {
      const kind = change !== null && change.from === prev && change.to === torrents ? this.classifyChange(change) : this.classify(prev, torrents);
      this.source = torrents;
      if (kind.added) return this.recompute(torrents, now);
      if (kind.removed) this.ids = this.ids.filter((id) => torrents.has(id));
      if (kind.moved) this.dirty = true;
    }
    if (this.dirty) {
      const wait = this.sortedAt + this.minResortMs - now;
      if (wait <= 0) return this.recompute(torrents, now);
      return { ids: this.ids, resortInMs: wait };
    }
    return { ids: this.ids, resortInMs: null };
  }

  private recompute(torrents: ReadonlyMap<TorrentId, TorrentSummary>, now: number): ListViewResult {
    this.recomputes++;
    this.source = torrents;
    this.sortedAt = now;
    this.dirty = false;
    const next = visibleIds(torrents.values(), this.params!);
    this.ids = sameIds(this.ids, next) ? this.ids : next;
    return { ids: this.ids, resortInMs: null };
  }

  /** What kind of change happened between two maps, by walking rows whose identity changed. */
  private classify(prev: ReadonlyMap<TorrentId, TorrentSummary>, next: ReadonlyMap<TorrentId, TorrentSummary>): { added: boolean; removed: boolean; moved: boolean } {
    let kept = 0;
    let moved = false;
    for (const [id, row] of next) {
      const old = prev.get(id);
      if (old === undefined) return { added: true, removed: false, moved: true };
      kept++;
      if (old === row || moved) continue;
      moved = this.moves(old, row);
    }
    return { added: false, removed: kept !== prev.size, moved };
  }

  /** `classify` from the rows one batch named. */
  private classifyChange(change: ListChange): { added: boolean; removed: boolean; moved: boolean } {
    const kind = { added: false, removed: false, moved: false };
    forEachChangedRow(change, (old, row) => {
      if (old === undefined) kind.added = kind.moved = true;
      else if (row === undefined) kind.removed = true;
      else if (!kind.moved) kind.moved = this.moves(old, row);
    });
    return kind;
  }

  /** Whether a row's change can move it: into or out of the view, or to another place in its order. */
  private moves(old: TorrentSummary, row: TorrentSummary): boolean {
    const wasShown = this.shows(old);
    const isShown = this.shows(row);
    if (wasShown !== isShown) return true;
    return isShown && sortValue(old, this.params!.sort.key) !== sortValue(row, this.params!.sort.key);
  }

  private shows(t: TorrentSummary): boolean {
    const p = this.params!;
    return matchesFilter(t, p.filter) && matchesLabels(t, p.category, p.tag, p.tracker) && matchesSearch(t.name, this.terms);
  }
}

function sameParams(a: ViewParams | null, b: ViewParams): boolean {
  return (
    a !== null &&
    a.filter === b.filter &&
    a.search === b.search &&
    a.sort.key === b.sort.key &&
    a.sort.descending === b.sort.descending &&
    sameCategoryFilter(a.category ?? ALL_CATEGORIES, b.category ?? ALL_CATEGORIES) &&
    sameTagFilter(a.tag ?? ALL_TAGS, b.tag ?? ALL_TAGS) &&
    sameTrackerFilter(a.tracker ?? ALL_TRACKERS, b.tracker ?? ALL_TRACKERS)
  );
}

function sameIds(a: readonly TorrentId[], b: readonly TorrentId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
