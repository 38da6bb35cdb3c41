import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.js';
import { RateMeter } from './rate.js';

test('quietAt is true exactly when rate() is 0 because the window holds nothing', () => {
  const clock = new ManualClock(10_500);
  const m = new RateMeter(clock, 5);
  assert.ok(m.quietAt(clock.now()), 'a new meter is quiet');
  m.add(0);
  assert.ok(m.quietAt(clock.now()), 'adding nothing keeps it quiet');
  m.add(1000);
  for (let step = 0; step < 80; step++) {
    const quiet = m.quietAt(clock.now());
    assert.equal(quiet, m.rate() === 0, `at ${clock.now()} ms`);
    if (step === 40) m.add(10);
    clock.advance(250);
  }
  assert.ok(m.quietAt(clock.now()));
  assert.equal(m.total, 1010);
});
