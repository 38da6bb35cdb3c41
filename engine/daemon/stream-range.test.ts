import { test } from 'node:test';
import assert from 'node:assert/strict';
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

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('fuzz: any header gives a decision within the file; a partial range is never empty or past the end', () => {
  const random = rng(16);
  const atoms = ['bytes', 'BYTES', '=', '-', ',', ' ', '0', '1', '9', '42', '999', '1000', '99999999999999999', 'x', '\t', '*', ''];
  const runs = Number(process.env.RANGE_FUZZ_RUNS ?? 5000);
  for (let i = 0; i < runs; i++) {
    let h = random() < 0.7 ? 'bytes=' : '';
    const n = Math.floor(random() * 12);
    for (let k = 0; k < n; k++) h += atoms[Math.floor(random() * atoms.length)];
    const length = [0, 1, 999, 1000, 1001, 2 ** 40][Math.floor(random() * 6)];
    const d = decideRange(h, length);
    if (d.kind === 'partial') {
      assert.ok(Number.isSafeInteger(d.start) && Number.isSafeInteger(d.end), h);
      assert.ok(d.start >= 0 && d.start <= d.end && d.end < length, `${h} on ${length}: ${JSON.stringify(d)}`);
    } else if (d.kind === 'unsatisfiable') {
      assert.ok(h.includes('='), h);
    }
  }
});
