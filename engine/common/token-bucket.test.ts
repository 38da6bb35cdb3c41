import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.js';
import { MIN_BURST, TokenBucket, defaultBurst } from './token-bucket.js';

const BLOCK = 16 * 1024;

test('unlimited: everything passes, nothing waits', () => {
  const bucket = new TokenBucket(new ManualClock());
  assert.equal(bucket.unlimited, true);
  assert.equal(bucket.take(1 << 30), true);
  bucket.consume(1 << 30);
  assert.equal(bucket.blocked(), false);
  assert.equal(bucket.msUntilAvailable(), 0);
  assert.equal(bucket.available(), Infinity);
});

test('starts with a full burst; a block may overdraw it, then the debt makes the next wait', () => {
  const clock = new ManualClock(1000);
  const bucket = new TokenBucket(clock, 100_000, 20_000);
  assert.equal(bucket.available(), 20_000);
  assert.equal(bucket.take(BLOCK), true);
  assert.equal(bucket.take(BLOCK), true, 'a balance of 3616 still lets a whole block through');
  assert.equal(bucket.available(), 20_000 - 2 * BLOCK);
  assert.equal(bucket.blocked(), true);
  assert.equal(bucket.take(1), false);
  // 12768 bytes of debt at 100 kB/s: 127.68 ms.
  assert.equal(bucket.msUntilAvailable(), 128);
  clock.advance(127);
  assert.equal(bucket.blocked(), true);
  clock.advance(1);
  assert.equal(bucket.blocked(), false);
  assert.equal(bucket.take(BLOCK), true);
});

test('consume charges what already passed, however large', () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, 1_000_000);
  bucket.consume(1 << 20);
  assert.ok(bucket.blocked());
  assert.equal(bucket.msUntilAvailable(), Math.ceil(((1 << 20) - bucket.burst) / 1000));
});

test('idle time fills the bucket only up to the burst', () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, 1_000_000);
  assert.equal(bucket.burst, 250_000);
  bucket.consume(250_000);
  clock.advance(60_000);
  assert.equal(bucket.available(), 250_000);
  assert.equal(defaultBurst(1000), MIN_BURST);
});

test('a greedy sender averages the rate within 5% over 10 s (and never exceeds rate x time + burst + one block)', () => {
  for (const rate of [10_000, 2_000_000, 50_000_000]) {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, rate);
    let sent = 0;
    // Jittery wake-ups, as real timers give: late by 0-3 ms.
    let jitter = 0;
    while (clock.now() < 10_000) {
      while (bucket.take(BLOCK)) sent += BLOCK;
      jitter = (jitter + 7) % 4;
      clock.advance(Math.max(1, bucket.msUntilAvailable()) + jitter);
    }
    const seconds = clock.now() / 1000;
    assert.ok(sent <= rate * seconds + bucket.burst + BLOCK, `rate ${rate}: ${sent} bytes in ${seconds} s`);
    // The first burst counts here; past it the average is the rate.
    const average = (sent - bucket.burst) / seconds;
    assert.ok(Math.abs(average - rate) / rate < 0.05, `rate ${rate}: averaged ${average}`);
  }
});

test('setRate at runtime: lowering keeps at most one burst of debt, null lifts the limit, 0 stops everything', () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, 10_000_000);
  bucket.consume(20_000_000);
  bucket.setRate(100_000);
  assert.equal(bucket.available(), -bucket.burst, 'a debt of 2 s at the old rate is capped at one burst of the new');
  bucket.setRate(null);
  assert.equal(bucket.blocked(), false);
  assert.equal(bucket.take(1 << 30), true);
  bucket.setRate(50_000);
  assert.equal(bucket.available(), bucket.burst, 'a new limit starts with a full bucket');
  bucket.setRate(0);
  assert.equal(bucket.blocked(), true);
  assert.equal(bucket.take(1), false);
  assert.equal(bucket.msUntilAvailable(), Infinity);
  clock.advance(3_600_000);
  assert.equal(bucket.blocked(), true);
  bucket.setRate(50_000);
  clock.advance(1);
  assert.equal(bucket.blocked(), false);
  assert.throws(() => bucket.setRate(-1), RangeError);
  assert.throws(() => bucket.setRate(Number.NaN), RangeError);
  assert.throws(() => bucket.setRate(1000, 0), RangeError);
});
