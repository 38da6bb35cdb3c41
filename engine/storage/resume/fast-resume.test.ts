import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bitfield } from '../../common/bitfield.js';
import { fileVerdict, MTIME_SLACK_MS, needsRecapture, planResume, type LayoutFile, type ResumeLayout } from './fast-resume.js';
import { newResumeRecord, type FileStat, type ResumeRecord } from './resume-record.js';

const ID = 'b'.repeat(40);
const T0 = 1_700_000_000_000;
const OLD = T0 - 60_000; // an mtime well before the capture

/** Files of the given lengths laid end to end. */
function layoutOf(lengths: number[], pieceLength: number, padding: boolean[] = []): ResumeLayout {
  let offset = 0;
  const files: LayoutFile[] = lengths.map((length, i) => {
    const f = { offset, length, padding: padding[i] ?? false };
    offset += length;
    return f;
  });
  return { files, pieceLength, pieceCount: Math.ceil(offset / pieceLength) };
}

function record(layout: ResumeLayout, have: number[], stats: (FileStat | null)[] | null, extra: Partial<ResumeRecord> = {}): ResumeRecord {
  const bf = new Bitfield(layout.pieceCount);
  for (const p of have) bf.set(p);
  return newResumeRecord({ id: ID, name: 'x', savePath: '/d', addedAt: 0, have: bf, fileStats: stats, fileStatsAt: T0, ...extra });
}

const bits = (b: Bitfield): number[] => [...Array(b.length).keys()].filter((i) => b.has(i));

// Three files over 10-byte pieces: a=[0,25) b=[25,40) c=[40,62) -> 7 pieces.
//   piece: 0 1 2 | 3 (a+b) | 4? no: piece 2 = [20,30) spans a and b; piece 3 = [30,40) b; piece 4 = [40,50) c ...
const L = layoutOf([25, 15, 22], 10);
const full = [0, 1, 2, 3, 4, 5, 6];
const stats: FileStat[] = [
  { size: 25, mtimeMs: OLD },
  { size: 15, mtimeMs: OLD + 1 },
  { size: 22, mtimeMs: OLD + 2.5 },
];

test('unchanged files: the record is trusted and nothing is hashed', () => {
  const plan = planResume(record(L, [0, 2, 5], stats), stats, L);
  assert.deepEqual(bits(plan.trusted), [0, 2, 5]);
  assert.deepEqual(plan.recheck, []);
  assert.deepEqual(plan.changedFiles, []);
  assert.match(plan.reason, /unchanged: 3 verified pieces trusted/);
});

test('a grown file: its pieces (and shared boundary pieces) are rechecked, the others trusted', () => {
  const now = [stats[0], { size: 15, mtimeMs: OLD + 9 }, stats[2]];
  const plan = planResume(record(L, [0, 1, 4, 6], [stats[0], { size: 10, mtimeMs: OLD + 1 }, stats[2]]), now, L);
  // b touches pieces 2 and 3; 2 also holds a's tail.
  assert.deepEqual(plan.recheck, [2, 3]);
  assert.deepEqual(bits(plan.trusted), [0, 1, 4, 6]);
  assert.deepEqual(plan.changedFiles, [1]);
});

test('a shrunk file: pieces past its end are missing (not hashed), the rest rechecked', () => {
  const now = [stats[0], stats[1], { size: 12, mtimeMs: OLD + 2.5 }];
  const plan = planResume(record(L, full, stats), now, L);
  // c = [40,62): piece 4 needs c[0,10) present, piece 5 needs c[0,20) -> missing, piece 6 needs c[0,22) -> missing
  assert.deepEqual(plan.recheck, [4]);
  assert.deepEqual(bits(plan.trusted), [0, 1, 2, 3]);
});

test('a missing file: its pieces are simply missing, nothing is hashed for it', () => {
  const now = [stats[0], { size: -1, mtimeMs: 0 }, stats[2]];
  const plan = planResume(record(L, full, stats), now, L);
  assert.deepEqual(plan.recheck, []);
  assert.deepEqual(bits(plan.trusted), [0, 1, 4, 5, 6]);
  assert.match(plan.reason, /1 missing/);
});

test('a touched mtime (same size) is a change: rechecked', () => {
  const now = [{ size: 25, mtimeMs: OLD + 0.001 }, stats[1], stats[2]];
  const plan = planResume(record(L, full, stats), now, L);
  assert.deepEqual(plan.recheck, [0, 1, 2]);
  assert.deepEqual(bits(plan.trusted), [3, 4, 5, 6]);
});

test('no file stats, or stats for another layout: recheck everything present', () => {
  for (const r of [
    record(L, full, null),
    record(L, full, stats.slice(0, 2)),
    newResumeRecord({ id: ID, name: 'x', savePath: '/d', addedAt: 0, have: new Bitfield(6), fileStats: stats, fileStatsAt: T0 }),
    newResumeRecord({ id: ID, name: 'x', savePath: '/d', addedAt: 0, have: null, fileStats: stats, fileStatsAt: T0 }),
  ]) {
    const plan = planResume(r, stats, L);
    assert.deepEqual(plan.recheck, full);
    assert.equal(plan.trusted.count, 0);
    assert.match(plan.reason, /rechecking 7 of 7/);
  }
  // ...but pieces of missing files are not hashed even then
  const plan = planResume(record(L, full, null), [stats[0], stats[1], { size: -1, mtimeMs: 0 }], L);
  assert.deepEqual(plan.recheck, [0, 1, 2, 3]);
});

test('fresh mtimes (written just before the capture) are not trusted unless the capture was final', () => {
  const fresh: FileStat[] = [stats[0], stats[1], { size: 22, mtimeMs: T0 - 5 }];
  const r = record(L, full, fresh);
  assert.deepEqual(planResume(r, fresh, L).recheck, [4, 5, 6]);
  assert.equal(needsRecapture(r, T0 + 10), false, 'too early to tell');
  assert.equal(needsRecapture(r, T0 + MTIME_SLACK_MS + 1), true);
  const final = record(L, full, fresh, { fileStatsFinal: true });
  assert.deepEqual(planResume(final, fresh, L).recheck, []);
  assert.equal(planResume(final, fresh, L).trusted.count, 7);
  assert.equal(needsRecapture(final, T0 + 10 * MTIME_SLACK_MS), false);
  assert.equal(needsRecapture(record(L, full, stats), T0 + 10 * MTIME_SLACK_MS), false);
  assert.equal(needsRecapture(record(L, full, [null, stats[1], stats[2]]), T0 + 10 * MTIME_SLACK_MS), true);
  assert.equal(fileVerdict({ size: 1, mtimeMs: T0 - MTIME_SLACK_MS }, { size: 1, mtimeMs: T0 - MTIME_SLACK_MS }, T0, false), 'unchanged');
  assert.equal(fileVerdict({ size: 1, mtimeMs: T0 - MTIME_SLACK_MS + 1 }, { size: 1, mtimeMs: T0 - MTIME_SLACK_MS + 1 }, T0, false), 'changed');
});

test('a file with a write in flight at capture (null stat) is rechecked', () => {
  const plan = planResume(record(L, full, [stats[0], null, stats[2]]), stats, L);
  assert.deepEqual(plan.recheck, [2, 3]);
});

test('padding and zero-length files are ignored', () => {
  const P = layoutOf([10, 0, 6, 4, 10], 10, [false, false, false, true, false]);
  const s: FileStat[] = [
    { size: 10, mtimeMs: OLD },
    { size: 0, mtimeMs: OLD },
    { size: 6, mtimeMs: OLD },
    { size: -1, mtimeMs: 0 }, // padding: never on disk
    { size: 10, mtimeMs: OLD },
  ];
  const plan = planResume(record(P, [0, 1, 2], s), s, P);
  assert.deepEqual(bits(plan.trusted), [0, 1, 2]);
  const zeroTouched = s.map((x, i) => (i === 1 ? { size: 0, mtimeMs: OLD + 1 } : x));
  assert.deepEqual(planResume(record(P, [0, 1, 2], s), zeroTouched, P).recheck, []);
  assert.throws(() => planResume(record(P, [], s), s.slice(1), P), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Properties

const layoutArb = fc
  .record({ lengths: fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 6 }), pieceLength: fc.integer({ min: 1, max: 32 }) })
  .filter(({ lengths }) => lengths.some((l) => l > 0))
  .map(({ lengths, pieceLength }) => layoutOf(lengths, pieceLength));

type Change = 'same' | 'grown' | 'shrunk' | 'missing' | 'touched';

/** Files of a piece that hold bytes of it. */
function filesOf(layout: ResumeLayout, p: number): number[] {
  const start = p * layout.pieceLength;
  const end = start + layout.pieceLength;
  return layout.files.flatMap((f, i) => (f.length > 0 && f.offset < end && f.offset + f.length > start ? [i] : []));
}

test('property: every trusted piece is in the record and lies only in unchanged files; nothing trustworthy is dropped', () => {
  fc.assert(
    fc.property(
      layoutArb.chain((layout) =>
        fc.record({
          layout: fc.constant(layout),
          have: fc.uint8Array({ minLength: Math.ceil(layout.pieceCount / 8), maxLength: Math.ceil(layout.pieceCount / 8) }),
          changes: fc.array(fc.constantFrom<Change>('same', 'same', 'grown', 'shrunk', 'missing', 'touched'), {
            minLength: layout.files.length,
            maxLength: layout.files.length,
          }),
        }),
      ),
      ({ layout, have, changes }) => {
        const recorded: FileStat[] = layout.files.map((f, i) => ({ size: f.length, mtimeMs: OLD + i }));
        const current: FileStat[] = recorded.map((s, i): FileStat => {
          switch (changes[i]) {
            case 'same':
              return s;
            case 'grown':
              return { size: s.size + 1, mtimeMs: s.mtimeMs + 1 };
            case 'shrunk':
              return { size: Math.max(0, s.size - 3), mtimeMs: s.mtimeMs + 1 };
            case 'missing':
              return { size: -1, mtimeMs: 0 };
            case 'touched':
              return { size: s.size, mtimeMs: s.mtimeMs + 0.5 };
          }
        });
        const r = record(layout, [], recorded, { have: new Bitfield(layout.pieceCount, have) });
        const plan = planResume(r, current, layout);
        const unchanged = (i: number): boolean => layout.files[i].length === 0 || changes[i] === 'same';
        const recheck = new Set(plan.recheck);
        for (let p = 0; p < layout.pieceCount; p++) {
          const fs = filesOf(layout, p);
          const allSame = fs.every(unchanged);
          if (plan.trusted.has(p)) {
            assert.ok(r.have?.has(p), `piece ${p} trusted but not verified`);
            assert.ok(allSame, `piece ${p} trusted but touches a changed file`);
          }
          if (allSame && r.have?.has(p)) assert.ok(plan.trusted.has(p), `piece ${p} dropped`);
          if (recheck.has(p)) {
            assert.ok(!allSame, `piece ${p} hashed needlessly`);
            assert.ok(!fs.some((i) => changes[i] === 'missing'), `piece ${p} hashed though a file is missing`);
            assert.ok(!plan.trusted.has(p));
          }
          // A piece touching changed files, none missing, each long enough: must be hashed.
          if (!allSame && !fs.some((i) => changes[i] === 'missing' || changes[i] === 'shrunk')) assert.ok(recheck.has(p), `piece ${p} not rechecked`);
        }
        assert.deepEqual(plan.recheck, [...plan.recheck].sort((a, b) => a - b));
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * The crash-safety argument, simulated: a file system whose mtimes tick with a
 * coarse granularity, piece writes, periodic record captures, then a crash (or
 * a clean shutdown with a final capture). After the restart's plan, no piece on
 * disk is lost (trusted or rechecked) and no trusted piece is absent.
 */
test('property: kill -9 at any point loses no verified piece and trusts nothing unwritten', () => {
  type Ev = { kind: 'write'; pick: number } | { kind: 'advance'; ms: number } | { kind: 'save' };
  const evArb: fc.Arbitrary<Ev> = fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((pick): Ev => ({ kind: 'write', pick })) },
    { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 })).map((ms): Ev => ({ kind: 'advance', ms })) },
    { weight: 2, arbitrary: fc.constant<Ev>({ kind: 'save' }) },
  );
  fc.assert(
    fc.property(layoutArb, fc.constantFrom(1, 4, 10, 1000, 2000), fc.array(evArb, { maxLength: 40 }), fc.boolean(), (layout, tick, events, cleanStop) => {
      let now = T0;
      const fsSize = layout.files.map(() => -1);
      const fsMtime = layout.files.map(() => 0);
      const written = new Set<number>();
      let saved: ResumeRecord = record(layout, [], null);
      const capture = (final: boolean): void => {
        const have = new Bitfield(layout.pieceCount);
        for (const p of written) have.set(p);
        saved = record(layout, [], layout.files.map((_, i) => ({ size: fsSize[i], mtimeMs: fsMtime[i] })), {
          have,
          fileStatsAt: now,
          fileStatsFinal: final,
        });
      };
      for (const ev of events) {
        if (ev.kind === 'advance') now += ev.ms;
        else if (ev.kind === 'save') capture(false);
        else {
          const free = [...Array(layout.pieceCount).keys()].filter((p) => !written.has(p));
          if (free.length === 0) continue;
          const p = free[ev.pick % free.length];
          const start = p * layout.pieceLength;
          const end = Math.min(start + layout.pieceLength, layout.files.reduce((m, f) => Math.max(m, f.offset + f.length), 0));
          for (const i of filesOf(layout, p)) {
            const f = layout.files[i];
            const need = Math.min(end, f.offset + f.length) - f.offset;
            fsSize[i] = Math.max(fsSize[i], need);
            fsMtime[i] = Math.floor(now / tick) * tick; // the coarse kernel clock
          }
          written.add(p);
        }
      }
      if (cleanStop) capture(true);
      // crash / restart
      const current = layout.files.map((_, i) => ({ size: fsSize[i], mtimeMs: fsMtime[i] }));
      const plan = planResume(saved, current, layout);
      const recheck = new Set(plan.recheck);
      for (let p = 0; p < layout.pieceCount; p++) {
        if (plan.trusted.has(p)) assert.ok(written.has(p), `piece ${p} trusted but never written`);
        if (written.has(p)) assert.ok(plan.trusted.has(p) || recheck.has(p), `verified piece ${p} lost`);
      }
    }),
    { numRuns: 400 },
  );
});
