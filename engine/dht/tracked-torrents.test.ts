import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupResult } from './node-types.js';
import type { RpcTimers } from './rpc.js';
import { TrackedTorrents } from './tracked-torrents.js';

/** Timers that only record: `fire()` runs the due one by hand. */
function manualTimers(): RpcTimers & { pending: { fn: () => void; ms: number }[]; fire(): number } {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    pending,
    setTimeout(fn, ms) {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimeout(h) {
      const i = pending.indexOf(h as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const t = pending.shift();
      assert.ok(t, 'a timer is pending');
      t.fn();
      return t.ms;
    },
  };
}

const HASH = new Uint8Array(20).fill(7);
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const found = (n: number): LookupResult => ({ peers: Array.from({ length: n }, (_, i) => ({ host: '10.0.0.1', port: 1000 + i })), closest: 8, queries: 10 });

test('a tracked torrent runs a round now, then every interval; one that finds nobody is retried sooner, backing off', async () => {
  const timers = manualTimers();
  const results = [found(0), found(0), found(0), found(2), found(0)];
  let rounds = 0;
  const tracked = new TrackedTorrents(timers, 900_000, async () => results[rounds++]);
  tracked.track(HASH, { port: 6881, onPeers: () => undefined });
  assert.equal(rounds, 1);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    await flush();
    delays.push(timers.fire());
  }
  await flush();
  assert.equal(rounds, 5);
  assert.deepEqual(delays, [15_000, 30_000, 60_000, 900_000]);
  assert.equal(timers.pending[0].ms, 15_000);
  assert.equal(tracked.size, 1);
});

test('stop and close cancel the next round; refresh runs one now, never two at once', async () => {
  const timers = manualTimers();
  let rounds = 0;
  const tracked = new TrackedTorrents(timers, 1000, async () => {
    rounds++;
    return found(1);
  });
  const a = tracked.track(HASH, { port: null, onPeers: () => undefined });
  a.refresh(); // the first round is still running
  assert.equal(rounds, 1);
  await flush();
  a.refresh();
  assert.equal(rounds, 2);
  await flush();
  a.stop();
  assert.equal(timers.pending.length, 0);
  assert.equal(tracked.size, 0);
  tracked.track(HASH, { port: null, onPeers: () => undefined });
  await flush();
  tracked.close();
  assert.equal(timers.pending.length, 0);
  assert.equal(tracked.size, 0);
});
