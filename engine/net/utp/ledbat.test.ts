import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseDelayHistory, Ledbat } from './ledbat.js';

const MS = 1000;
const MIN = 60_000 * MS;

test('base delay: minimum over the last minutes, old minutes forgotten', () => {
  const h = new BaseDelayHistory(3);
  assert.equal(h.base, null);
  h.add(50 * MS, 0);
  h.add(20 * MS, 10 * MS);
  h.add(40 * MS, 30_000 * MS);
  assert.equal(h.base, 20 * MS);
  h.add(70 * MS, 1 * MIN + 1);
  h.add(60 * MS, 2 * MIN + 1);
  assert.equal(h.base, 20 * MS, 'the first minute is still in the three-minute history');
  h.add(65 * MS, 3 * MIN + 1);
  assert.equal(h.base, 60 * MS, 'the first minute has fallen out');
  h.add(90 * MS, 30 * MIN);
  assert.equal(h.base, 90 * MS, 'after a long gap only the new sample counts');
});

test('base delay: samples that wrap around 2^32 (clock offsets) compare as wrapping values', () => {
  const h = new BaseDelayHistory(2);
  h.add(0xffff_fff0, 0);
  h.add(0x10, 1); // 32 µs later on a wrapped clock: larger
  assert.equal(h.base, 0xffff_fff0);
});

test('grows by about 3000 bytes per window of ACKs at zero queuing delay, only when the window is used', () => {
  const l = new Ledbat({ packetSize: 1000, initialWindow: 10_000 });
  l.onAck(10_000, 5 * MS, 0, true); // one full window acked, delay equals the base: our delay 0
  assert.equal(l.window, 13_000);
  l.onAck(1000, 5 * MS, 1, false);
  assert.equal(l.window, 13_000, 'an application-limited sender does not grow');
});

test('shrinks above the 100 ms target, in proportion to how far above', () => {
  const l = new Ledbat({ packetSize: 1000, initialWindow: 20_000 });
  l.onAck(1000, 10 * MS, 0, false); // base 10 ms (an application-limited ACK: no growth)
  const before = l.window;
  l.onAck(20_000, 210 * MS, 1, true); // our delay 200 ms: delay factor -1, a whole window acked
  assert.equal(l.ourDelayMicros, 200 * MS);
  assert.equal(l.window, before - 3000);
  l.onAck(20_000, 60 * MS, 2, true); // 50 ms: half the gain
  assert.equal(l.window, before - 3000 + 1500);
});

test('clamped between one packet and the maximum; loss halves, timeout resets to one packet', () => {
  const l = new Ledbat({ packetSize: 1200, initialWindow: 4000, maxWindow: 5000 });
  for (let i = 0; i < 10; i++) l.onAck(5000, 1, i, true);
  assert.equal(l.window, 5000);
  l.onLoss();
  assert.equal(l.window, 2500);
  l.onLoss();
  l.onLoss();
  assert.equal(l.window, 1200);
  for (let i = 0; i < 50; i++) l.onAck(5000, 500 * MS + i, 10 + i, true); // far above target
  assert.equal(l.window, 1200);
  l.onAck(5000, 1, 100, true);
  l.onTimeout();
  assert.equal(l.window, 1200);
});

test('shrinks above target even when the sender is not using its whole window (the full-window rule is for growth only)', () => {
  const l = new Ledbat({ packetSize: 1000, initialWindow: 20_000 });
  l.onAck(1000, 10 * MS, 0, false);
  l.onAck(20_000, 310 * MS, 1, false); // 300 ms of queue: delay factor -2
  assert.equal(l.window, 20_000 - 6000);
});

test('queuing delay across a wrap of the 32-bit timestamp_difference: sample minus base, not a huge value', () => {
  const l = new Ledbat({ packetSize: 1000, initialWindow: 20_000 });
  l.onAck(1000, 0xffff_ff00, 0, false); // base just below 2^32
  l.onAck(20_000, (0xffff_ff00 + 150 * MS) >>> 0, 1, true); // 150 ms later on the wrapped clock
  assert.equal(l.ourDelayMicros, 150 * MS);
  assert.equal(l.window, 20_000 - 1500);
});
