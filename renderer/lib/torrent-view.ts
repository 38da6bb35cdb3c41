/** Which torrents a state filter and a search show, and in what order. Pure. */
import type { TorrentState, TorrentSummary } from '../../engine/api/types.js';
import type { SortKey, StateFilter } from '../store/store.js';
import { formatEta } from './format.js';
import { matchesLabels, type CategoryFilter, type TagFilter, type TrackerFilter } from './sidebar-filters.js';

export const STATE_FILTERS: readonly StateFilter[] = ['all', 'downloading', 'seeding', 'paused', 'queued', 'error'];

export const FILTER_LABELS: Readonly<Record<StateFilter, string>> = {
  all: 'All',
  downloading: 'Downloading',
  seeding: 'Seeding',
  paused: 'Paused',
  queued: 'Queued',
  error: 'Error',
};

export const STATE_LABELS: Readonly<Record<TorrentState, string>> = {
  metadata: 'Fetching metadata',
  checking: 'Checking',
  downloading: 'Downloading',
  seeding: 'Seeding',
  paused: 'Paused',
  queued: 'Queued',
  stalled: 'Stalled',
  error: 'Error',
};

/**
 * The Status column and the General tab's State: the state's label, and the engine's reason when it says
 * more than the label ("waiting: 3 of 3 download slots in use", not "downloading" again). A reason that
 * starts by repeating the state ("stalled: no data received…") loses that prefix, so it reads once.
 */
export function statusText(t: Pick<TorrentSummary, 'state' | 'stateReason' | 'forceStart' | 'error'> & { why?: string | null }): { label: string; detail: string | null } {
  // Waiting for its unmounted disk (engine/session/volume.ts): listed with errors, but it did not fail and resumes by itself.
  const base = t.state === 'error' && t.error === null && t.stateReason.startsWith('Volume offline') ? 'Volume offline' : STATE_LABELS[t.state];
  const label = t.forceStart && t.state !== 'paused' ? `Forced ${base.toLowerCase()}` : base;
  // The doctor's words say more than the state's ("Stalled: all 12 peers choking us").
  if (t.why && (t.state === 'downloading' || t.state === 'stalled' || t.state === 'metadata')) return { label, detail: t.why };
  // Longest first, so "downloading (forced)" is recognised before "downloading".
  const said = [`${t.state} (forced)`, label.toLowerCase(), base.toLowerCase(), t.state].sort((a, b) => b.length - a.length);
  let reason = (t.state === 'error' ? (t.error ?? t.stateReason) : t.stateReason).trim();
  for (const word of said) {
    const lower = reason.toLowerCase();
    if (lower === word) return { label, detail: null };
    for (const sep of [':', ' —', ' -', ',', ' ']) {
      if (lower.startsWith(word + sep)) {
        reason = reason.slice(word.length + sep.length).trim();
        break;
      }
    }
  }
  return { label, detail: reason === '' ? null : reason };
}

/** The state and its reason as one line: "Stalled: no data received for a while; waiting for peers". */
export function statusLine(t: Pick<TorrentSummary, 'state' | 'stateReason' | 'forceStart' | 'error'> & { why?: string | null }): string {
  const { label, detail } = statusText(t);
  return detail ? `${label}: ${detail}` : label;
}

/**
 * The time-left text, or `none` when there is nothing to wait for or no meaningful figure: complete,
 * stopped, or fetching metadata (the engine's ETA is 0 then because nothing is wanted yet).
 */
export function etaText(t: Pick<TorrentSummary, 'state' | 'progress' | 'eta'>, none: string): string {
  switch (t.state) {
    case 'paused':
    case 'queued':
    case 'error':
    case 'metadata':
    case 'seeding':
      return none;
    case 'downloading':
    case 'stalled':
    case 'checking':
      return t.progress >= 1 ? none : formatEta(t.eta);
  }
}

/**
 * The sidebar group a torrent belongs to besides "all". Active torrents (stalled and checking too) count
 * as downloading until their wanted data is complete, then as seeding, like qBittorrent's filters.
 */
export function filterGroup(t: Pick<TorrentSummary, 'state' | 'progress'>): Exclude<StateFilter, 'all'> {
  switch (t.state) {
    case 'paused':
    case 'queued':
    case 'error':
      return t.state;
    case 'seeding':
      return 'seeding';
    case 'downloading':
    case 'metadata':
      return 'downloading';
    case 'stalled':
    case 'checking':
      return t.progress >= 1 ? 'seeding' : 'downloading';
  }
}

export function matchesFilter(t: TorrentSummary, filter: StateFilter): boolean {
  return filter === 'all' || filterGroup(t) === filter;
}

export type FilterCounts = Readonly<Record<StateFilter, number>>;

export function countByFilter(torrents: Iterable<TorrentSummary>): FilterCounts {
  const c = { all: 0, downloading: 0, seeding: 0, paused: 0, queued: 0, error: 0 };
  for (const t of torrents) {
    c.all++;
    c[filterGroup(t)]++;
  }
  return c;
}

export function sameCounts(a: FilterCounts, b: FilterCounts): boolean {
  for (const f of STATE_FILTERS) if (a[f] !== b[f]) return false;
  return true;
}

/** Search words, lower-cased; a torrent matches when its name contains all of them. */
export function searchTerms(search: string): string[] {
  return search.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
}

export function matchesSearch(name: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const n = name.toLowerCase();
  for (const w of terms) if (!n.includes(w)) return false;
  return true;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const STATE_ORDER: Readonly<Record<TorrentState, number>> = {
  error: 0,
  downloading: 1,
  metadata: 2,
  stalled: 3,
  checking: 4,
  seeding: 5,
  queued: 6,
  paused: 7,
};

/** The value a sort key compares; torrents outside the queue (-1) and unknown ETAs (-1) sort last. */
export function sortValue(t: TorrentSummary, key: SortKey): number | string {
  switch (key) {
    case 'queuePosition':
      return t.queuePosition < 0 ? Number.POSITIVE_INFINITY : t.queuePosition;
    case 'name':
      return t.name;
    case 'totalBytes':
      return t.totalBytes;
    case 'progress':
      return t.progress;
    case 'state':
      return STATE_ORDER[t.state];
    case 'downRate':
      return t.downRate;
    case 'upRate':
      return t.upRate;
    case 'eta':
      return t.eta < 0 ? Number.POSITIVE_INFINITY : t.eta;
    case 'ratio':
      return t.ratio;
    case 'peers':
      return t.peers;
    case 'seeds':
      return t.seeds;
    case 'addedAt':
      return t.addedAt;
  }
}

/** Keys whose values change with every batch of a busy session; the list re-sorts by them on a timer. */
export const VOLATILE_SORT_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['progress', 'downRate', 'upRate', 'eta', 'ratio', 'peers', 'seeds', 'state', 'queuePosition']);

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  if (a === b) return 0;
  return (a as number) < (b as number) ? -1 : 1;
}

/**
 * Sorts rows by key. Ties fall back to the name and then the id so the order is total and rows do
 * not swap places between batches.
 */
export function sortTorrents(rows: TorrentSummary[], key: SortKey, descending: boolean): TorrentSummary[] {
  const dir = descending ? -1 : 1;
  // Decorate once: computing the key inside the comparator would repeat it n log n times.
  const decorated = rows.map((t) => ({ t, v: sortValue(t, key) }));
  decorated.sort((a, b) => {
    const c = compareValues(a.v, b.v);
    if (c !== 0) return c * dir;
    if (key !== 'name') {
      const n = collator.compare(a.t.name, b.t.name);
      if (n !== 0) return n;
    }
    return a.t.id < b.t.id ? -1 : a.t.id > b.t.id ? 1 : 0;
  });
  return decorated.map((d) => d.t);
}

export interface ViewParams {
  filter: StateFilter;
  search: string;
  sort: { key: SortKey; descending: boolean };
  /** The sidebar's category and tag filters (sidebar-filters.ts); absent: all. */
  category?: CategoryFilter;
  tag?: TagFilter;
  tracker?: TrackerFilter;
}

/** The visible ids, from scratch: filter, search, sort. */
export function visibleIds(torrents: Iterable<TorrentSummary>, params: ViewParams): string[] {
  const terms = searchTerms(params.search);
  const rows: TorrentSummary[] = [];
  for (const t of torrents) if (matchesFilter(t, params.filter) && matchesLabels(t, params.category, params.tag, params.tracker) && matchesSearch(t.name, terms)) rows.push(t);
  return sortTorrents(rows, params.sort.key, params.sort.descending).map((t) => t.id);
}
