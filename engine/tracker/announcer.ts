/**
 * TrackerAnnouncer: the trackers of one torrent (BEP 12 tiers), as a state machine on an injected clock and timers.
 *
 * - Each tier is shuffled once at construction (unless `shuffle` is false: a list the user ordered keeps its order). An announce round walks the tiers in order and the trackers of a tier
 *   in order, stopping at the first success; that tracker moves to the front of its tier. The next tier is tried only
 *   when every tracker of the tier before it failed.
 * - A tracker hears `started` the first time it is contacted, `completed` once after completed() if it had heard
 *   `started` while we were incomplete, `stopped` on stop() if it ever heard `started`.
 * - Re-announce after the tracker's interval (never sooner than its min interval); after a round where every tracker
 *   failed, retry after 15 s, 30 s, 60 s, … capped at 30 min.
 * - While the torrent reports itself starved (setStarved: no peer connected, none left to dial), announce early: 10 s
 *   (or the tracker's interval, if shorter, but never under 5 s) after the last success, then 20 s, 40 s, … (never
 *   sooner than the min interval), until the regular announce.
 *   A reply that listed only peers that have left then costs seconds, not a whole interval.
 * - Transports are injectable; by default http(s):// goes to the node:http client and udp:// to a UdpTrackerClient
 *   owned by this announcer (closed by stop()). Other schemes are reported as error events.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../common/clock.js';
import { TrackerError } from './errors.js';
import { httpTransport } from './http-client.js';
import { UdpTrackerClient } from './udp-client.js';
import { systemTimers, type AnnounceEvent, type AnnounceResponse, type PeerAddress, type Timers, type TrackerTransport } from './types.js';

/** Early announces of a starved torrent never come closer together than this, whatever interval a tracker sends. */
export const STARVED_FLOOR_MS = 5_000;

/** One report for logs and the UI. */
export interface TrackerStatusEvent {
  url: string;
  tier: number;
  /** What was sent: an announce event, 'announce' for a regular one, or 'scrape'. */
  kind: AnnounceEvent | 'announce' | 'scrape';
  ok: boolean;
  /** Error text, tracker warning, or a short summary. One line. */
  message: string;
  /** Seconds until the next announce (successful announces). */
  interval?: number;
  seeds?: number;
  leechers?: number;
  /** Number of peers received. */
  peers?: number;
}

export type TrackerHealth = 'idle' | 'updating' | 'working' | 'error';

/** Per-tracker state, as status() returns it. Times are clock milliseconds. */
export interface TrackerState {
  url: string;
  tier: number;
  health: TrackerHealth;
  lastError?: string;
  warning?: string;
  /** Consecutive failures. */
  failures: number;
  lastAnnounce?: number;
  nextAnnounce?: number;
  /** Seconds, from the last response. */
  interval?: number;
  minInterval?: number;
  /** From the last announce response. */
  seeds?: number;
  leechers?: number;
  peers?: number;
  /** From the last scrape. */
  scrape?: { seeds: number; leechers: number; downloaded: number; at: number };
}

export interface AnnouncerStats {
  uploaded: number;
  downloaded: number;
  left: number;
}

export interface TrackerAnnouncerOptions {
  tiers: string[][];
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** The port peers should dial; a function when it can change (the router's mapped port, learnt later). */
  port: number | (() => number);
  stats: () => AnnouncerStats;
  onPeers: (peers: PeerAddress[], source: string) => void;
  onEvent?: (e: TrackerStatusEvent) => void;
  clock?: Clock;
  timers?: Timers;
  /** Peers asked for per announce (default 50). */
  numwant?: number;
  /** Transports by kind; missing ones get the defaults. */
  transports?: { http?: TrackerTransport; udp?: TrackerTransport };
  /** Random numbers in [0, 1) for the tier shuffle (default Math.random). */
  random?: () => number;
  /**
   * Shuffle each tier once (BEP 12, default true), so clients spread over a tier's trackers. False keeps
   * the order given: the user arranged it (Trackers tab), and expects it tried in that order.
   */
  shuffle?: boolean;
  /** The announce key (default: random). */
  key?: number;
  /** Time limit of one announce attempt before moving to the next tracker (default 30 s). */
  requestTimeoutMs?: number;
  /** Time limit of stop() (default 2 s). */
  stopTimeoutMs?: number;
  /** First retry delay after a round where every tracker failed (default 15 s); doubles up to retryMaxMs (default 30 min). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Bounds applied to the tracker's interval, seconds (default 60 s .. 6 h). */
  minIntervalS?: number;
  maxIntervalS?: number;
  /** First early announce while starved, after the last success (default 10 s); doubles for each one. */
  starvedBaseMs?: number;
}

interface Entry {
  state: TrackerState;
  sentStarted: boolean;
  sentCompleted: boolean;
  /** A request is in flight that may have registered us (counts for `stopped`). */
  inFlight: boolean;
  trackerId?: string;
  lastSuccessAt?: number;
}

type TransportKind = 'http' | 'udp';

function kindOf(url: string): TransportKind | undefined {
  const u = url.slice(0, 8).toLowerCase();
  if (u.startsWith('http://') || u.startsWith('https://')) return 'http';
  if (u.startsWith('udp://')) return 'udp';
  return undefined;
}

export class TrackerAnnouncer {
  private readonly opts: TrackerAnnouncerOptions;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly tiers: Entry[][];
  private readonly key: number;
  private readonly numwant: number;
  private readonly requestTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly minIntervalS: number;
  private readonly maxIntervalS: number;
  private http: TrackerTransport | undefined;
  private udp: TrackerTransport | undefined;
  private ownedUdp: UdpTrackerClient | undefined;

  private started = false;
  private stopped = false;
  private complete = false;
  private roundActive = false;
  /** Why another round is wanted as soon as the active one ends. */
  private roundPending: 'completed' | 'now' | 'force' | undefined;
  private roundAbort: AbortController | undefined;
  /** Aborted by stop(): cuts scrapes short. */
  private readonly lifetime = new AbortController();
  private timer: unknown;
  private timerAt: number | undefined;
  private failedRounds = 0;
  private current: Entry | undefined;
  private readonly starvedBaseMs: number;
  /** Early announces since the torrent was last not starved. */
  private starvedRounds = 0;

  constructor(opts: TrackerAnnouncerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.numwant = opts.numwant ?? 50;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 2_000;
    this.retryBaseMs = opts.retryBaseMs ?? 15_000;
    this.retryMaxMs = opts.retryMaxMs ?? 30 * 60_000;
    this.minIntervalS = opts.minIntervalS ?? 60;
    this.maxIntervalS = opts.maxIntervalS ?? 6 * 3600;
    this.starvedBaseMs = opts.starvedBaseMs ?? 10_000;
    this.key = opts.key ?? randomBytes(4).readUInt32BE(0);
    this.http = opts.transports?.http;
    this.udp = opts.transports?.udp;
    const random = opts.random ?? Math.random;
    const seen = new Set<string>();
    this.tiers = [];
    for (const tier of opts.tiers) {
      const entries: Entry[] = [];
      for (const raw of tier) {
        const url = raw.trim();
        if (!url || seen.has(url)) continue;
        seen.add(url);
        entries.push({ state: { url, tier: 0, health: 'idle', failures: 0 }, sentStarted: false, sentCompleted: false, inFlight: false });
      }
      if (entries.length === 0) continue;
      for (let i = opts.shuffle === false ? 0 : entries.length - 1; i > 0; i--) {
        const j = Math.min(i, Math.floor(random() * (i + 1)));
        [entries[i], entries[j]] = [entries[j], entries[i]];
      }
      for (const e of entries) e.state.tier = this.tiers.length;
      this.tiers.push(entries);
    }
  }

  /** Sends `started` (to the first tracker that answers) and keeps announcing until stop(). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.runRound();
  }

  /** The download finished: tell the working tracker now. */
  completed(): void {
    if (this.complete) return;
    this.complete = true;
    if (this.started && !this.stopped) this.runRound('completed');
  }

  /** Announce as soon as the min interval of the working tracker allows; `ignoreMinInterval`: at once (our port changed, so the last announce told a wrong one). */
  announceNow(ignoreMinInterval = false): void {
    if (!this.started || this.stopped) return;
    if (this.roundActive) {
      if (this.roundPending !== 'completed') this.roundPending = ignoreMinInterval ? 'force' : (this.roundPending ?? 'now');
      return;
    }
    const cur = this.current;
    const earliest = !ignoreMinInterval && cur?.lastSuccessAt !== undefined && cur.state.minInterval !== undefined ? cur.lastSuccessAt + cur.state.minInterval * 1000 : 0;
    const now = this.clock.now();
    if (now >= earliest) this.runRound();
    else if (this.timerAt === undefined || this.timerAt > earliest) this.schedule(earliest);
  }

  /**
   * The torrent says whether it is starved: no peer connected and no address left to dial. While it is (call as often
   * as convenient, e.g. every tick), the next announce comes `starvedBaseMs` (or the tracker's interval, if shorter)
   * after the last success, doubling with
   * each early announce and never sooner than the tracker's min interval; a later regular announce is left alone.
   * Rounds that failed keep their own retry schedule. Not starved resets the doubling.
   */
  setStarved(starved: boolean): void {
    if (!starved) {
      this.starvedRounds = 0;
      return;
    }
    if (!this.started || this.stopped || this.roundActive) return;
    const cur = this.current;
    if (cur?.lastSuccessAt === undefined) return;
    // A tracker that asks for announces more often than the base gets them that often (the regular schedule clamps its
    // interval to minIntervalS; a starved torrent has a reason to use what the tracker offers).
    // A tracker that sends interval 0 (or none at all) gets the floor, so the doubling grows from a non-zero base.
    const base = Math.max(Math.min(this.starvedBaseMs, (cur.state.interval ?? Infinity) * 1000), STARVED_FLOOR_MS);
    const gap = Math.max(base * 2 ** Math.min(this.starvedRounds, 30), (cur.state.minInterval ?? 0) * 1000);
    const at = cur.lastSuccessAt + gap;
    if (this.timerAt !== undefined && this.timerAt <= at) return;
    this.starvedRounds++;
    this.schedule(at);
  }

  /** Scrapes every tracker that supports it (in parallel) and records the counts. Never rejects. */
  async scrape(): Promise<void> {
    const all = this.tiers.flat();
    await Promise.all(
      all.map(async (e) => {
        const t = this.transportFor(e.state.url);
        if (!t) return;
        try {
          const r = await t.scrape(e.state.url, this.opts.infoHash, { timeoutMs: this.requestTimeoutMs, signal: this.lifetime.signal });
          e.state.scrape = { seeds: r.complete, leechers: r.incomplete, downloaded: r.downloaded, at: this.clock.now() };
          this.emit({ url: e.state.url, tier: e.state.tier, kind: 'scrape', ok: true, message: `${r.complete} seeds, ${r.incomplete} leechers`, seeds: r.complete, leechers: r.incomplete });
        } catch (err) {
          if (err instanceof TrackerError && (err.kind === 'unsupported' || err.kind === 'aborted')) return;
          this.emit({ url: e.state.url, tier: e.state.tier, kind: 'scrape', ok: false, message: messageOf(err) });
        }
      }),
    );
  }

  /** Sends `stopped` to every tracker that heard `started`, within stopTimeoutMs. Never rejects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer();
    this.roundAbort?.abort();
    this.lifetime.abort();
    const targets = this.tiers.flat().filter((e) => e.sentStarted || e.inFlight);
    if (targets.length > 0) {
      const ac = new AbortController();
      const timer = this.timers.setTimeout(() => ac.abort(), this.stopTimeoutMs);
      try {
        await Promise.all(targets.map((e) => this.announceTo(e, 'stopped', ac.signal, this.stopTimeoutMs)));
      } finally {
        this.timers.clearTimeout(timer);
      }
    }
    this.ownedUdp?.close();
  }

  /** Per-tracker state in tier order (the current order within each tier). */
  status(): TrackerState[] {
    return this.tiers.flat().map((e) => ({ ...e.state, scrape: e.state.scrape && { ...e.state.scrape } }));
  }

  // ---- internals ----

  private transportFor(url: string): TrackerTransport | undefined {
    switch (kindOf(url)) {
      case 'http':
        return (this.http ??= httpTransport);
      case 'udp':
        if (!this.udp) {
          this.ownedUdp = new UdpTrackerClient({ clock: this.clock });
          this.udp = this.ownedUdp;
        }
        return this.udp;
      default:
        return undefined;
    }
  }

  private eventFor(e: Entry): AnnounceEvent | undefined {
    if (!e.sentStarted) return 'started';
    if (this.complete && !e.sentCompleted) return 'completed';
    return undefined;
  }

  private runRound(reason?: 'completed' | 'now'): void {
    if (this.stopped) return;
    if (this.roundActive) {
      if (reason) this.roundPending = this.roundPending === 'completed' ? 'completed' : reason;
      return;
    }
    this.cancelTimer();
    this.roundActive = true;
    const ac = new AbortController();
    this.roundAbort = ac;
    void this.round(ac.signal).finally(() => {
      this.roundActive = false;
      if (this.roundAbort === ac) this.roundAbort = undefined;
      const pending = this.roundPending;
      this.roundPending = undefined;
      if (this.stopped) return;
      if (pending === 'completed' && this.current && this.eventFor(this.current) === 'completed') this.runRound();
      else if (pending) this.announceNow(pending === 'force');
    });
  }

  private async round(signal: AbortSignal): Promise<void> {
    for (const tier of this.tiers) {
      for (let i = 0; i < tier.length; i++) {
        if (this.stopped) return;
        const e = tier[i];
        const res = await this.announceTo(e, this.eventFor(e), signal, this.requestTimeoutMs);
        if (this.stopped) return;
        if (res) {
          tier.splice(i, 1);
          tier.unshift(e);
          this.current = e;
          this.failedRounds = 0;
          const s = Math.min(Math.max(res.interval, res.minInterval ?? 0, this.minIntervalS), this.maxIntervalS);
          const at = this.clock.now() + s * 1000;
          e.state.nextAnnounce = at;
          this.schedule(at);
          return;
        }
      }
    }
    if (this.stopped) return;
    this.current = undefined;
    this.failedRounds++;
    const delay = Math.min(this.retryBaseMs * 2 ** Math.min(this.failedRounds - 1, 30), this.retryMaxMs);
    const at = this.clock.now() + delay;
    for (const e of this.tiers.flat()) e.state.nextAnnounce = at;
    this.schedule(at);
  }

  /** One announce to one tracker; updates its state and reports. Resolves undefined on failure. */
  private async announceTo(e: Entry, event: AnnounceEvent | undefined, signal: AbortSignal, timeoutMs: number): Promise<AnnounceResponse | undefined> {
    const st = e.state;
    const kind = event ?? 'announce';
    const transport = this.transportFor(st.url);
    if (!transport) {
      this.fail(e, kind, new TrackerError(`tracker ${st.url}: unsupported scheme`, 'unsupported'));
      return undefined;
    }
    const stats = this.opts.stats();
    st.health = 'updating';
    e.inFlight = true;
    try {
      const res = await transport.announce(
        st.url,
        {
          infoHash: this.opts.infoHash,
          peerId: this.opts.peerId,
          port: typeof this.opts.port === 'function' ? this.opts.port() : this.opts.port,
          uploaded: stats.uploaded,
          downloaded: stats.downloaded,
          left: stats.left,
          event,
          numwant: event === 'stopped' ? 0 : this.numwant,
          key: this.key,
          trackerId: e.trackerId,
        },
        { timeoutMs, signal },
      );
      const now = this.clock.now();
      st.health = 'working';
      st.failures = 0;
      st.lastError = undefined;
      st.lastAnnounce = now;
      st.interval = res.interval;
      st.minInterval = res.minInterval;
      st.warning = res.warningMessage;
      st.seeds = res.complete;
      st.leechers = res.incomplete;
      st.peers = res.peers.length;
      e.lastSuccessAt = now;
      if (res.trackerId !== undefined) e.trackerId = res.trackerId;
      if (event === 'started') {
        e.sentStarted = true;
        // Started with nothing left: this tracker never knew us as a leecher, no `completed` due.
        if (stats.left <= 0) e.sentCompleted = true;
      } else if (event === 'completed') e.sentCompleted = true;
      else if (event === 'stopped') {
        e.sentStarted = false;
        st.health = 'idle';
        st.nextAnnounce = undefined;
      }
      this.emit({
        url: st.url,
        tier: st.tier,
        kind,
        ok: true,
        message: res.warningMessage ?? `${res.peers.length} peers`,
        interval: res.interval,
        seeds: res.complete,
        leechers: res.incomplete,
        peers: res.peers.length,
      });
      if (res.peers.length > 0 && event !== 'stopped') {
        try {
          this.opts.onPeers(res.peers, st.url);
        } catch {
          /* the listener's problem */
        }
      }
      return res;
    } catch (err) {
      this.fail(e, kind, err);
      return undefined;
    } finally {
      e.inFlight = false;
    }
  }

  private fail(e: Entry, kind: TrackerStatusEvent['kind'], err: unknown): void {
    const st = e.state;
    if (this.stopped && kind !== 'stopped' && err instanceof TrackerError && err.kind === 'aborted') {
      st.health = 'idle'; // cut short by stop(): not the tracker's fault
      return;
    }
    st.health = 'error';
    st.failures++;
    st.lastError = messageOf(err);
    this.emit({ url: st.url, tier: st.tier, kind, ok: false, message: st.lastError });
  }

  private emit(ev: TrackerStatusEvent): void {
    try {
      this.opts.onEvent?.(ev);
    } catch {
      /* the listener's problem */
    }
  }

  private schedule(at: number): void {
    this.cancelTimer();
    this.timerAt = at;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.runRound();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
