import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, GlobalStats, TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';
import { applyListDiff } from '../../engine/api/diff.js';
import { DEFAULT_SETTINGS } from '../../engine/api/validate.js';
import { createTesseraStore } from '../store/store.js';
import { connectListView } from '../store/view-sync.js';
import { ListView } from './list-view.js';
import { RowCounts } from './row-counts.js';
import { countLabels, sameLabelCounts } from './sidebar-filters.js';
import { countByFilter, visibleIds } from './torrent-view.js';
import { summary } from './test-rows.js';

const global: GlobalStats = { downRate: 0, upRate: 0, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 0, freeDiskBytes: 0, altLimitsActive: false, downloadLimit: null, uploadLimit: null };
const STATES: TorrentSummary['state'][] = ['downloading', 'seeding', 'paused', 'queued', 'error', 'stalled', 'checking', 'metadata'];
const CATEGORIES = [null, 'Movies', 'Movies/4K', 'Linux'];
const TAGS = [[], ['hd'], ['hd', 'new'], ['new']];
const HOSTS = [[], ['a.example'], ['a.example', 'b.example']];

/** mulberry32, so a failing seed replays (the renderer's tests import only the engine's api). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random batches (rows added, patched in every field the counts and the view read, removed), replayable by seed. */
function batches(seed: number, count: number): { first: TorrentSummary[]; events: EngineEvent[] } {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  let next = 0;
  const row = (): TorrentSummary => {
    const id = `t${next++}`;
    return summary(id, { name: `torrent ${id}`, state: pick(STATES), progress: random() < 0.3 ? 1 : random(), category: pick(CATEGORIES), tags: pick(TAGS), trackerHosts: pick(HOSTS), downRate: Math.floor(random() * 1000), queuePosition: next });
  };
  const first = Array.from({ length: 60 }, row);
  const live = new Set(first.map((t) => t.id));
  const events: EngineEvent[] = [];
  for (let b = 0; b < count; b++) {
    const added = random() < 0.2 ? [row(), row()] : [];
    const removed = random() < 0.2 ? [pick([...live])] : [];
    for (const id of removed) live.delete(id);
    const changed: TorrentPatch[] = [];
    for (const id of live) {
      if (random() > 0.3) continue;
      const p: TorrentPatch = { id, downRate: Math.floor(random() * 1000) };
      if (random() < 0.3) p.state = pick(STATES);
      if (random() < 0.3) p.progress = random() < 0.5 ? 1 : random();
      if (random() < 0.1) p.category = pick(CATEGORIES);
      if (random() < 0.1) p.tags = pick(TAGS);
      if (random() < 0.1) p.trackerHosts = pick(HOSTS);
      changed.push(p);
    }
    for (const t of added) live.add(t.id);
    events.push({ kind: 'batch', seq: b + 1, added, changed, removed, global, details: null, notices: [] });
  }
  return { first, events };
}

test('the sidebar counts and the visible ids, kept from each batch\'s rows, match a recount after every batch', () => {
  for (const seed of [1, 2, 3]) {
    const { first, events } = batches(seed, 80);
    const store = createTesseraStore();
    store.getState().applyEvent({ kind: 'snapshot', seq: 0, torrents: first, global, settings: DEFAULT_SETTINGS }, 0);
    const off = connectListView(store, { minResortMs: 0, now: () => 0 });
    store.getState().setSort('downRate');
    store.getState().setFilter('downloading');
    store.getState().setCategoryFilter({ kind: 'category', name: 'Movies' });
    for (const [i, event] of events.entries()) {
      store.getState().applyEvent(event, i + 1);
      const s = store.getState();
      assert.deepEqual(s.counts, countByFilter(s.torrents.values()), `seed ${seed}, batch ${i}: state counts`);
      assert.ok(sameLabelCounts(s.labelCounts, countLabels(s.torrents.values())), `seed ${seed}, batch ${i}: label counts`);
      const params = { filter: s.filter, search: s.search, sort: s.sort, category: s.categoryFilter, tag: s.tagFilter, tracker: s.trackerFilter };
      assert.deepEqual(s.visibleIds, visibleIds(s.torrents.values(), params), `seed ${seed}, batch ${i}: visible ids`);
    }
    off();
  }
});

/** A map that refuses to be walked: what a batch's update must not do with 10,000 rows. */
class UnwalkableMap<K, V> extends Map<K, V> {
  walkable = true;
  override [Symbol.iterator](): MapIterator<[K, V]> {
    if (!this.walkable) throw new Error('walked every row');
    return super[Symbol.iterator]();
  }
  override values(): MapIterator<V> {
    if (!this.walkable) throw new Error('walked every row');
    return super.values();
  }
  override entries(): MapIterator<[K, V]> {
    return this[Symbol.iterator]();
  }
}

test('a batch that patches rows updates the counts and the list from those rows, without walking the others', () => {
  const rows = Array.from({ length: 100 }, (_, i) => summary(`t${i}`, { queuePosition: i, state: i % 2 ? 'seeding' : 'downloading', progress: i % 2 ? 1 : 0.5 }));
  const from = new Map<TorrentId, TorrentSummary>(rows.map((t) => [t.id, t]));
  const params = { filter: 'all' as const, search: '', sort: { key: 'queuePosition' as const, descending: false } };
  const view = new ListView(0);
  const counts = new RowCounts();
  const before = view.update(from, params, 0);
  counts.reset(from);
  const batch = { added: [], changed: [{ id: 't0', state: 'paused' as const, downRate: 5 }, { id: 't3', downRate: 7 }], removed: [] };
  const to = new UnwalkableMap(applyListDiff(from, batch));
  to.walkable = false;
  const change = { from, to, ...batch };
  counts.apply(change);
  assert.equal(view.update(to, params, 1, change).ids, before.ids, 'nothing moved: the same ids');
  assert.deepEqual(counts.filters, { all: 100, downloading: 49, seeding: 50, paused: 1, queued: 0, error: 0 });
  const [filters, labels] = [counts.filters, counts.labels];
  to.walkable = true;
  const rates = { added: [], changed: [{ id: 't3', downRate: 9 }], removed: [] };
  counts.apply({ from: to, to: applyListDiff(to, rates), ...rates });
  assert.equal(counts.filters, filters, 'equal counts keep their object');
  assert.equal(counts.labels, labels);
});
