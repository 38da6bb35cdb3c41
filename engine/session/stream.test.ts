import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, GlobalStats, TorrentSummary } from '../api/types.js';
import { DEFAULT_SETTINGS } from '../api/validate.js';
import { SequenceTracker } from '../api/diff.js';
import { summarize, type Entry } from './entry.js';
import { newEntry } from './persist.js';
import { HEARTBEAT_MS, StateStream, type StreamView } from './stream.js';
import { sameValue } from './same-value.js';

const GLOBAL: GlobalStats = {
  downRate: 0,
  upRate: 0,
  downloadedTotal: 100,
  uploadedTotal: 200,
  connectedPeers: 0,
  dhtNodes: 0,
  freeDiskBytes: 1e9,
  altLimitsActive: false,
  downloadLimit: 0,
  uploadLimit: 0,
};

function entry(n: number): Entry {
  return newEntry({ id: n.toString(16).padStart(40, '0'), name: `t${n}`, meta: null, magnetUri: null, savePath: '/d', addedAt: n, position: n, paused: true });
}

function setup(): { stream: StateStream; view: StreamView; events: EngineEvent[]; seq: SequenceTracker; batch: (candidates: Entry[], now: number, global?: GlobalStats) => EngineEvent | undefined; entries: Map<string, Entry> } {
  const events: EngineEvent[] = [];
  const seq = new SequenceTracker();
  const stream = new StateStream();
  const view = stream.open((e) => {
    assert.equal(seq.accept(e.seq, e.kind === 'snapshot'), 'ok', 'no sequence gap');
    events.push(e);
  });
  const entries = new Map<string, Entry>();
  const summaryOf = (e: Entry): TorrentSummary => summarize(e);
  const batch = (candidates: Entry[], now: number, global: GlobalStats = GLOBAL): EngineEvent | undefined => {
    const before = events.length;
    stream.batch(candidates, (id) => entries.get(id), global, summaryOf, now);
    return events.length > before ? events[events.length - 1] : undefined;
  };
  return { stream, view, events, seq, batch, entries };
}

test('an idle stream sends nothing but a heartbeat every HEARTBEAT_MS, without sequence gaps', () => {
  const { batch, events } = setup();
  assert.ok(batch([], 0), 'the first batch goes out (the receiver has no counters yet)');
  for (let t = 333; t < HEARTBEAT_MS; t += 333) assert.equal(batch([], t), undefined, `nothing at ${t} ms`);
  const beat = batch([], HEARTBEAT_MS);
  assert.ok(beat && beat.kind === 'batch');
  assert.deepEqual([beat.added, beat.changed, beat.removed, beat.notices, beat.details], [[], [], [], [], null]);
  assert.equal(batch([], HEARTBEAT_MS + 333), undefined);
  assert.deepEqual(events.map((e) => e.seq), [1, 2]);
});

test('a change of the global counters goes out at once, and a rate falling to zero is sent once', () => {
  const { batch } = setup();
  batch([], 0);
  const up = batch([], 333, { ...GLOBAL, upRate: 5000 });
  assert.equal(up?.kind === 'batch' && up.global.upRate, 5000);
  const zero = batch([], 666, { ...GLOBAL, upRate: 0 });
  assert.equal(zero?.kind === 'batch' && zero.global.upRate, 0);
  assert.equal(batch([], 999, { ...GLOBAL }), undefined, 'an equal copy of the counters is no change');
});

test('rows, removals and notices each make a batch; untouched records do not', () => {
  const { batch, stream, entries } = setup();
  const a = entry(1);
  entries.set(a.id, a);
  stream.added(a.id);
  const first = batch([a], 0);
  assert.equal(first?.kind === 'batch' && first.added.length, 1);
  assert.equal(batch([a], 333), undefined, 'a paused record that was not touched is not a change');
  a.paused = false;
  a.dirty = true;
  const changed = batch([a], 666);
  assert.equal(changed?.kind === 'batch' && changed.changed[0]?.state, 'queued');
  stream.notice({ type: 'completed', id: a.id, name: a.name, savePath: '/d' });
  assert.equal(batch([], 999)?.kind, 'batch');
  stream.removed(a.id);
  const removed = batch([], 1332);
  assert.deepEqual(removed?.kind === 'batch' && removed.removed, [a.id]);
  assert.equal(batch([], 1665), undefined);
});

test('detail views are sent when they change, after a new subscription and after a snapshot; not again while equal', () => {
  const { batch, stream, view, entries } = setup();
  const a = entry(2);
  entries.set(a.id, a);
  stream.subscribe(view, a.id, ['trackers']);
  const first = batch([], 0);
  assert.equal(first?.kind === 'batch' && first.details?.id, a.id);
  assert.equal(batch([], 333), undefined, 'the same details are not resent');
  stream.subscribe(view, a.id, ['trackers', 'peers']);
  const resub = batch([], 666);
  assert.deepEqual(resub?.kind === 'batch' && resub.details?.peers, []);
  stream.snapshot(view, entries.values(), GLOBAL, DEFAULT_SETTINGS, (e) => summarize(e));
  const after = batch([], 999);
  assert.equal(after?.kind === 'batch' && after.details?.id, a.id, 'a snapshot does not carry details: the next batch does');
  assert.equal(batch([], 1332), undefined);
});

test('each view keeps its own heartbeat, seq and details: a subscribed view gets details, the other only what changed', () => {
  const stream = new StateStream();
  const got: { a: EngineEvent[]; b: EngineEvent[] } = { a: [], b: [] };
  stream.open((e) => got.a.push(e));
  const entries = new Map<string, Entry>();
  const t = entry(3);
  entries.set(t.id, t);
  stream.batch([], (id) => entries.get(id), GLOBAL, summarize, 0);
  const b = stream.open((e) => got.b.push(e));
  stream.subscribe(b, t.id, ['trackers']);
  stream.batch([], (id) => entries.get(id), GLOBAL, summarize, 333);
  assert.equal(got.a.length, 1, 'nothing new for the first view');
  assert.equal(got.b.length, 1, 'the new view gets counters and its details');
  const bFirst = got.b[0];
  assert.equal(bFirst.kind === 'batch' && bFirst.details?.id, t.id);
  stream.batch([], (id) => entries.get(id), { ...GLOBAL, downRate: 10 }, summarize, 666);
  assert.deepEqual([got.a.map((e) => e.seq), got.b.map((e) => e.seq)], [[1, 2], [1, 2]]);
  const bSecond = got.b[1];
  assert.equal(bSecond.kind === 'batch' && bSecond.details, null, 'unchanged details are not resent');
});

test('sameValue: structure, typed arrays by content, NaN equal to NaN', () => {
  assert.ok(sameValue({ a: [1, { b: new Uint8Array([1, 2]) }], c: NaN }, { a: [1, { b: new Uint8Array([1, 2]) }], c: NaN }));
  assert.ok(!sameValue({ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 3]) }));
  assert.ok(!sameValue(new Uint8Array([1, 0]), new Uint16Array([1])));
  assert.ok(!sameValue({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameValue([1, 2], { 0: 1, 1: 2 }));
  assert.ok(!sameValue({ a: null }, { a: {} }));
});
