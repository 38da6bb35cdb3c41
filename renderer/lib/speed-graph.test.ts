import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeedHistory } from '../store/speed-history.js';
import { latest, peakSince, rateAxis, seriesPoints, timeTicks } from './speed-graph.js';

const KiB = 1024;
const MiB = 1024 * 1024;

test('an idle graph spans 0 to 10 KiB/s, not noise', () => {
  const a = rateAxis(0);
  assert.equal(a.max, 10 * KiB);
  assert.deepEqual(a.ticks.map((t) => t.label), ['0', '2 KiB/s', '4 KiB/s', '6 KiB/s', '8 KiB/s', '10 KiB/s']);
});

test('ticks are round numbers of one binary unit and the axis covers the peak', () => {
  const a = rateAxis(700 * KiB);
  assert.deepEqual(a.ticks.map((t) => t.label), ['0', '200 KiB/s', '400 KiB/s', '600 KiB/s', '800 KiB/s']);
  assert.equal(a.max, 800 * KiB);
  const b = rateAxis(1.5 * MiB);
  assert.deepEqual(b.ticks.map((t) => t.label), ['0', '0.5 MiB/s', '1 MiB/s', '1.5 MiB/s']);
  assert.equal(b.max, 1.5 * MiB, 'a peak on a tick needs no extra step');
  const c = rateAxis(95 * MiB);
  assert.equal(c.ticks.at(-1)?.label, '100 MiB/s');
  for (const peak of [1, 999, 12_345, 3.3 * MiB, 2.2 * 1024 * MiB]) {
    const axis = rateAxis(peak, 4, 0);
    assert.ok(axis.max >= peak, `${peak} fits under ${axis.max}`);
    assert.ok(axis.ticks.length >= 2 && axis.ticks.length <= 11, `${axis.ticks.length} ticks for ${peak}`);
    for (const t of axis.ticks) assert.doesNotMatch(t.label, /\d\.\d{3}|e[+-]/, 'no float noise');
  }
});

test('bad input still gives an axis', () => {
  assert.equal(rateAxis(Number.NaN).max, 10 * KiB);
  assert.equal(rateAxis(-5).max, 10 * KiB);
});

test('time ticks run from 5 minutes ago to now', () => {
  assert.deepEqual(timeTicks(300_000).map((t) => t.label), ['−5 min', '−4 min', '−3 min', '−2 min', '−1 min', 'now']);
  assert.deepEqual(timeTicks(300_000).map((t) => t.value), [-300_000, -240_000, -180_000, -120_000, -60_000, 0]);
  assert.deepEqual(timeTicks(60_000, 30_000).map((t) => t.label), ['−1 min', '−30 s', 'now']);
});

test('peak and points read the ring buffer oldest first, inside the window only', () => {
  const h = new SpeedHistory(4);
  h.push(0, 999, 0); // falls out of the ring
  h.push(1000, 100, 50);
  h.push(2000, 200, 10);
  h.push(3000, 50, 400);
  h.push(4000, 0, 0);
  assert.equal(peakSince(h, 0), 400);
  assert.equal(peakSince(h, 3500), 0);
  assert.deepEqual(latest(h), { down: 0, up: 0, time: 4000 });
  const rect = { left: 10, top: 0, width: 100, height: 100 };
  // Window 2000..4000: the 1000 sample lies before it and is clamped to the left edge.
  const pts = seriesPoints(h, 'down', 4000, 2000, rect, 200);
  assert.deepEqual([...pts], [10, 50, 10, 0, 60, 75, 110, 100]);
  const up = seriesPoints(h, 'up', 4000, 2000, rect, 200);
  assert.equal(up[5], 0, 'above the axis clamps to the top');
  assert.equal(seriesPoints(new SpeedHistory(4), 'down', 0, 1000, rect, 1).length, 0);
});
