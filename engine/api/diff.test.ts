import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_SETTINGS,
  SUMMARY_KEYS,
  SequenceTracker,
  applyListDiff,
  applyPatch,
  diffLists,
  diffSummary,
  roundForWire,
  type EngineEvent,
  type GlobalStats,
  type TorrentSummary,
} from './index.js';

const A = 'a'.repeat(40);

const base: TorrentSummary = {
  id: A,
  name: 'ubuntu.iso',
  state: 'downloading',
  stateReason: '',
  queuedFor: null,
  queuePosition: 0,
  forceStart: false,
  totalBytes: 1000,
  doneBytes: 10,
  wantedBytes: 1000,
  progress: 0.01,
  downRate: 100,
  upRate: 0,
  eta: 99,
  ratio: 0,
  downloadedTotal: 10,
  uploadedTotal: 0,
  peers: 3,
  seeds: 1,
  savePath: '/dl',
  addedAt: 1_700_000_000_000,
  completedAt: null,
  error: null,
  sequential: false,
  downloadLimit: null,
  uploadLimit: null,
  firstLastPiecesFirst: false,
  ratioLimit: null,
  seedTimeLimitMinutes: null,
  maxConnections: null,
  goalReached: null,
  moveProgress: null,
  why: null,
  category: null,
  tags: [],
  trackerHosts: [],
};

test('SUMMARY_KEYS lists every field of the sample summary', () => {
  assert.deepEqual([...SUMMARY_KEYS].sort(), Object.keys(base).sort());
});

test('diffSummary: only the changed fields plus id; null when equal', () => {
  assert.equal(diffSummary(base, { ...base }), null);
  assert.deepEqual(diffSummary(base, { ...base, downRate: 200, completedAt: 5, error: 'disk full' }), {
    id: A,
    downRate: 200,
    completedAt: 5,
    error: 'disk full',
  });
  assert.deepEqual(diffSummary({ ...base, completedAt: 5 }, base), { id: A, completedAt: null });
  assert.equal(diffSummary({ ...base, ratio: NaN }, { ...base, ratio: NaN }), null, 'NaN equals NaN');
  assert.throws(() => diffSummary(base, { ...base, id: 'b'.repeat(40) }), RangeError);
});

test('applyPatch returns a new object and leaves the input alone', () => {
  const p = { id: A, state: 'seeding' as const, progress: 1 };
  const next = applyPatch(base, p);
  assert.notEqual(next, base);
  assert.equal(base.state, 'downloading');
  assert.deepEqual(next, { ...base, state: 'seeding', progress: 1 });
  assert.deepEqual(applyPatch(base, { id: A, name: undefined }), base, 'undefined fields are ignored');
  assert.deepEqual(applyPatch(base, { id: A, error: null }), base, 'null is a value');
  assert.throws(() => applyPatch(base, { id: 'b'.repeat(40) }), RangeError);
});

test('roundForWire removes jitter', () => {
  const r = roundForWire({ ...base, downRate: 1234.49, upRate: 0.4, progress: 0.123449, ratio: 1.23449, eta: 59.5 });
  assert.deepEqual([r.downRate, r.upRate, r.progress, r.ratio, r.eta], [1234, 0, 0.1234, 1.234, 60]);
  assert.equal(diffSummary(roundForWire({ ...base, downRate: 100.2 }), roundForWire({ ...base, downRate: 99.9 })), null);
  assert.equal(roundForWire({ ...base, eta: -1 }).eta, -1);
  assert.ok(Object.is(roundForWire({ ...base, upRate: -0.2 }).upRate, 0), 'no -0');
  assert.equal(roundForWire({ ...base, ratio: Infinity }).ratio, Infinity);
});

const hexId = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
const count = fc.nat({ max: 2 ** 40 });
const nullableCount = fc.option(count, { nil: null });
const summaryFields = {
  name: fc.string({ maxLength: 10 }),
  state: fc.constantFrom('metadata', 'checking', 'downloading', 'seeding', 'paused', 'queued', 'stalled', 'error') as fc.Arbitrary<TorrentSummary['state']>,
  stateReason: fc.string({ maxLength: 10 }),
  queuedFor: fc.constantFrom('download', 'seed', null) as fc.Arbitrary<TorrentSummary['queuedFor']>,
  queuePosition: fc.integer({ min: -1, max: 100 }),
  forceStart: fc.boolean(),
  totalBytes: count,
  doneBytes: count,
  wantedBytes: count,
  progress: fc.double({ min: 0, max: 1, noNaN: true }),
  downRate: fc.double({ min: 0, max: 1e9, noNaN: true }),
  upRate: fc.double({ min: 0, max: 1e9, noNaN: true }),
  eta: fc.integer({ min: -1, max: 1e7 }),
  ratio: fc.double({ min: 0, max: 1e4, noNaN: true }),
  downloadedTotal: count,
  uploadedTotal: count,
  peers: fc.nat(500),
  seeds: fc.nat(500),
  savePath: fc.string({ maxLength: 10 }),
  addedAt: count,
  completedAt: nullableCount,
  error: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  sequential: fc.boolean(),
  downloadLimit: nullableCount,
  uploadLimit: nullableCount,
  firstLastPiecesFirst: fc.boolean(),
  ratioLimit: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: null }),
  seedTimeLimitMinutes: nullableCount,
  maxConnections: nullableCount,
  goalReached: fc.constantFrom('ratio' as const, 'seedTime' as const, null),
  moveProgress: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  why: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  category: fc.constantFrom('Movies', 'Movies/4K', null),
  tags: fc.constantFrom<string[]>([], ['hd'], ['hd', 'x']),
  trackerHosts: fc.constantFrom<string[]>([], ['tracker.example']),
};
const summaryFor = (id: string): fc.Arbitrary<TorrentSummary> => fc.record({ id: fc.constant(id), ...summaryFields });
/** Two summaries of one torrent that share a random subset of fields. */
const pair = hexId.chain((id) =>
  fc.tuple(summaryFor(id), summaryFor(id), fc.array(fc.boolean(), { minLength: SUMMARY_KEYS.length, maxLength: SUMMARY_KEYS.length })).map(([a, b, keep]) => {
    const next: TorrentSummary = { ...b };
    SUMMARY_KEYS.forEach((k, i) => {
      if (keep[i]) Object.assign(next, { [k]: a[k] });
    });
    return [a, next] as const;
  }),
);

test('property: applyPatch(prev, diffSummary(prev, next)) deep-equals next; the patch is minimal', () => {
  fc.assert(
    fc.property(pair, ([prev, next]) => {
      const p = diffSummary(prev, next);
      const changed = SUMMARY_KEYS.filter((k) => !Object.is(prev[k], next[k]));
      if (p === null) {
        assert.equal(changed.length, 0);
        assert.deepEqual({ ...prev }, { ...next });
      } else {
        assert.deepEqual(Object.keys(p).sort(), ['id', ...changed].sort());
        assert.deepEqual({ ...applyPatch(prev, p) }, { ...next });
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: diffLists then applyListDiff reproduces the next list; unchanged rows keep identity', () => {
  const list = fc.uniqueArray(hexId, { maxLength: 6 }).chain((ids) => fc.tuple(...ids.map(summaryFor)));
  fc.assert(
    fc.property(list, list, fc.array(fc.boolean(), { maxLength: 6 }), (a, b, keepSame) => {
      const prev = new Map(a.map((s) => [s.id, s]));
      // Keep some of the previous torrents in the next list, unchanged or changed.
      const next = [...b.filter((s) => !prev.has(s.id)), ...a.filter((_, i) => keepSame[i] === true)];
      const d = diffLists(prev, next);
      const out = applyListDiff(prev, d);
      assert.deepEqual(new Map([...out].map(([k, v]) => [k, { ...v }])), new Map(next.map((s) => [s.id, { ...s }])));
      for (const s of next) if (prev.get(s.id) === s) assert.equal(out.get(s.id), s);
      assert.equal(prev.size, a.length, 'input untouched');
    }),
    { numRuns: 300 },
  );
});

test('SequenceTracker: first any, then +1; a gap holds until a snapshot', () => {
  const t = new SequenceTracker();
  assert.equal(t.last, null);
  assert.equal(t.accept(41), 'ok');
  assert.equal(t.accept(42), 'ok');
  assert.equal(t.accept(43), 'ok');
  assert.equal(t.needsSnapshot, false);
  assert.equal(t.accept(45), 'gap');
  assert.equal(t.needsSnapshot, true);
  assert.equal(t.accept(46), 'gap', 'still stale after a gap');
  assert.equal(t.accept(44), 'gap');
  assert.equal(t.accept(100, true), 'ok', 'a snapshot resets');
  assert.equal(t.needsSnapshot, false);
  assert.equal(t.accept(101), 'ok');
  assert.equal(t.accept(101), 'gap', 'a repeat is a gap');
  assert.equal(t.accept(7, true), 'ok', 'a snapshot may go backwards (engine restart)');
  assert.equal(t.accept(8), 'ok');
  assert.equal(t.accept(8.5), 'gap');
  assert.equal(t.accept(NaN), 'gap');
  t.reset();
  assert.equal(t.accept(3), 'ok');
  assert.equal(t.last, 3);
});

test('SequenceTracker.acceptEvent uses the event kind', () => {
  const g: GlobalStats = {
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
  const batch = (seq: number): EngineEvent => ({ kind: 'batch', seq, added: [], changed: [], removed: [], global: g, details: null, notices: [] });
  const t = new SequenceTracker();
  assert.equal(t.acceptEvent(batch(1)), 'ok');
  assert.equal(t.acceptEvent(batch(3)), 'gap');
  assert.equal(t.acceptEvent(batch(4)), 'gap');
  assert.equal(t.acceptEvent({ kind: 'snapshot', seq: 9, torrents: [], global: g, settings: { ...DEFAULT_SETTINGS } }), 'ok');
  assert.equal(t.acceptEvent(batch(10)), 'ok');
});

test('property: a gap-free run is all ok; any skip is a gap until a snapshot', () => {
  fc.assert(
    fc.property(fc.nat(), fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 30 }), (start, steps) => {
      const t = new SequenceTracker();
      assert.equal(t.accept(start), 'ok');
      let last = start;
      let broken = false;
      for (const step of steps) {
        const seq = last + (step === 0 ? 1 : step);
        const r = t.accept(seq);
        if (!broken && seq === last + 1) {
          assert.equal(r, 'ok');
          last = seq;
        } else {
          assert.equal(r, 'gap');
          broken = true;
        }
      }
    }),
  );
});
