import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { BandwidthLimiter, TransferLimits, cancelWait, chargeChain, firstBlocked, waitOnChain, type BandwidthWaiter, type LimiterChain } from './bandwidth.js';
import { FakeScheduler } from './test-scheduler.js';

function setup(): { clock: ManualClock; timers: FakeScheduler } {
  const clock = new ManualClock(5_000);
  return { clock, timers: new FakeScheduler(clock) };
}

/** A fake socket under download limits: charges what it reads, pauses while the chain is in debt. */
class FakeSocket implements BandwidthWaiter {
  waitingOn: BandwidthLimiter | null = null;
  paused = false;
  read = 0;
  constructor(readonly chain: LimiterChain, readonly name: string, private readonly log: string[]) {}
  deliver(bytes: number): void {
    assert.equal(this.paused, false, `${this.name} reads only while resumed`);
    this.read += bytes;
    chargeChain(this.chain, bytes);
    if (waitOnChain(this)) this.paused = true;
  }
  bandwidthAvailable(): void {
    this.paused = false;
    this.log.push(this.name);
  }
}

test('an unlimited chain costs nothing: no waiting, no timers', () => {
  const { clock, timers } = setup();
  const limits = new TransferLimits(clock, [new TransferLimits(clock, [], timers)], timers);
  const log: string[] = [];
  const socket = new FakeSocket(limits.downloadChain, 'a', log);
  for (let i = 0; i < 1000; i++) socket.deliver(1 << 20);
  assert.equal(socket.paused, false);
  assert.equal(firstBlocked(limits.uploadChain), null);
  assert.equal(timers.created, 0);
});

test('paused sockets share one timer and resume in the order they paused', () => {
  const { clock, timers } = setup();
  const limiter = new BandwidthLimiter(clock, 100_000, timers);
  const log: string[] = [];
  const sockets = ['a', 'b', 'c'].map((n) => new FakeSocket([limiter], n, log));
  sockets[0].deliver(40_000); // 25000 burst - 40000: in debt
  assert.equal(sockets[0].paused, true);
  sockets[1].deliver(20_000); // a straggler read still arrives and is charged
  sockets[2].deliver(10_000);
  assert.deepEqual(sockets.map((s) => s.paused), [true, true, true]);
  assert.equal(limiter.waiting, 3);
  assert.equal(timers.pending, 1, 'one timer for the limiter, not one per socket');
  // Debt 45000 at 100 kB/s: 450 ms.
  timers.advance(449);
  assert.deepEqual(log, []);
  timers.advance(1);
  assert.deepEqual(log, ['a', 'b', 'c']);
  assert.equal(timers.pending, 0);
  // Round robin: the one that read first after resuming goes to the back.
  sockets[1].deliver(30_000);
  sockets[2].deliver(30_000);
  sockets[0].deliver(30_000);
  timers.advance(10_000);
  assert.deepEqual(log, ['a', 'b', 'c', 'b', 'c', 'a']);
});

test('a chain: a waiter waits on whichever limiter is in debt and resumes when all have tokens', () => {
  const { clock, timers } = setup();
  const global = new BandwidthLimiter(clock, 100_000, timers, 'global');
  const torrent = new BandwidthLimiter(clock, 1_000_000, timers, 'torrent');
  const log: string[] = [];
  const a = new FakeSocket([torrent, global], 'a', log);
  const b = new FakeSocket([global], 'b', log);
  a.deliver(225_000); // torrent: 250000 - 225000 = 25000 left; global: 25000 - 225000 = -200000
  assert.equal(a.waitingOn, global);
  b.deliver(1);
  assert.equal(b.paused, true, 'the global limit holds back every torrent');
  // Meanwhile torrent a's own limiter goes into debt too.
  chargeChain([torrent], 525_000); // -500000: 500 ms at 1 MB/s
  timers.advance(2_010); // global repaid at 2000 ms (+1 ms for b's byte); torrent long since
  assert.deepEqual(log, ['a', 'b']);

  chargeChain([torrent], 2_000_000); // now the torrent limit is the one in debt
  a.deliver(1);
  assert.equal(a.waitingOn, torrent);
  const torrentWait = torrent.bucket.msUntilAvailable();
  global.bucket.consume(global.bucket.available() + 50_000); // global 500 ms in debt
  timers.advance(torrentWait - 1);
  assert.equal(a.paused, true);
  timers.advance(1);
  assert.deepEqual(log, ['a', 'b', 'a']);
});

test('when torrent tokens come first but the global limit is still in debt, the waiter moves to the global queue', () => {
  const { clock, timers } = setup();
  const global = new BandwidthLimiter(clock, 10_000, timers, 'global');
  const torrent = new BandwidthLimiter(clock, 100_000, timers, 'torrent');
  const log: string[] = [];
  const a = new FakeSocket([torrent, global], 'a', log);
  a.deliver(125_000); // torrent -100000 (1 s); global 16384 - 125000 (~10.9 s)
  assert.equal(a.waitingOn, torrent);
  timers.advance(1_000);
  assert.equal(a.waitingOn, global);
  assert.equal(a.paused, true);
  timers.advance(10_000);
  assert.deepEqual(log, ['a']);
});

test('setRate re-times waiters: lifting the limit releases them, raising it shortens the wait', () => {
  const { clock, timers } = setup();
  const limiter = new BandwidthLimiter(clock, 10_000, timers);
  const log: string[] = [];
  const a = new FakeSocket([limiter], 'a', log);
  a.deliver(1_016_384); // 100 s of debt
  limiter.setRate(1_000_000);
  assert.ok(limiter.bucket.msUntilAvailable() <= 1_000, 'the old debt is capped at one burst of the new rate');
  limiter.setRate(null);
  assert.equal(timers.nextAt(), clock.now());
  timers.advance(0);
  assert.deepEqual(log, ['a']);
  assert.equal(timers.pending, 0);
});

test('rate 0 holds waiters without any timer until the rate is raised', () => {
  const { clock, timers } = setup();
  const limiter = new BandwidthLimiter(clock, 0, timers);
  const log: string[] = [];
  const a = new FakeSocket([limiter], 'a', log);
  assert.equal(waitOnChain(a), true);
  assert.equal(timers.pending, 0);
  timers.advance(60_000);
  assert.deepEqual(log, []);
  limiter.setRate(50_000);
  timers.advance(0);
  assert.deepEqual(log, ['a']);
});

test('cancelWait takes a waiter out of its queue', () => {
  const { clock, timers } = setup();
  const limiter = new BandwidthLimiter(clock, 100_000, timers);
  const log: string[] = [];
  const a = new FakeSocket([limiter], 'a', log);
  const b = new FakeSocket([limiter], 'b', log);
  a.deliver(100_000);
  b.deliver(1);
  cancelWait(a);
  assert.equal(a.waitingOn, null);
  assert.equal(limiter.waiting, 1);
  timers.advance(10_000);
  assert.deepEqual(log, ['b']);
});

test('upload: senders in a FIFO get the limiter rate within 5% over 10 s, shared fairly', () => {
  const { clock, timers } = setup();
  const limits = new TransferLimits(clock, [], timers);
  limits.set({ upload: 2_000_000 });
  const BLOCK = 16_384;
  const sent = [0, 0, 0];
  // Each sender always has a block ready: it sends while the chain allows, then waits.
  const senders = sent.map((_, i) => {
    const s: BandwidthWaiter = {
      chain: limits.uploadChain,
      waitingOn: null,
      bandwidthAvailable() {
        while (!waitOnChain(s)) {
          chargeChain(s.chain, BLOCK);
          sent[i] += BLOCK;
        }
      },
    };
    return s;
  });
  for (const s of senders) s.bandwidthAvailable();
  const before = [...sent];
  const start = sent.reduce((a, b) => a + b);
  const t0 = clock.now();
  timers.advance(10_000);
  const total = sent.reduce((a, b) => a + b) - start;
  const seconds = (clock.now() - t0) / 1000;
  assert.ok(Math.abs(total / seconds - 2_000_000) / 2_000_000 < 0.05, `${total / seconds} B/s`);
  const shares = sent.map((n, i) => n - before[i]);
  for (const n of shares) assert.ok(Math.abs(n - shares[0]) <= 2 * BLOCK, `fair shares: ${shares}`);
  assert.ok(timers.created < 10_000 / 8 + 10, `${timers.created} timers for 10 s of 16 KiB blocks at 2 MB/s`);
});
