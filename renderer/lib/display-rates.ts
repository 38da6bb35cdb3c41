/**
 * The rates the list and the details show, derived from the engine's. Under a rate limit the engine's
 * meter delivers data in bursts, so its rate jumps and drops to 0 between them, and a row flickers to
 * blank. The shown rate is an exponential average of the engine's (time constant RATE_TAU_MS) that holds
 * through short gaps and falls to 0 once no data has come for ZERO_AFTER_MS. A torrent that is stopped
 * shows no rate at all, and a complete one no download rate, from the batch that says so (the engine's
 * meter keeps reporting its decaying average for a few seconds).
 *
 * The rows keep the engine's figures; the shown rate is computed when it is read, from the closed form of
 * the average between two patches (raw + (from − raw)·e^(−t/τ)). A batch only notes each patched row's
 * new figure; it is folded in when the row is drawn (the list draws the few dozen rows on screen) or when
 * the next figure comes. So a row costs nothing while it settles, and little when a batch names it.
 */
import type { TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';

export const RATE_TAU_MS = 1500;
export const ZERO_AFTER_MS = 2500;

/**
 * The averages live in one Float64Array, FIELDS numbers per direction and two directions per torrent
 * (download at a torrent's slot, upload right after): a batch that names hundreds of rows writes into
 * it in place, with no object per row to allocate or chase.
 */
const RAW = 0; // the engine's figure the average heads towards
const FROM = 1; // the shown rate at AT
const AT = 2;
const ZERO_SINCE = 3; // since when the engine has said 0, or -1 while it says more
const PENDING = 4; // the engine's latest figure, noted by a batch and not yet folded in
const PENDING_AT = 5; // when it came (-1: none)
const FIELDS = 6;
const PER_TORRENT = 2 * FIELDS;
const UP = FIELDS;

type Row = Pick<TorrentSummary, 'id' | 'state' | 'progress'>;

/** The shown rate of the direction at `d` at `now`, leaving the torrent's state aside. */
function shownAt(a: Float64Array, d: number, now: number): number {
  return valueAt(a, d, now, Math.exp(-Math.max(0, now - a[d + AT]) / RATE_TAU_MS));
}

/** `shownAt` with the decay factor e^(−(now−at)/τ) given, so a patch computes it once. */
function valueAt(a: Float64Array, d: number, now: number, decay: number): number {
  const raw = a[d + RAW];
  const from = a[d + FROM];
  if (raw <= 0 && a[d + ZERO_SINCE] >= 0 && now - a[d + ZERO_SINCE] >= ZERO_AFTER_MS) return 0;
  // Settled (most rows, most of the time): no arithmetic.
  if (from === raw) return raw > 0 ? Math.round(raw) : 0;
  const v = raw + (from - raw) * decay;
  // Within 1 % the figures print the same: show the engine's.
  if (Math.abs(raw - v) <= Math.max(2, raw * 0.01)) return Math.round(raw);
  if (raw > 0) return Math.max(1, Math.round(v));
  return v < 1 ? 0 : Math.round(v);
}

/** A direction with no history: it shows `raw` as it is. */
function start(a: Float64Array, d: number, raw: number, now: number): void {
  a[d + RAW] = raw;
  a[d + FROM] = raw;
  a[d + AT] = now;
  a[d + ZERO_SINCE] = raw > 0 ? -1 : now;
  a[d + PENDING] = 0;
  a[d + PENDING_AT] = -1;
}

/** Folds in the figure a batch noted (when the row is read, or when the next figure comes). */
function settle(a: Float64Array, d: number): void {
  const at = a[d + PENDING_AT];
  if (at < 0) return;
  a[d + PENDING_AT] = -1;
  patch(a, d, a[d + PENDING], at);
}

/** A batch's figure, noted for later: a batch touches hundreds of rows, the list draws a few dozen. */
function note(a: Float64Array, d: number, raw: number, now: number): void {
  settle(a, d);
  a[d + PENDING] = raw;
  a[d + PENDING_AT] = now;
}

/** The engine says `raw` at `now`: one averaging step from where the shown rate is, then on towards it. */
function patch(a: Float64Array, d: number, raw: number, now: number): void {
  const dt = now - a[d + AT];
  const decay = Math.exp(-Math.max(0, dt) / RATE_TAU_MS);
  const current = valueAt(a, d, now, decay);
  if (raw > 0) {
    a[d + ZERO_SINCE] = -1;
    // No history (or a long gap): show the engine's figure as it is.
    a[d + FROM] = current <= 0 || dt >= 4 * RATE_TAU_MS ? raw : current + (1 - decay) * (raw - current);
  } else {
    if (a[d + ZERO_SINCE] < 0) a[d + ZERO_SINCE] = now;
    a[d + FROM] = current;
  }
  a[d + RAW] = raw;
  a[d + AT] = now;
}

/** Stopped: the rate shown is 0 and, when data flows again, starts from the engine's figure. */
function stop(a: Float64Array, d: number, now: number): void {
  a[d + PENDING_AT] = -1;
  a[d + RAW] = 0;
  a[d + FROM] = 0;
  a[d + AT] = now;
  a[d + ZERO_SINCE] = now - ZERO_AFTER_MS;
}

function stopped(state: TorrentSummary['state']): boolean {
  return state === 'paused' || state === 'queued' || state === 'error';
}

function downForcedZero(t: Row): boolean {
  return stopped(t.state) || t.state === 'seeding' || t.progress >= 1;
}

export class DisplayRates {
  /** Each torrent's offset into `values` (a multiple of PER_TORRENT). */
  private readonly slots = new Map<TorrentId, number>();
  /** Offsets of removed torrents, reused by the next added. */
  private free: number[] = [];
  private values = new Float64Array(0);
  private used = 0;

  /** A full list (snapshot): what it says is shown as it is. */
  reset(torrents: ReadonlyMap<TorrentId, TorrentSummary>, now: number): void {
    this.slots.clear();
    this.free = [];
    this.used = 0;
    if (this.values.length < torrents.size * PER_TORRENT) this.values = new Float64Array(torrents.size * PER_TORRENT);
    for (const t of torrents.values()) this.add(t, now);
  }

  /** A batch, after its diff was applied to `torrents`. Work grows with the rows it names. */
  apply(
    torrents: ReadonlyMap<TorrentId, TorrentSummary>,
    batch: { added: readonly TorrentSummary[]; changed: readonly TorrentPatch[]; removed: readonly TorrentId[] },
    now: number,
  ): void {
    for (const id of batch.removed) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      this.slots.delete(id);
      this.free.push(slot);
    }
    for (const t of batch.added) this.add(t, now);
    const a = this.values;
    for (const p of batch.changed) {
      const slot = this.slots.get(p.id);
      if (slot === undefined) continue;
      if (p.downRate !== undefined) note(a, slot, p.downRate, now);
      if (p.upRate !== undefined) note(a, slot + UP, p.upRate, now);
      // Stopping (paused, queued, error; complete for the download side) comes with a change of state or
      // progress: the shown rate drops to 0 then, and starts again from the engine's figure.
      if (p.state === undefined && p.progress === undefined) continue;
      const row = torrents.get(p.id);
      if (!row) continue;
      if (downForcedZero(row)) stop(a, slot, now);
      if (stopped(row.state)) stop(a, slot + UP, now);
    }
  }

  /** The download rate to show for `t` at `now` (0 once stopped or complete). */
  down(t: Row, now: number): number {
    const slot = this.slots.get(t.id);
    if (slot === undefined || downForcedZero(t)) return 0;
    settle(this.values, slot);
    return shownAt(this.values, slot, now);
  }

  /** The upload rate to show for `t` at `now` (0 once stopped). */
  up(t: Row, now: number): number {
    const slot = this.slots.get(t.id);
    if (slot === undefined || stopped(t.state)) return 0;
    settle(this.values, slot + UP);
    return shownAt(this.values, slot + UP, now);
  }

  /** Gives `t` a slot (a removed torrent's, or the next unused one) with no history. */
  private add(t: TorrentSummary, now: number): void {
    let slot = this.slots.get(t.id) ?? this.free.pop();
    if (slot === undefined) {
      slot = this.used;
      this.used += PER_TORRENT;
      if (this.used > this.values.length) {
        const grown = new Float64Array(Math.max(this.used, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
    }
    this.slots.set(t.id, slot);
    start(this.values, slot, t.downRate, now);
    start(this.values, slot + UP, t.upRate, now);
  }
}
