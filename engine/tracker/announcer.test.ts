import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { TrackerAnnouncer, type TrackerAnnouncerOptions, type TrackerStatusEvent } from './announcer.js';
import { TrackerError } from './errors.js';
import type { AnnounceParams, AnnounceResponse, PeerAddress, RequestOptions, ScrapeResponse, Timers, TrackerTransport } from './types.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** ManualClock plus timers that fire when the clock is advanced past them. */
class FakeTime implements Timers {
  readonly clock = new ManualClock(0);
  private seq = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.clock.now() + Math.max(0, ms), fn, id: this.seq++ };
    this.queue.push(t);
    return t;
  }
  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((t) => t !== h);
  }
  get pending(): number {
    return this.queue.length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    await flush();
    for (;;) {
      const due = this.queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.queue = this.queue.filter((t) => t !== due);
      this.clock.advance(due.at - this.clock.now());
      due.fn();
      await flush();
    }
    this.clock.advance(end - this.clock.now());
    await flush();
  }
}

type Behaviour = 'ok' | 'fail' | 'hang' | ((p: AnnounceParams) => AnnounceResponse);

class FakeTransport implements TrackerTransport {
  readonly calls: { url: string; event: string; at: number; params: AnnounceParams }[] = [];
  readonly behaviour = new Map<string, Behaviour>();
  constructor(private readonly clock: ManualClock) {}
  announce(url: string, params: AnnounceParams, opts: RequestOptions): Promise<AnnounceResponse> {
    this.calls.push({ url, event: params.event ?? 'none', at: this.clock.now(), params });
    const b = this.behaviour.get(url) ?? 'ok';
    if (b === 'fail') return Promise.reject(new TrackerError(`tracker ${url}: connection refused`, 'network'));
    if (b === 'hang') {
      return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new TrackerError(`tracker ${url}: aborted`, 'aborted'))));
    }
    if (typeof b === 'function') return Promise.resolve(b(params));
    return Promise.resolve({ interval: 1800, complete: 3, incomplete: 4, peers: [{ host: '10.0.0.1', port: 6881 }] });
  }
  scrape(url: string, _h: Uint8Array, _o: RequestOptions): Promise<ScrapeResponse> {
    if (this.behaviour.get(url) === 'fail') return Promise.reject(new TrackerError(`tracker ${url}: nope`, 'network'));
    return Promise.resolve({ complete: 7, incomplete: 8, downloaded: 9 });
  }
  urls(): string[] {
    return this.calls.map((c) => `${c.url} ${c.event}`);
  }
}

function setup(tiers: string[][], over: Partial<TrackerAnnouncerOptions> = {}) {
  const time = new FakeTime();
  const http = new FakeTransport(time.clock);
  const udp = new FakeTransport(time.clock);
  const events: TrackerStatusEvent[] = [];
  const peers: { peers: PeerAddress[]; source: string }[] = [];
  let left = 1000;
  const a = new TrackerAnnouncer({
    tiers,
    infoHash: new Uint8Array(20).fill(1),
    peerId: new Uint8Array(20).fill(2),
    port: 6881,
    stats: () => ({ uploaded: 0, downloaded: 1000 - left, left }),
    onPeers: (p, source) => peers.push({ peers: p, source }),
    onEvent: (e) => events.push(e),
    clock: time.clock,
    timers: time,
    transports: { http, udp },
    random: () => 0.999999, // Fisher-Yates with j = i: keeps the order
    ...over,
  });
  return { a, time, http, udp, events, peers, setLeft: (n: number) => (left = n) };
}

const S = 1000;

test('BEP 12: first working tracker of the first tier; it moves to the front', async () => {
  const { a, time, http, events, peers } = setup([['http://a/announce', 'http://b/announce'], ['http://c/announce']]);
  http.behaviour.set('http://a/announce', 'fail');
  a.start();
  await time.advance(0);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://b/announce started']);
  assert.deepEqual(
    a.status().map((s) => [s.url, s.tier, s.health]),
    [
      ['http://b/announce', 0, 'working'],
      ['http://a/announce', 0, 'error'],
      ['http://c/announce', 1, 'idle'],
    ],
  );
  assert.deepEqual(peers, [{ peers: [{ host: '10.0.0.1', port: 6881 }], source: 'http://b/announce' }]);
  assert.deepEqual(
    events.map((e) => [e.url, e.ok, e.kind]),
    [
      ['http://a/announce', false, 'started'],
      ['http://b/announce', true, 'started'],
    ],
  );
  assert.equal(events[0].message, 'tracker http://a/announce: connection refused');
  assert.equal(events[1].seeds, 3);
  assert.equal(events[1].leechers, 4);
  const b = a.status()[0];
  assert.equal(b.nextAnnounce, 1800 * S);
  assert.equal(a.status()[1].lastError, 'tracker http://a/announce: connection refused');

  // re-announce after the interval, to b (now first), with no event
  http.behaviour.delete('http://a/announce');
  await time.advance(1800 * S - 1);
  assert.equal(http.calls.length, 2);
  await time.advance(1);
  assert.deepEqual(http.urls().slice(2), ['http://b/announce none']);
  await a.stop();
});

test('the next tier only when the whole tier fails; rounds start again at the first tier', async () => {
  const { a, time, http, udp } = setup([['http://a/announce', 'udp://b:1/announce'], ['http://c/announce']]);
  http.behaviour.set('http://a/announce', 'fail');
  udp.behaviour.set('udp://b:1/announce', 'fail');
  a.start();
  await time.advance(0);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://c/announce started']);
  assert.deepEqual(udp.urls(), ['udp://b:1/announce started']);
  udp.behaviour.delete('udp://b:1/announce');
  await time.advance(1800 * S);
  // a still fails, b works now: b gets `started` (it never heard from us)
  assert.deepEqual(udp.urls(), ['udp://b:1/announce started', 'udp://b:1/announce started']);
  assert.deepEqual(a.status().map((s) => s.url), ['udp://b:1/announce', 'http://a/announce', 'http://c/announce']);
  await a.stop();
  // stopped goes to both trackers that heard started
  assert.deepEqual(udp.urls().at(-1), 'udp://b:1/announce stopped');
  assert.deepEqual(http.urls().at(-1), 'http://c/announce stopped');
});

test('back-off after rounds where every tracker failed: 15 s, 30 s, 60 s … capped at 30 min', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', 'fail');
  a.start();
  await time.advance(0);
  await time.advance(70 * 60 * S);
  const gaps = http.calls.slice(1).map((c, i) => (c.at - http.calls[i].at) / S);
  assert.deepEqual(gaps.slice(0, 8), [15, 30, 60, 120, 240, 480, 960, 1800]);
  assert.equal(a.status()[0].failures, http.calls.length);
  // success resets the back-off
  http.behaviour.delete('http://a/announce');
  await time.advance(30 * 60 * S);
  const n = http.calls.length;
  assert.equal(a.status()[0].health, 'working');
  assert.equal(a.status()[0].failures, 0);
  await time.advance(1800 * S);
  assert.equal(http.calls.length, n + 1);
  await a.stop();
});

test('starved: early announces 10 s, 20 s, 40 s after the last success, never before the min interval; reset when not starved', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  a.start();
  await time.advance(0);
  assert.equal(http.calls.length, 1);
  // Not starved: the regular 1800 s interval.
  await time.advance(60 * S);
  assert.equal(http.calls.length, 1);
  const starveFor = async (seconds: number) => {
    for (let i = 0; i < seconds; i++) {
      a.setStarved(true);
      await time.advance(S);
    }
  };
  // Starved from 60 s: at once (10 s have passed since the last success), then 20 s and 40 s later; the next would be
  // 80 s later, at 200 s.
  await starveFor(100);
  assert.deepEqual(
    http.calls.map((c) => c.at / S),
    [0, 60, 80, 120],
  );
  // Peers again, then starved again: the doubling starts over (10 s after the last success: at once; then 20 s).
  a.setStarved(false);
  await time.advance(S);
  await starveFor(30);
  assert.deepEqual(
    http.calls.slice(4).map((c) => c.at / S),
    [161, 181],
  );
  await a.stop();
});

test('starved: a min interval from the tracker holds early announces back', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 1800, minInterval: 45, complete: 1, incomplete: 0, peers: [] }));
  a.start();
  await time.advance(0);
  for (let i = 0; i < 50; i++) {
    a.setStarved(true);
    await time.advance(S);
  }
  assert.deepEqual(
    http.calls.map((c) => c.at / S),
    [0, 45],
  );
  await a.stop();
});

test('starved: a tracker interval shorter than 10 s sets the first early announce', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 5, complete: 1, incomplete: 0, peers: [] }));
  a.start();
  await time.advance(0);
  for (let i = 0; i < 20; i++) {
    a.setStarved(true);
    await time.advance(S);
  }
  // 5 s, then 10 s later (and 20 s after that, already scheduled)
  assert.deepEqual(
    http.calls.map((c) => c.at / S),
    [0, 5, 15],
  );
  // Not starved: after the early announce already due, the interval is clamped to 60 s as before.
  a.setStarved(false);
  await time.advance(100 * S);
  assert.deepEqual(
    http.calls.map((c) => c.at / S),
    [0, 5, 15, 35, 95],
  );
  await a.stop();
});

test('an interval 0 tracker with no peers: early announces grow from a 5 s floor, regular ones come every 60 s', async () => {
  // Regression: the starved back-off multiplied a zero interval, so such a tracker was announced to every tick.
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 0, complete: 0, incomplete: 0, peers: [] }));
  a.start();
  await time.advance(0);
  for (let i = 0; i < 600; i++) {
    a.setStarved(true);
    await time.advance(S);
  }
  const at = http.calls.map((c) => c.at / S);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(gaps.every((g) => g >= 5), `no two announces within 5 s: ${at.slice(0, 20).join(', ')}`);
  // 5 s, 10 s, 20 s, 40 s early, then the regular 60 s schedule: about 13 in ten minutes, not 600.
  assert.ok(at.length <= 10 + 6, `${at.length} announces in 10 min: ${at.join(', ')}`);
  assert.deepEqual(at.slice(0, 4), [0, 5, 15, 35]);
  await a.stop();
});

test('completed() goes to the working tracker at once, then regular announces carry no event', async () => {
  const { a, time, http, setLeft } = setup([['http://a/announce']]);
  a.start();
  await time.advance(10 * S);
  setLeft(0);
  a.completed();
  await time.advance(0);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://a/announce completed']);
  assert.equal(http.calls[1].params.left, 0);
  await time.advance(1800 * S);
  assert.deepEqual(http.urls().at(-1), 'http://a/announce none');
  await a.stop();
  assert.deepEqual(http.urls().at(-1), 'http://a/announce stopped');
  assert.equal(http.calls.at(-1)!.params.numwant, 0);
});

test('completed() during an announce in flight is sent right after it', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  let release!: () => void;
  http.behaviour.set('http://a/announce', () => ({ interval: 1800, peers: [] }));
  const gate = new Promise<void>((r) => (release = r));
  const orig = http.announce.bind(http);
  http.announce = async (url, p, o) => {
    if (p.event === 'started') await gate;
    return orig(url, p, o);
  };
  a.start();
  a.completed();
  await time.advance(0);
  assert.equal(http.calls.length, 0);
  release();
  await time.advance(0);
  // `started` went out with left = 1000, so `completed` follows
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://a/announce completed']);
  await a.stop();
});

test('a torrent that starts complete never sends completed', async () => {
  const { a, time, http, setLeft } = setup([['http://a/announce']]);
  setLeft(0);
  a.completed();
  a.start();
  await time.advance(0);
  a.completed();
  await time.advance(1800 * S);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://a/announce none']);
  await a.stop();
});

test('announceNow respects the min interval', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 1800, minInterval: 300, peers: [] }));
  a.start();
  await time.advance(10 * S);
  a.announceNow();
  await time.advance(0);
  assert.equal(http.calls.length, 1);
  await time.advance(289 * S);
  assert.equal(http.calls.length, 1);
  await time.advance(1 * S);
  assert.equal(http.calls.length, 2);
  assert.equal(http.calls[1].at, 300 * S);
  // without a min interval it goes at once
  http.behaviour.set('http://a/announce', () => ({ interval: 1800, peers: [] }));
  await time.advance(300 * S);
  a.announceNow();
  await time.advance(0);
  assert.equal(http.calls.length, 3);
  await a.stop();
});

test('announceNow(true) goes at once despite the min interval (our port changed), also when a round is running', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 1800, minInterval: 300, peers: [] }));
  a.start();
  await time.advance(10 * S);
  a.announceNow(true);
  await time.advance(0);
  assert.equal(http.calls.length, 2);
  assert.equal(http.calls[1].at, 10 * S);
  // A second change while that round runs (it may carry the old port): one more round right after it, not two.
  a.announceNow(true);
  a.announceNow(true);
  a.announceNow(true);
  await time.advance(0);
  assert.equal(http.calls.length, 4);
  await time.advance(60 * S);
  assert.equal(http.calls.length, 4);
  await a.stop();
});

test('interval is clamped to at least 60 s; tracker id is sent back', async () => {
  const { a, time, http } = setup([['http://a/announce']]);
  http.behaviour.set('http://a/announce', () => ({ interval: 1, trackerId: 'tid\xff', peers: [] }));
  a.start();
  await time.advance(59 * S);
  assert.equal(http.calls.length, 1);
  await time.advance(1 * S);
  assert.equal(http.calls.length, 2);
  assert.equal(http.calls[0].params.trackerId, undefined);
  assert.equal(http.calls[1].params.trackerId, 'tid\xff');
  assert.equal(http.calls[0].params.key, http.calls[1].params.key);
  await a.stop();
});

test('unknown schemes are error events, not exceptions', async () => {
  const { a, time, http, events } = setup([['wss://tracker.example', 'http://a/announce']]);
  a.start();
  await time.advance(0);
  assert.deepEqual(http.urls(), ['http://a/announce started']);
  assert.equal(events[0].ok, false);
  assert.equal(events[0].url, 'wss://tracker.example');
  assert.match(events[0].message, /unsupported scheme/);
  await a.stop();
});

test('stop() is bounded by its timeout when a tracker hangs, and stops re-announcing', async () => {
  const { a, time, http } = setup([['http://a/announce']], { stopTimeoutMs: 2000 });
  a.start();
  await time.advance(0);
  http.behaviour.set('http://a/announce', 'hang');
  let done = false;
  const p = a.stop().then(() => (done = true));
  await time.advance(1999);
  assert.equal(done, false);
  await time.advance(1);
  await p;
  assert.equal(done, true);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://a/announce stopped']);
  await time.advance(3600 * S);
  assert.equal(http.calls.length, 2);
  assert.equal(time.pending, 0);
});

test('stop() during a hanging first announce still sends stopped; stop before start sends nothing', async () => {
  const { a, time, http, events } = setup([['http://a/announce']], { stopTimeoutMs: 500 });
  http.behaviour.set('http://a/announce', 'hang');
  a.start();
  await time.advance(0);
  const p = a.stop();
  await time.advance(500);
  await p;
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://a/announce stopped']);
  assert.ok(!events.some((e) => e.kind === 'started' && !e.ok), 'an announce cut short by stop() is not reported as a tracker error');

  const other = setup([['http://a/announce']]);
  await other.a.stop();
  assert.equal(other.http.calls.length, 0);
});

test('a request that hangs past requestTimeoutMs moves on to the next tracker', async () => {
  const { a, time, http } = setup([['http://a/announce', 'http://b/announce']], { requestTimeoutMs: 5000 });
  // the fake honours only the signal; emulate a transport that enforces timeoutMs
  http.behaviour.set('http://a/announce', 'hang');
  const orig = http.announce.bind(http);
  http.announce = (url, p, o) =>
    new Promise((resolve, reject) => {
      const t = time.setTimeout(() => reject(new TrackerError(`tracker ${url}: timed out after 5 s`, 'timeout')), o.timeoutMs);
      orig(url, p, o).then(resolve, reject).finally(() => time.clearTimeout(t));
    });
  a.start();
  await time.advance(5000);
  assert.deepEqual(http.urls(), ['http://a/announce started', 'http://b/announce started']);
  assert.equal(a.status()[0].url, 'http://b/announce');
  http.behaviour.set('http://a/announce', 'ok');
  await a.stop();
});

test('tiers are shuffled once with the injected random; duplicates and blanks dropped', () => {
  const { a } = setup([['http://a/announce', 'http://b/announce', 'http://c/announce'], [], ['http://a/announce', ' ', 'udp://d:1']], { random: () => 0 });
  // Fisher-Yates with j = 0 always: [a,b,c] -> i=2 swap(2,0): [c,b,a] -> i=1 swap(1,0): [b,c,a]
  assert.deepEqual(
    a.status().map((s) => [s.url, s.tier]),
    [
      ['http://b/announce', 0],
      ['http://c/announce', 0],
      ['http://a/announce', 0],
      ['udp://d:1', 1],
    ],
  );
});

test('shuffle: false keeps each tier in the order given (a list the user arranged), and a round tries it in that order', async () => {
  const { a, time, http } = setup([['http://c/announce', 'http://a/announce', 'http://b/announce']], { random: () => 0, shuffle: false });
  assert.deepEqual(a.status().map((s) => s.url), ['http://c/announce', 'http://a/announce', 'http://b/announce']);
  http.behaviour.set('http://c/announce', 'fail');
  a.start();
  await time.advance(0);
  assert.deepEqual(http.urls(), ['http://c/announce started', 'http://a/announce started']);
  await a.stop();
});

test('scrape() records counts per tracker and never rejects', async () => {
  const { a, http, udp, events } = setup([['http://a/announce'], ['udp://b:1']]);
  udp.behaviour.set('udp://b:1', 'fail');
  await a.scrape();
  const [ha, ub] = a.status();
  assert.deepEqual(ha.scrape, { seeds: 7, leechers: 8, downloaded: 9, at: 0 });
  assert.equal(ub.scrape, undefined);
  assert.deepEqual(
    events.map((e) => [e.url, e.kind, e.ok]),
    [
      ['http://a/announce', 'scrape', true],
      ['udp://b:1', 'scrape', false],
    ],
  );
  assert.equal(http.calls.length, 0);
  await a.stop();
});

test('listener exceptions do not break the announcer', async () => {
  const { a, time, http } = setup([['http://a/announce']], {
    onPeers: () => {
      throw new Error('boom');
    },
    onEvent: () => {
      throw new Error('boom');
    },
  });
  a.start();
  await time.advance(1800 * S);
  assert.equal(http.calls.length, 2);
  await a.stop();
});
