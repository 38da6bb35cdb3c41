import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, GlobalStats } from '../../engine/api/types.js';
import { DEFAULT_SETTINGS } from '../../engine/api/validate.js';
import { createTesseraStore } from '../store/store.js';
import { connectListView } from '../store/view-sync.js';
import { categoryTree, countLabels, matchesCategory, matchesTag, matchesTracker, parseTagField, sameLabelCounts, tagList } from './sidebar-filters.js';
import { summary } from './test-rows.js';

test('category and tag filters: subcategories included, uncategorised and untagged', () => {
  const t = summary('a', { category: 'Movies/4K', tags: ['hd'] });
  assert.equal(matchesCategory(t, { kind: 'category', name: 'Movies' }), true);
  assert.equal(matchesCategory(t, { kind: 'category', name: 'Movies/4K' }), true);
  assert.equal(matchesCategory(t, { kind: 'category', name: 'Mov' }), false);
  assert.equal(matchesCategory(t, { kind: 'none' }), false);
  assert.equal(matchesCategory(summary('b'), { kind: 'none' }), true);
  assert.equal(matchesTag(t, { kind: 'tag', name: 'hd' }), true);
  assert.equal(matchesTag(t, { kind: 'none' }), false);
  assert.equal(matchesTag(summary('b'), { kind: 'none' }), true);
  const tracked = summary('c', { trackerHosts: ['a.example', 'b.example'] });
  assert.equal(matchesTracker(tracked, { kind: 'host', name: 'b.example' }), true);
  assert.equal(matchesTracker(tracked, { kind: 'none' }), false);
  assert.equal(matchesTracker(summary('d'), { kind: 'none' }), true);
  const c = countLabels([tracked, summary('d'), summary('e', { trackerHosts: ['b.example'] })]);
  assert.equal(c.trackerless, 1);
  assert.deepEqual(tagList(c.byTracker), [{ name: 'a.example', count: 1 }, { name: 'b.example', count: 2 }]);
});

test('counts and the tree: parents count their subcategories, implicit levels shown, sorted', () => {
  const rows = [summary('a', { category: 'Movies/4K', tags: ['hd', 'x'] }), summary('b', { category: 'Movies' }), summary('c', { tags: ['hd'] }), summary('d', { category: 'TV/Drama' })];
  const c = countLabels(rows);
  assert.equal(c.all, 4);
  assert.equal(c.uncategorised, 1);
  assert.equal(c.untagged, 2);
  assert.deepEqual(tagList(c.byTag), [{ name: 'hd', count: 2 }, { name: 'x', count: 1 }]);
  const tree = categoryTree([{ name: 'Movies', savePath: '/m' }, { name: 'Movies/4K', savePath: null }, { name: 'Books', savePath: null }], c.byCategory);
  assert.deepEqual(
    tree.map((n) => [n.name, n.label, n.level, n.count, n.implicit]),
    [
      ['Books', 'Books', 1, 0, false],
      ['Movies', 'Movies', 1, 2, false],
      ['Movies/4K', '4K', 2, 1, false],
      ['TV', 'TV', 1, 1, true],
      ['TV/Drama', 'Drama', 2, 1, true],
    ],
  );
  assert.equal(sameLabelCounts(c, countLabels(rows)), true);
  assert.equal(sameLabelCounts(c, countLabels(rows.slice(1))), false);
  assert.deepEqual(parseTagField(' hd, linux ,, hd '), ['hd', 'linux']);
});

const global: GlobalStats = { downRate: 0, upRate: 0, downloadedTotal: 0, uploadedTotal: 0, connectedPeers: 0, dhtNodes: 0, freeDiskBytes: 0, altLimitsActive: false, downloadLimit: null, uploadLimit: null };

test('the store keeps live label counts from the batches and combines the label filters with the state filter', () => {
  const store = createTesseraStore();
  let clock = 0;
  const off = connectListView(store, { now: () => clock });
  try {
    const snap: EngineEvent = {
      kind: 'snapshot',
      seq: 0,
      global,
      settings: { ...DEFAULT_SETTINGS },
      torrents: [summary('a', { category: 'Movies', tags: ['hd'] }), summary('b', { category: 'Movies', state: 'paused' }), summary('c')],
    };
    store.getState().applyEvent(snap);
    let s = store.getState();
    assert.equal(s.labelCounts.byCategory.get('Movies'), 2);
    assert.equal(s.labelCounts.byTag.get('hd'), 1);
    assert.equal(s.labelCounts.untagged, 2);

    s.setTagFilter({ kind: 'tag', name: 'hd' });
    assert.deepEqual(store.getState().visibleIds, ['a']);
    s.setTagFilter({ kind: 'all' });
    s.setCategoryFilter({ kind: 'category', name: 'Movies' });
    assert.deepEqual([...store.getState().visibleIds].sort(), ['a', 'b']);
    s.setFilter('paused');
    assert.deepEqual(store.getState().visibleIds, ['b'], 'combined with the state filter');
    s.setFilter('all');

    // A batch moves c into Movies and tags it: counts and the filtered list follow at once.
    const before = store.getState().labelCounts;
    clock = 10_000; // past the list's minimum re-sort interval, so membership changes apply at once
    store.getState().applyEvent({ kind: 'batch', seq: 1, added: [], changed: [{ id: 'c', category: 'Movies', tags: ['hd'] }], removed: [], global, details: null, notices: [] });
    s = store.getState();
    assert.notEqual(s.labelCounts, before);
    assert.equal(s.labelCounts.byCategory.get('Movies'), 3);
    assert.equal(s.labelCounts.byTag.get('hd'), 2);
    assert.equal(s.labelCounts.uncategorised, 0);
    assert.deepEqual([...s.visibleIds].sort(), ['a', 'b', 'c']);

    // A batch of rate changes keeps the counts object (no sidebar re-render).
    const same = s.labelCounts;
    store.getState().applyEvent({ kind: 'batch', seq: 2, added: [], changed: [{ id: 'a', downRate: 5 }], removed: [], global, details: null, notices: [] });
    assert.equal(store.getState().labelCounts, same);
  } finally {
    off();
  }
});
