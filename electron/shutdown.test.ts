import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createShutdown } from './shutdown.js';

function steps(stopEngine: (ms: number) => Promise<'clean' | 'forced'>) {
  const order: string[] = [];
  return {
    order,
    steps: {
      stopAccepting: () => void order.push('stop accepting'),
      stopEngine: (ms: number) => (order.push(`stop engine (${ms} ms)`), stopEngine(ms)),
      cleanup: () => void order.push('cleanup'),
      quit: () => void order.push('quit'),
      log: (l: string) => void order.push(`log: ${l}`),
    },
  };
}

test('shutdown: stop accepting, then flush and stop the engine, then quit; once only', async () => {
  const s = steps(async () => {
    s.order.push('engine flushed and terminated');
    return 'clean';
  });
  const run = createShutdown(s.steps, 5000);
  const [a, b] = await Promise.all([run(), run()]);
  assert.equal(a, 'clean');
  assert.equal(b, 'clean');
  assert.deepEqual(s.order, ['stop accepting', 'stop engine (5000 ms)', 'engine flushed and terminated', 'cleanup', 'quit']);
});

test('shutdown: an engine that never answers cannot hold the app open', { timeout: 5000 }, async () => {
  const s = steps(() => new Promise(() => undefined));
  const started = Date.now();
  assert.equal(await createShutdown(s.steps, 50)(), 'hung');
  assert.ok(Date.now() - started < 3000);
  assert.deepEqual(s.order.slice(-3), ['log: engine shutdown: hung', 'cleanup', 'quit']);
});

test('shutdown: a failing engine stop still quits', async () => {
  const s = steps(() => Promise.reject(new Error('boom')));
  assert.equal(await createShutdown(s.steps, 50)(), 'forced');
  assert.equal(s.order.at(-1), 'quit');
});
