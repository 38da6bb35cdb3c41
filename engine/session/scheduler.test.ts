import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TickScheduler } from './scheduler.js';

test('soon() runs the next tick at once, once for several calls, and the batch rate goes on after it', async () => {
  const ticks: number[] = [];
  const t0 = performance.now();
  const scheduler = new TickScheduler(10_000, () => {
    ticks.push(performance.now() - t0);
    return false;
  }, () => {});
  try {
    scheduler.start();
    await sleep(20);
    assert.equal(ticks.length, 0, 'the batch interval is 10 s');
    scheduler.soon();
    scheduler.soon();
    await sleep(50);
    assert.equal(ticks.length, 1, 'one tick for two calls, within a few ms');
    await sleep(100);
    assert.equal(ticks.length, 1, 'then the batch interval again');
    scheduler.soon();
    await sleep(50);
    assert.equal(ticks.length, 2);
  } finally {
    scheduler.stop();
  }
});

test('soon() after stop() does nothing', async () => {
  let ticks = 0;
  const scheduler = new TickScheduler(10, () => {
    ticks++;
    return false;
  }, () => {});
  scheduler.stop();
  scheduler.soon();
  await sleep(40);
  assert.equal(ticks, 0);
});
