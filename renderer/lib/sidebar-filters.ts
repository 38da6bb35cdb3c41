/**
 * The sidebar's category, tag and tracker filters (issue 17): which torrents they show, their live counts
 * from the torrent rows, and the category tree. Pure. Rules shared with the engine are engine/api/categories.ts
 * (a category filter shows its subcategories too).
 */
import type { CategoryDef, TorrentSummary } from '../../engine/api/types.js';
import { inCategory } from '../../engine/api/categories.js';

export type CategoryFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'category'; name: string };
export type TagFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'tag'; name: string };
/** By tracker host; 'none': trackerless torrents. */
export type TrackerFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'host'; name: string };

export const ALL_CATEGORIES: CategoryFilter = Object.freeze({ kind: 'all' });
export const ALL_TAGS: TagFilter = Object.freeze({ kind: 'all' });
export const ALL_TRACKERS: TrackerFilter = Object.freeze({ kind: 'all' });

export function matchesTracker(t: Pick<TorrentSummary, 'trackerHosts'>, f: TrackerFilter): boolean {
  switch (f.kind) {
    case 'all':
      return true;
    case 'none':
      return t.trackerHosts.length === 0;
    case 'host':
      return t.trackerHosts.includes(f.name);
  }
}

export function sameTrackerFilter(a: TrackerFilter, b: TrackerFilter): boolean {
  return a.kind === b.kind && (a.kind !== 'host' || a.name === (b as { name: string }).name);
}

export function matchesCategory(t: Pick<TorrentSummary, 'category'>, f: CategoryFilter): boolean {
  switch (f.kind) {
    case 'all':
      return true;
    case 'none':
      return t.category === null;
    case 'category':
      return inCategory(t.category, f.name);
  }
}

export function matchesTag(t: Pick<TorrentSummary, 'tags'>, f: TagFilter): boolean {
  switch (f.kind) {
    case 'all':
      return true;
    case 'none':
      return t.tags.length === 0;
    case 'tag':
      return t.tags.includes(f.name);
  }
}

/** The sidebar's label filters together (absent: all). */
export function matchesLabels(t: Pick<TorrentSummary, 'category' | 'tags' | 'trackerHosts'>, category: CategoryFilter | undefined, tag: TagFilter | undefined, tracker?: TrackerFilter): boolean {
  return (category === undefined || matchesCategory(t, category)) && (tag === undefined || matchesTag(t, tag)) && (tracker === undefined || matchesTracker(t, tracker));
}

export function sameCategoryFilter(a: CategoryFilter, b: CategoryFilter): boolean {
  return a.kind === b.kind && (a.kind !== 'category' || a.name === (b as { name: string }).name);
}

export function sameTagFilter(a: TagFilter, b: TagFilter): boolean {
  return a.kind === b.kind && (a.kind !== 'tag' || a.name === (b as { name: string }).name);
}

/** Torrents per category (its own, not its subcategories') and per tag, from the rows. */
export interface LabelCounts {
  readonly all: number;
  readonly uncategorised: number;
  readonly untagged: number;
  readonly byCategory: ReadonlyMap<string, number>;
  readonly byTag: ReadonlyMap<string, number>;
  readonly trackerless: number;
  readonly byTracker: ReadonlyMap<string, number>;
}

export const NO_LABEL_COUNTS: LabelCounts = Object.freeze({ all: 0, uncategorised: 0, untagged: 0, byCategory: new Map(), byTag: new Map(), trackerless: 0, byTracker: new Map() });

export function countLabels(torrents: Iterable<Pick<TorrentSummary, 'category' | 'tags' | 'trackerHosts'>>): LabelCounts {
  let all = 0;
  let trackerless = 0;
  const byTracker = new Map<string, number>();
  let uncategorised = 0;
  let untagged = 0;
  const byCategory = new Map<string, number>();
  const byTag = new Map<string, number>();
  for (const t of torrents) {
    all++;
    if (t.category === null) uncategorised++;
    else byCategory.set(t.category, (byCategory.get(t.category) ?? 0) + 1);
    if (t.tags.length === 0) untagged++;
    for (const tag of t.tags) byTag.set(tag, (byTag.get(tag) ?? 0) + 1);
    if (t.trackerHosts.length === 0) trackerless++;
    for (const host of t.trackerHosts) byTracker.set(host, (byTracker.get(host) ?? 0) + 1);
  }
  return { all, uncategorised, untagged, byCategory, byTag, trackerless, byTracker };
}

function sameMap(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Equal counts keep the old object, so the sidebar does not re-render for a batch of rate changes. */
export function sameLabelCounts(a: LabelCounts, b: LabelCounts): boolean {
  return (
    a.all === b.all &&
    a.uncategorised === b.uncategorised &&
    a.untagged === b.untagged &&
    a.trackerless === b.trackerless &&
    sameMap(a.byCategory, b.byCategory) &&
    sameMap(a.byTag, b.byTag) &&
    sameMap(a.byTracker, b.byTracker)
  );
}

/** One row of the category tree, in display order. */
export interface CategoryNode {
  /** The full path ("Movies/4K"): what the filter and setCategory use. */
  name: string;
  /** The last level ("4K"). */
  label: string;
  /** 1 for a top-level category (aria-level). */
  level: number;
  /** Its torrents and its subcategories'. */
  count: number;
  /** Not in the settings itself: the parent of one that is (or only a torrent's category). Shown, not editable. */
  implicit: boolean;
  savePath: string | null;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * The categories of the settings and of the torrents (a torrent may carry one the settings no longer
 * list), with every parent level, as a depth-first list sorted by name at each level.
 */
export function categoryTree(defs: readonly CategoryDef[], counts: ReadonlyMap<string, number>): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>();
  const ensure = (name: string, def: CategoryDef | null): void => {
    const parts = name.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      const existing = nodes.get(path);
      const own = i === parts.length ? def : null;
      if (existing) {
        if (own) Object.assign(existing, { implicit: false, savePath: own.savePath });
        continue;
      }
      nodes.set(path, { name: path, label: parts[i - 1], level: i, count: 0, implicit: own === null, savePath: own?.savePath ?? null });
    }
  };
  for (const d of defs) ensure(d.name, d);
  for (const name of counts.keys()) ensure(name, null);
  for (const [name, n] of counts) {
    const parts = name.split('/');
    for (let i = 1; i <= parts.length; i++) nodes.get(parts.slice(0, i).join('/'))!.count += n;
  }
  // Sorting by the path's levels puts each parent right before its children.
  return [...nodes.values()].sort((a, b) => {
    const pa = a.name.split('/');
    const pb = b.name.split('/');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = collator.compare(pa[i], pb[i]) || (pa[i] < pb[i] ? -1 : pa[i] > pb[i] ? 1 : 0);
      if (c !== 0) return c;
    }
    return pa.length - pb.length;
  });
}

/** The tags (or tracker hosts) of the torrents, sorted, with their counts. */
export function tagList(counts: ReadonlyMap<string, number>): { name: string; count: number }[] {
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1));
}

/** The MIME type of torrent rows dragged onto a sidebar category or tag (their ids, newline-separated). */
export const TORRENT_DRAG_TYPE = 'application/x-tessera-torrents';

/** "hd, linux ,, x" -> ["hd", "linux", "x"]: the Add dialog's tags field. */
export function parseTagField(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
}
