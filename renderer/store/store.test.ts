import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, GlobalStats, Notice, PieceMap, TorrentDetails } from '../../engine/api/types.js';
import { DEFAULT_SETTINGS } from '../../engine/api/validate.js';
import { summary } from '../lib/test-rows.js';
import { createTesseraStore } from './store.js';
import { connectListView } from './view-sync.js';

const global: GlobalStats = {
  downRate: 0,
  upRate: 0,
  downloadedTotal: 0,
  uploadedTotal: 0,
  connectedPeers: 0,
  dhtNodes: 0,
  freeDiskBytes: 0,
  altLimitsActive: false,
  downloadLimit: null,
  uploadLimit: null,
};

let seq = 0;
function snapshot(ids: string[]): EngineEvent {
  return { kind: 'snapshot', seq: seq++, torrents: ids.map((id) => summary(id)), global, settings: { ...DEFAULT_SETTINGS } };
}
function batch(parts: Partial<Extract<EngineEvent, { kind: 'batch' }>>): EngineEvent {
  return { kind: 'batch', seq: seq++, added: [], changed: [], removed: [], global, details: null, notices: [], ...parts };
}

test('a snapshot loads the list and drops selected ids that no longer exist', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a', 'b']));
  store.getState().setSelection(['a', 'b']);
  store.getState().applyEvent(snapshot(['b', 'c']));
  const s = store.getState();
  assert.equal(s.loaded, true);
  assert.deepEqual([...s.torrents.keys()], ['b', 'c']);
  assert.deepEqual([...s.selection], ['b']);
});

test('a batch keeps the identity of unchanged rows and replaces changed ones', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a', 'b']));
  const before = store.getState().torrents;
  store.getState().applyEvent(batch({ changed: [{ id: 'a', downRate: 100 }] }));
  const after = store.getState().torrents;
  assert.notEqual(after, before);
  assert.equal(after.get('b'), before.get('b'));
  assert.notEqual(after.get('a'), before.get('a'));
  assert.equal(after.get('a')!.downRate, 100);
});

test('a batch with no list changes keeps the map itself', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a']));
  const before = store.getState().torrents;
  store.getState().applyEvent(batch({}));
  assert.equal(store.getState().torrents, before);
});

test('removal drops the removed ids from the selection and clears the details of a removed torrent', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a', 'b', 'c']));
  store.getState().setSelection(['a', 'c']);
  store.getState().showDetails('c');
  const kept = store.getState().selection;
  store.getState().applyEvent(batch({ changed: [{ id: 'b', upRate: 1 }] }));
  assert.equal(store.getState().selection, kept, 'selection identity kept when nothing selected was removed');
  store.getState().applyEvent(batch({ removed: ['c'] }));
  assert.deepEqual([...store.getState().selection], ['a']);
  assert.equal(store.getState().detailsId, null);
});

test('details are applied only for the torrent being shown', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a', 'b']));
  store.getState().showDetails('a');
  const other: TorrentDetails = { id: 'b', peers: [] };
  store.getState().applyEvent(batch({ details: other }));
  assert.equal(store.getState().peers, null);
  const mine: TorrentDetails = { id: 'a', peers: [], trackers: [] };
  store.getState().applyEvent(batch({ details: mine }));
  assert.deepEqual(store.getState().peers, []);
  assert.deepEqual(store.getState().trackers, []);
  assert.equal(store.getState().files, null);
});

test('a piece map that draws the same as the one shown keeps its identity; a changed one replaces it', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a']));
  store.getState().showDetails('a');
  const map = (have: number): PieceMap => ({ pieceCount: 8, pieceLength: 16_384, have: new Uint8Array([have]), downloading: new Uint8Array(1), availability: new Uint16Array(8).fill(1) });
  store.getState().applyEvent(batch({ details: { id: 'a', pieces: map(0x80) } }));
  const first = store.getState().pieces;
  assert.equal(first?.have[0], 0x80);
  store.getState().applyEvent(batch({ details: { id: 'a', pieces: map(0x80) } }));
  assert.equal(store.getState().pieces, first, 'same content, same object: no redraw');
  store.getState().applyEvent(batch({ details: { id: 'a', pieces: map(0xc0) } }));
  assert.notEqual(store.getState().pieces, first);
  assert.equal(store.getState().pieces?.have[0], 0xc0);
});

test('notices are kept newest last and capped', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot(['a']));
  for (let i = 0; i < 30; i++) {
    const notices: Notice[] = [
      { type: 'completed', id: 'a', name: `n${i}`, savePath: '/' },
      { type: 'error', id: 'a', name: `e${i}`, message: 'disk full' },
    ];
    store.getState().applyEvent(batch({ notices }));
  }
  const n = store.getState().notices;
  assert.equal(n.length, 50);
  const last = n[n.length - 1];
  assert.equal(last.type === 'error' && last.name, 'e29');
});

test('view sync: visible ids and counts follow the list, filter and search; selection actions use them', () => {
  const store = createTesseraStore();
  const off = connectListView(store, { now: () => 0 });
  store.getState().applyEvent({
    kind: 'snapshot',
    seq: seq++,
    torrents: [summary('a', { name: 'alpha', queuePosition: 1 }), summary('b', { name: 'beta', state: 'paused', queuePosition: 0 }), summary('c', { name: 'gamma', queuePosition: 2 })],
    global,
    settings: { ...DEFAULT_SETTINGS },
  });
  let s = store.getState();
  assert.deepEqual(s.visibleIds, ['b', 'a', 'c']);
  assert.deepEqual(s.counts, { all: 3, downloading: 2, seeding: 0, paused: 1, queued: 0, error: 0 });
  s.setFilter('downloading');
  assert.deepEqual(store.getState().visibleIds, ['a', 'c']);
  store.getState().selectAllVisible();
  assert.deepEqual([...store.getState().selection].sort(), ['a', 'c']);
  store.getState().setSearch('gam');
  assert.deepEqual(store.getState().visibleIds, ['c']);
  store.getState().setSearch('');
  store.getState().moveCursor(1, { extend: false, keepSelection: false });
  assert.deepEqual([...store.getState().selection], ['a']);
  store.getState().moveCursor(1, { extend: true, keepSelection: false });
  assert.deepEqual([...store.getState().selection], ['a', 'c']);
  store.getState().select('a', 'toggle', store.getState().visibleIds);
  assert.deepEqual([...store.getState().selection], ['c']);
  const counts = store.getState().counts;
  store.getState().applyEvent(batch({ changed: [{ id: 'a', downRate: 5 }] }));
  assert.equal(store.getState().counts, counts, 'counts keep identity when they did not change');
  s = store.getState();
  s.setSort('name');
  assert.deepEqual(store.getState().visibleIds, ['a', 'c']);
  store.getState().setSort('name');
  assert.deepEqual(store.getState().visibleIds, ['c', 'a']);
  off();
});

test('ui slice: toasts are capped, add requests are de-duplicated', () => {
  const store = createTesseraStore();
  const s = store.getState();
  for (let i = 0; i < 8; i++) s.toast('info', `t${i}`);
  assert.equal(store.getState().toasts.length, 5);
  const id = store.getState().toasts[0].id;
  store.getState().dismissToast(id);
  assert.equal(store.getState().toasts.length, 4);
  s.queueAdd([{ source: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:aa' }, label: 'x' }]);
  s.queueAdd([
    { source: { kind: 'magnet', uri: 'magnet:?xt=urn:btih:aa' }, label: 'x' },
    { source: { kind: 'torrent', data: new Uint8Array([1, 2]) }, label: 'y.torrent' },
  ]);
  const q = store.getState().addQueue;
  assert.deepEqual(q.map((r) => r.label), ['x', 'y.torrent']);
  store.getState().finishAdd(q[0].key);
  assert.deepEqual(store.getState().addQueue.map((r) => r.label), ['y.torrent']);
});

test('settings events replace the settings (any change by anyone); createProgress notices are kept by path, not as news', () => {
  const store = createTesseraStore();
  store.getState().applyEvent(snapshot([]));
  const before = store.getState().settings!;
  store.getState().applyEvent({ kind: 'settings', seq: 2, settings: { ...before, ratioLimit: 0.7 }, hostFixed: ['lsd'] });
  assert.equal(store.getState().settings?.ratioLimit, 0.7);
  assert.deepEqual(store.getState().hostFixed, ['lsd']);
  store.getState().applyEvent(batch({ notices: [{ type: 'createProgress', path: '/a', hashedBytes: 5, totalBytes: 10 }] }));
  assert.deepEqual(store.getState().createProgress.get('/a'), { hashedBytes: 5, totalBytes: 10 });
  assert.equal(store.getState().notices.length, 0);
});
