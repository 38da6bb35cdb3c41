import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contentRange, decideRange, type RangeDecision } from './stream-range.js';

const full: RangeDecision = { kind: 'full' };
const none: RangeDecision = { kind: 'unsatisfiable' };
const part = (start: number, end: number): RangeDecision => ({ kind: 'partial', start, end });

test('single ranges: closed, open, suffix; the end clamped to the file', () => {
  assert.deepEqual(decideRange('bytes=0-99', 1000), part(0, 99));
  assert.deepEqual(decideRange('bytes=100-', 1000), part(100, 999));
  assert.deepEqual(decideRange('bytes=-100', 1000), part(900, 999));
  assert.deepEqual(decideRange('bytes=-5000', 1000), part(0, 999), 'a suffix longer than the file is the whole file');
  assert.deepEqual(decideRange('bytes=990-5000', 1000), part(990, 999));
  assert.deepEqual(decideRange('bytes=999-999', 1000), part(999, 999));
  assert.deepEqual(decideRange('BYTES = 5 - 9', 1000), part(5, 9), 'unit case-insensitive, whitespace tolerated');
});

test('no header, another unit or bad syntax: the whole file (200)', () => {
  for (const h of [undefined, '', 'items=0-1', 'bytes', 'bytes=', 'bytes=abc', 'bytes=5', 'bytes=9-5', 'bytes=--5', 'bytes=1-2-3', 'bytes=0x10-20', `bytes=0-${'9'.repeat(17)}`, 'bytes=0-1'.padEnd(2000, ' ')]) {
    assert.deepEqual(decideRange(h, 1000), full, String(h));
  }
});

test('unsatisfiable: past the end, -0, any range of an empty file (416 with bytes */length)', () => {
  assert.deepEqual(decideRange('bytes=1000-', 1000), none);
  assert.deepEqual(decideRange('bytes=1000-2000', 1000), none);
  assert.deepEqual(decideRange('bytes=-0', 1000), none);
  assert.deepEqual(decideRange('bytes=0-', 0), none);
  assert.deepEqual(decideRange('bytes=-10', 0), none);
  assert.equal(contentRange(none, 1000), 'bytes */1000');
  assert.equal(contentRange(part(5, 9), 1000), 'bytes 5-9/1000');
  assert.equal(contentRange(full, 1000), null);
});

test('several ranges: the first satisfiable one; too many: ignored', () => {
  assert.deepEqual(decideRange('bytes=0-9, 20-29', 100), part(0, 9));
  assert.deepEqual(decideRange('bytes=500-600, 20-29', 100), part(20, 29));
  assert.deepEqual(decideRange('bytes=500-600, 700-', 100), none);
  assert.deepEqual(decideRange('bytes=,0-9,', 100), part(0, 9));
  assert.deepEqual(decideRange(`bytes=${Array.from({ length: 17 }, (_, i) => `${i}-${i}`).join(',')}`, 100), full);
});

const ATOMS = ['bytes', 'BYTES', '=', '-', ',', ' ', '0', '1', '9', '42', '999', '1000', '99999999999999999', 'x', '\t', '*', ''];
const header = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.array(fc.constantFrom(...ATOMS), { maxLength: 12 }).map((parts) => `bytes=${parts.join('')}`),
  fc.array(fc.tuple(fc.option(fc.nat(3000)), fc.option(fc.nat(3000))), { maxLength: 5 }).map((r) => `bytes=${r.map(([a, b]) => `${a ?? ''}-${b ?? ''}`).join(',')}`),
);
const fileLength = fc.oneof(fc.constantFrom(0, 1, 999, 1000, 1001, 2 ** 40), fc.nat(5000));

test('fuzz: any header gives a decision within the file; a partial range is never empty or past the end', () => {
  fc.assert(
    fc.property(header, fileLength, (h, length) => {
      const d = decideRange(h, length);
      if (d.kind === 'partial') {
        assert.ok(Number.isSafeInteger(d.start) && Number.isSafeInteger(d.end), h);
        assert.ok(d.start >= 0 && d.start <= d.end && d.end < length, `${h} on ${length}: ${JSON.stringify(d)}`);
      } else if (d.kind === 'unsatisfiable') {
        assert.ok(h.includes('='), h);
      }
    }),
    { numRuns: Number(process.env.RANGE_FUZZ_RUNS ?? 3000) },
  );
});

test('property: a well-formed single range is served exactly as RFC 9110 says', () => {
  fc.assert(
    fc.property(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000), (length, a, span) => {
      const b = a + span;
      const d = decideRange(`bytes=${a}-${b}`, length);
      if (a >= length) assert.deepEqual(d, { kind: 'unsatisfiable' });
      else assert.deepEqual(d, { kind: 'partial', start: a, end: Math.min(b, length - 1) });
      const suffix = decideRange(`bytes=-${span}`, length);
      if (span === 0 || length === 0) assert.deepEqual(suffix, { kind: 'unsatisfiable' });
      else assert.deepEqual(suffix, { kind: 'partial', start: Math.max(0, length - span), end: length - 1 });
    }),
  );
});
