import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bitfield } from '../../common/bitfield.js';
import type { FilePriority } from '../../api/types.js';
import {
  checkResumeRecord,
  decodeResumeRecord,
  encodeResumeRecord,
  magnetForId,
  newResumeRecord,
  RESUME_FORMAT_VERSION,
  type FileStat,
  type ResumeRecord,
} from './resume-record.js';

const ID = 'a'.repeat(40);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const nonNeg = fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 }).map((x) => (x === 0 ? 0 : x));
const bytesCount = fc.maxSafeNat();
const text = fc.string({ unit: 'binary', maxLength: 40 });
const priority = fc.constantFrom<FilePriority>('skip', 'low', 'normal', 'high');
const component = fc.string({ minLength: 1, maxLength: 12 }).filter((c) => c !== '.' && c !== '..' && !/[/\\\0]/.test(c));
const fileStat: fc.Arbitrary<FileStat | null> = fc.option(
  fc.record({ size: fc.integer({ min: -1, max: 2 ** 48 }), mtimeMs: finite }, { noNullPrototype: true }),
  { nil: null },
);
const bitfield = fc
  .integer({ min: 0, max: 200 })
  .chain((n) => fc.uint8Array({ minLength: Math.ceil(n / 8), maxLength: Math.ceil(n / 8) }).map((b) => new Bitfield(n, b)));

export const recordArb: fc.Arbitrary<ResumeRecord> = fc.integer({ min: 0, max: 6 }).chain((files) =>
  fc.record({
    id: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex')),
    name: text,
    savePath: text.filter((s) => s.length > 0),
    addedAt: nonNeg,
    completedAt: fc.option(nonNeg, { nil: null }),
    queuePosition: fc.integer({ min: -1, max: 100000 }),
    intent: fc.constantFrom<'active' | 'paused'>('active', 'paused'),
    pausedFor: fc.option(fc.record({ goal: fc.constantFrom<'ratio' | 'seedTime'>('ratio', 'seedTime'), reason: text.filter((s) => s.length > 0 && s.length <= 1024) }, { noNullPrototype: true }), { nil: null }),
    forceStart: fc.boolean(),
    filePriorities: fc.oneof(fc.constant([] as FilePriority[]), fc.array(priority, { minLength: files, maxLength: files })),
    fileRenames: fc
      .uniqueArray(fc.record({ file: fc.nat(files + 3), path: fc.array(component, { minLength: 1, maxLength: 3 }) }, { noNullPrototype: true }), {
        selector: (r) => r.file,
        maxLength: 3,
      }),
    sequential: fc.boolean(),
    firstLastPiecesFirst: fc.boolean(),
    downloadLimit: fc.option(nonNeg, { nil: null }),
    uploadLimit: fc.option(nonNeg, { nil: null }),
    ratioLimit: fc.option(nonNeg, { nil: null }),
    seedTimeLimitMinutes: fc.option(nonNeg, { nil: null }),
    maxConnections: fc.option(fc.nat(), { nil: null }),
    trackers: fc.option(fc.array(fc.array(fc.webUrl(), { minLength: 1, maxLength: 3 }), { maxLength: 3 }), { nil: null }),
    category: fc.constantFrom('Movies', 'Movies/4K', 'TV Shows/Drama', null),
    tags: fc.uniqueArray(fc.constantFrom('hd', 'linux', 'x y', 'ü'), { maxLength: 4 }).map((t) => t.sort()),
    uploadedTotal: bytesCount,
    downloadedTotal: bytesCount,
    seedingSeconds: nonNeg,
    have: fc.option(bitfield, { nil: null }),
    fileStats: fc.option(fc.array(fileStat, { minLength: files, maxLength: files }), { nil: null }),
    fileStatsAt: finite,
    fileStatsFinal: fc.boolean(),
    totalBytes: bytesCount,
    wantedBytes: bytesCount,
    doneBytes: bytesCount,
    error: fc.option(text, { nil: null }),
    magnetUri: fc.option(text.map((s) => `magnet:?xt=urn:btih:${s}`), { nil: null }),
    trackerHosts: fc.constantFrom<string[]>([], ['tracker.example'], ['a.example', 'b.example']),
    saveVolume: fc.option(fc.record({ dev: fc.nat(), mountPoint: fc.constantFrom('/', '/mnt/usb', '/media/x y') }, { noNullPrototype: true }), { nil: null }),
  }, { noNullPrototype: true }),
);

test('encode/decode round-trips every valid record', () => {
  fc.assert(
    fc.property(recordArb, (r) => {
      const text = encodeResumeRecord(r);
      const back = decodeResumeRecord(text);
      assert.equal(back.reason, null);
      assert.deepEqual(back.record, r);
      // and through bytes, as the store reads it
      assert.deepEqual(decodeResumeRecord(Buffer.from(text, 'utf8')).record, r);
      assert.equal(checkResumeRecord(r), null);
    }),
    { numRuns: 150 },
  );
});

test('decoding damaged text never throws: it gives a record or a reason', () => {
  fc.assert(
    fc.property(recordArb, fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }), (r, cut, at, junk) => {
      const text = encodeResumeRecord(r);
      const truncated = text.slice(0, cut % text.length);
      const t = decodeResumeRecord(truncated);
      assert.equal(t.record, null);
      assert.ok(t.reason.length > 0);
      const i = at % text.length;
      const mangled = text.slice(0, i) + junk + text.slice(i + 1);
      const m = decodeResumeRecord(mangled);
      if (m.record === null) assert.ok(m.reason.length > 0);
      else assert.equal(checkResumeRecord(m.record), null);
    }),
    { numRuns: 150 },
  );
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const d = decodeResumeRecord(JSON.stringify(v) ?? '');
      assert.equal(d.record, null);
    }),
    { numRuns: 100 },
  );
});

test('every field is validated: a wrong type or range is rejected with a reason naming it', () => {
  const base = JSON.parse(
    encodeResumeRecord(
      newResumeRecord({
        id: ID,
        name: 'n',
        savePath: '/d',
        addedAt: 1,
        have: new Bitfield(10),
        fileStats: [{ size: 1, mtimeMs: 2 }],
        filePriorities: ['normal'],
        magnetUri: null,
      }),
    ),
  ) as Record<string, unknown>;
  const wrong: [string, unknown][] = [
    ['v', 0],
    ['id', 'A'.repeat(40)],
    ['id', 'a'.repeat(39)],
    ['name', 5],
    ['savePath', ''],
    ['addedAt', -1],
    ['addedAt', '1'],
    ['completedAt', 'x'],
    ['queuePosition', -2],
    ['queuePosition', 1.5],
    ['intent', 'running'],
    ['forceStart', 1],
    ['sequential', null],
    ['firstLastPiecesFirst', 'no'],
    ['downloadLimit', -5],
    ['uploadLimit', {}],
    ['ratioLimit', []],
    ['seedTimeLimitMinutes', -1],
    ['maxConnections', 2.5],
    ['uploadedTotal', 2 ** 60],
    ['downloadedTotal', -1],
    ['seedingSeconds', null],
    ['pieceCount', 17],
    ['pieceCount', -1],
    ['have', 'not base64!'],
    ['have', 'AAAA'],
    ['fileStats', [[1]]],
    ['fileStats', [[-2, 0]]],
    ['fileStats', [[1, 2], [1, 2]]],
    ['fileStats', 'x'],
    ['fileStatsAt', null],
    ['fileStatsFinal', 0],
    ['totalBytes', 1.5],
    ['wantedBytes', null],
    ['doneBytes', '0'],
    ['error', 3],
    ['magnetUri', 'http://x'],
    ['filePriorities', ['urgent']],
    ['filePriorities', 'normal'],
    ['fileRenames', [[0, ['..']]]],
    ['fileRenames', [[0, ['a/b']]]],
    ['fileRenames', [[0, []]]],
    ['fileRenames', [[-1, ['a']]]],
    ['fileRenames', [[0, ['a']], [0, ['b']]]],
  ];
  assert.equal(decodeResumeRecord(JSON.stringify(base)).reason, null);
  for (const [key, value] of wrong) {
    const d = decodeResumeRecord(JSON.stringify({ ...base, [key]: value }));
    assert.equal(d.record, null, `${key} = ${JSON.stringify(value)} was accepted`);
    assert.ok(d.reason.length > 0);
    if (key !== 'v' && key !== 'pieceCount') {
      const named = key === 'fileStats' && Array.isArray(value) && value.length === 2 ? 'filePriorities' : key;
      assert.match(d.reason, new RegExp(named), `${key}: ${d.reason}`);
    }
    const without = { ...base };
    delete without[key];
    assert.equal(decodeResumeRecord(JSON.stringify(without)).record, null, `missing ${key} was accepted`);
  }
});

test('pausedFor: a goal pause is kept with its words; records from before it read as null; a bad one is refused by name', () => {
  const r = newResumeRecord({ id: ID, name: 'g', savePath: '/d', addedAt: 1, intent: 'paused', pausedFor: { goal: 'ratio', reason: 'ratio goal 0.50 reached' } });
  assert.deepEqual(decodeResumeRecord(encodeResumeRecord(r)).record?.pausedFor, { goal: 'ratio', reason: 'ratio goal 0.50 reached' });
  const o = JSON.parse(encodeResumeRecord(r)) as Record<string, unknown>;
  delete o.pausedFor;
  assert.equal(decodeResumeRecord(JSON.stringify(o)).record?.pausedFor, null, 'written before the field existed');
  for (const wrong of ['ratio', { goal: 'speed', reason: 'x' }, { goal: 'seedTime', reason: '' }, { goal: 'ratio' }]) {
    assert.match(decodeResumeRecord(JSON.stringify({ ...o, pausedFor: wrong })).reason ?? '', /pausedFor/, JSON.stringify(wrong));
  }
});

test('specific reasons: newer format, spare bits, empty and truncated files', () => {
  const r = newResumeRecord({ id: ID, name: 'x', savePath: '/d', addedAt: 0, have: new Bitfield(3, new Uint8Array([0xe0])) });
  const o = JSON.parse(encodeResumeRecord(r)) as Record<string, unknown>;
  assert.match(decodeResumeRecord(JSON.stringify({ ...o, v: RESUME_FORMAT_VERSION + 1 })).reason ?? '', /newer Tessera/);
  assert.match(decodeResumeRecord(JSON.stringify({ ...o, have: Buffer.from([0xf0]).toString('base64') })).reason ?? '', /past the last piece/);
  assert.equal(decodeResumeRecord('').reason, 'empty file');
  assert.match(decodeResumeRecord(encodeResumeRecord(r).slice(0, 50)).reason ?? '', /truncated/);
  assert.match(decodeResumeRecord('[1,2]').reason ?? '', /not an object/);
});

test('a magnet without metadata: no bitfield, no stats', () => {
  const r = newResumeRecord({ id: ID, name: 'm', savePath: '/d', addedAt: 5, magnetUri: magnetForId(ID, 'a b') });
  assert.equal(r.magnetUri, `magnet:?xt=urn:btih:${ID}&dn=a%20b`);
  const back = decodeResumeRecord(encodeResumeRecord(r));
  assert.deepEqual(back.record, r);
  assert.ok(encodeResumeRecord(r).length < 800, 'records are small');
});
