import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TorrentSummary } from '../../engine/api/types.js';
import { countByFilter, etaText, filterGroup, matchesSearch, searchTerms, sortTorrents, statusLine, statusText, visibleIds } from './torrent-view.js';
import { ListView } from './list-view.js';
import { summary } from './test-rows.js';

test('filter groups: stalled and checking follow completeness', () => {
  assert.equal(filterGroup({ state: 'metadata', progress: 0 }), 'downloading');
  assert.equal(filterGroup({ state: 'stalled', progress: 0.5 }), 'downloading');
  assert.equal(filterGroup({ state: 'stalled', progress: 1 }), 'seeding');
  assert.equal(filterGroup({ state: 'checking', progress: 1 }), 'seeding');
  assert.equal(filterGroup({ state: 'queued', progress: 1 }), 'queued');
  assert.equal(filterGroup({ state: 'error', progress: 0 }), 'error');
});

test('countByFilter', () => {
  const c = countByFilter([summary('a', { state: 'seeding' }), summary('b', { state: 'paused' }), summary('c', { state: 'downloading' }), summary('d', { state: 'paused' })]);
  assert.deepEqual(c, { all: 4, downloading: 1, seeding: 1, paused: 2, queued: 0, error: 0 });
});

test('search: every word, any case', () => {
  assert.deepEqual(searchTerms('  Ubuntu  ISO '), ['ubuntu', 'iso']);
  assert.ok(matchesSearch('ubuntu-24.04-desktop.iso', searchTerms('ISO ubuntu')));
  assert.ok(!matchesSearch('ubuntu-24.04-desktop.iso', searchTerms('ubuntu server')));
  assert.ok(matchesSearch('anything', []));
});

test('sorting: numeric names, unknowns last, stable ties', () => {
  const rows = [summary('c', { name: 'file10' }), summary('a', { name: 'file2' }), summary('b', { name: 'File1' })];
  assert.deepEqual(sortTorrents(rows, 'name', false).map((t) => t.name), ['File1', 'file2', 'file10']);
  assert.deepEqual(sortTorrents(rows, 'name', true).map((t) => t.name), ['file10', 'file2', 'File1']);
  const q = [summary('x', { queuePosition: -1 }), summary('y', { queuePosition: 2 }), summary('z', { queuePosition: 0 })];
  assert.deepEqual(sortTorrents(q, 'queuePosition', false).map((t) => t.id), ['z', 'y', 'x']);
  const e = [summary('x', { eta: -1 }), summary('y', { eta: 50 }), summary('z', { eta: 5 })];
  assert.deepEqual(sortTorrents(e, 'eta', false).map((t) => t.id), ['z', 'y', 'x']);
  const tie = [summary('b', { name: 'same', downRate: 5 }), summary('a', { name: 'same', downRate: 5 })];
  assert.deepEqual(sortTorrents(tie, 'downRate', true).map((t) => t.id), ['a', 'b']);
});

test('visibleIds filters, searches and sorts', () => {
  const rows = [
    summary('a', { name: 'alpha', state: 'seeding', totalBytes: 3 }),
    summary('b', { name: 'beta', state: 'paused', totalBytes: 1 }),
    summary('c', { name: 'alphabet', state: 'seeding', totalBytes: 2 }),
  ];
  const sort = { key: 'totalBytes' as const, descending: false };
  assert.deepEqual(visibleIds(rows, { filter: 'seeding', search: '', sort }), ['c', 'a']);
  assert.deepEqual(visibleIds(rows, { filter: 'all', search: 'ALPHA', sort }), ['c', 'a']);
  assert.deepEqual(visibleIds(rows, { filter: 'paused', search: 'alpha', sort }), []);
});

function mapOf(rows: TorrentSummary[]): Map<string, TorrentSummary> {
  return new Map(rows.map((r) => [r.id, r]));
}

function many(n: number): TorrentSummary[] {
  return Array.from({ length: n }, (_, i) => summary(`t${i}`, { name: `torrent ${i}`, queuePosition: i, downRate: i }));
}

test('ListView: rate changes of an unsorted column keep the order without sorting', () => {
  const view = new ListView(500);
  const params = { filter: 'all' as const, search: '', sort: { key: 'name' as const, descending: false } };
  let map = mapOf(many(1000));
  const first = view.update(map, params, 0);
  assert.equal(view.recomputes, 1);
  map = new Map(map);
  for (let i = 0; i < 500; i++) map.set(`t${i}`, { ...map.get(`t${i}`)!, downRate: i * 7, upRate: 3 });
  const second = view.update(map, params, 100);
  assert.equal(view.recomputes, 1);
  assert.equal(second.ids, first.ids, 'same array identity, so nothing downstream re-renders');
  assert.equal(second.resortInMs, null);
});

test('ListView: sorting by a rate column re-sorts at most once per interval', () => {
  const view = new ListView(500);
  const params = { filter: 'all' as const, search: '', sort: { key: 'downRate' as const, descending: true } };
  let map = mapOf(many(100));
  assert.equal(view.update(map, params, 0).ids[0], 't99');
  map = new Map(map).set('t0', { ...map.get('t0')!, downRate: 1000 });
  const deferred = view.update(map, params, 200);
  assert.equal(view.recomputes, 1);
  assert.equal(deferred.ids[0], 't99');
  assert.equal(deferred.resortInMs, 300);
  const later = view.update(map, params, 500);
  assert.equal(view.recomputes, 2);
  assert.equal(later.ids[0], 't0');
  assert.equal(later.resortInMs, null);
});

test('ListView: additions and parameter changes apply at once, removals drop ids without sorting', () => {
  const view = new ListView(500);
  const params = { filter: 'all' as const, search: '', sort: { key: 'queuePosition' as const, descending: false } };
  let map = mapOf(many(5));
  view.update(map, params, 0);
  map = new Map(map);
  map.delete('t2');
  const removed = view.update(map, params, 1);
  assert.deepEqual(removed.ids, ['t0', 't1', 't3', 't4']);
  assert.equal(view.recomputes, 1);
  map = new Map(map).set('new', summary('new', { queuePosition: -1 }));
  assert.deepEqual(view.update(map, params, 2).ids, ['t0', 't1', 't3', 't4', 'new']);
  assert.equal(view.recomputes, 2);
  assert.deepEqual(view.update(map, { ...params, search: 'torrent 1' }, 3).ids, ['t1']);
});

test('ListView: a row leaving the filter is dropped within the interval', () => {
  const view = new ListView(500);
  const params = { filter: 'seeding' as const, search: '', sort: { key: 'name' as const, descending: false } };
  let map = mapOf([summary('a', { state: 'seeding' }), summary('b', { state: 'seeding' })]);
  view.update(map, params, 0);
  map = new Map(map).set('a', { ...map.get('a')!, state: 'paused' });
  assert.equal(view.update(map, params, 1000).ids.length, 1);
});

test('the Status column adds the engine reason only when it says more than the state', () => {
  const row = (state: TorrentSummary['state'], stateReason: string, forceStart = false, error: string | null = null) => ({ state, stateReason, forceStart, error });
  assert.deepEqual(statusText(row('seeding', 'seeding')), { label: 'Seeding', detail: null });
  assert.deepEqual(statusText(row('downloading', 'downloading (forced)', true)), { label: 'Forced downloading', detail: null });
  assert.deepEqual(statusText(row('queued', 'waiting: 3 of 3 download slots in use')), { label: 'Queued', detail: 'waiting: 3 of 3 download slots in use' });
  assert.deepEqual(statusText(row('error', 'error', false, 'disk full: free some space, then resume')), { label: 'Error', detail: 'disk full: free some space, then resume' });
  assert.deepEqual(statusText(row('downloading', 'looking for peers')), { label: 'Downloading', detail: 'looking for peers' });
  assert.equal(
    statusLine(row('error', 'Volume offline: /mnt/x is not mounted — reconnect it; Tessera resumes by itself')),
    'Volume offline: /mnt/x is not mounted — reconnect it; Tessera resumes by itself',
  );
});

test('the doctor\'s words stand for the reason of a download that is not at full speed', () => {
  const row = (state: TorrentSummary['state'], why: string | null) => ({ state, stateReason: 'stalled: no data received for a while; waiting for peers', forceStart: false, error: null, why });
  assert.equal(statusLine(row('stalled', 'all 12 peers choking us')), 'Stalled: all 12 peers choking us');
  assert.equal(statusLine(row('downloading', 'global limit 100 kB/s')), 'Downloading: global limit 100 kB/s');
  assert.equal(statusLine(row('stalled', null)), 'Stalled: no data received for a while; waiting for peers');
  // A paused or queued torrent's own reason says it already.
  assert.equal(statusLine({ state: 'paused', stateReason: 'paused', forceStart: false, error: null, why: 'no peers' }), 'Paused');
});

test('a state reads once: no "Downloading — downloading", no "Stalled: stalled:", no "Paused — paused"', () => {
  const row = (state: TorrentSummary['state'], stateReason: string, forceStart = false) => ({ state, stateReason, forceStart, error: null });
  assert.equal(statusLine(row('downloading', 'downloading')), 'Downloading');
  assert.equal(statusLine(row('paused', 'paused')), 'Paused');
  assert.equal(statusLine(row('paused', 'Paused')), 'Paused');
  assert.equal(statusLine(row('stalled', 'stalled: no data received for a while; waiting for peers')), 'Stalled: no data received for a while; waiting for peers');
  assert.equal(statusLine(row('seeding', 'seeding (forced)', true)), 'Forced seeding');
  assert.equal(statusLine(row('paused', 'paused: ratio goal 0.50 reached')), 'Paused: ratio goal 0.50 reached');
  assert.equal(statusLine(row('metadata', 'fetching metadata from peers')), 'Fetching metadata: from peers');
  assert.equal(statusLine(row('queued', 'waiting: 3 of 3 download slots in use')), 'Queued: waiting: 3 of 3 download slots in use');
  assert.equal(statusLine(row('stalled', 'stalled:')), 'Stalled');
});

test('time left: blank while fetching metadata, complete, seeding or stopped; the figure while downloading', () => {
  const row = (state: TorrentSummary['state'], progress: number, eta: number) => ({ state, progress, eta });
  assert.equal(etaText(row('metadata', 0, 0), '—'), '—');
  assert.equal(etaText(row('downloading', 1, 0), ''), '');
  assert.equal(etaText(row('seeding', 1, 0), ''), '');
  assert.equal(etaText(row('paused', 0.5, 10), ''), '');
  assert.equal(etaText(row('queued', 0.5, -1), ''), '');
  assert.equal(etaText(row('downloading', 0.5, 200), ''), '3m 20s');
  assert.equal(etaText(row('stalled', 0.5, -1), ''), '∞');
});
