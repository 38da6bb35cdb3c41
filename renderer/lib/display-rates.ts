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

/** One direction of one torrent: the average heads from `from` (at time `at`) towards the engine's `raw`. */
interface Direction {
  raw: number;
  from: number;
  at: number;
  /** Since when the engine has said 0, or -1 while it says more. */
  zeroSince: number;
  /** The engine's latest figure and when it came (-1: none), not yet folded in: a batch only notes it. */
  pending: number;
  pendingAt: number;
}

interface Track {
  down: Direction;
  up: Direction;
}

type Row = Pick<TorrentSummary, 'id' | 'state' | 'progress'>;

function direction(raw: number, now: number): Direction {
  return { raw, from: raw, at: now, zeroSince: raw > 0 ? -1 : now, pending: 0, pendingAt: -1 };
}

/** Folds in the figure a batch noted (when the row is read, or when the next figure comes). */
function settle(d: Direction): void {
  if (d.pendingAt < 0) return;
  const at = d.pendingAt;
  d.pendingAt = -1;
  patch(d, d.pending, at);
}

/** A batch's figure, noted for later: a batch touches hundreds of rows, the list draws a few dozen. */
function note(d: Direction, raw: number, now: number): void {
  settle(d);
  d.pending = raw;
  d.pendingAt = now;
}

/** The shown rate of `d` at `now`, leaving the torrent's state aside. */
export function shownAt(d: Readonly<Direction>, now: number): number {
  return valueAt(d, now, Math.exp(-Math.max(0, now - d.at) / RATE_TAU_MS));
}

/** `shownAt` with the decay factor e^(−(now−at)/τ) given, so a patch computes it once. */
function valueAt(d: Readonly<Direction>, now: number, decay: number): number {
  if (d.raw <= 0 && d.zeroSince >= 0 && now - d.zeroSince >= ZERO_AFTER_MS) return 0;
  // Settled (most rows, most of the time): no arithmetic.
  if (d.from === d.raw) return d.raw > 0 ? Math.round(d.raw) : 0;
  const v = d.raw + (d.from - d.raw) * decay;
  // Within 1 % the figures print the same: show the engine's.
  if (Math.abs(d.raw - v) <= Math.max(2, d.raw * 0.01)) return Math.round(d.raw);
  if (d.raw > 0) return Math.max(1, Math.round(v));
  return v < 1 ? 0 : Math.round(v);
}

/** The engine says `raw` at `now`: one averaging step from where the shown rate is, then on towards it. */
function patch(d: Direction, raw: number, now: number): void {
  const dt = now - d.at;
  const decay = Math.exp(-Math.max(0, dt) / RATE_TAU_MS);
  const current = valueAt(d, now, decay);
  if (raw > 0) {
    d.zeroSince = -1;
    // No history (or a long gap): show the engine's figure as it is.
    d.from = current <= 0 || dt >= 4 * RATE_TAU_MS ? raw : current + (1 - decay) * (raw - current);
  } else {
    if (d.zeroSince < 0) d.zeroSince = now;
    d.from = current;
  }
  d.raw = raw;
  d.at = now;
}

/** Stopped: the rate shown is 0 and, when data flows again, starts from the engine's figure. */
function stop(d: Direction, now: number): void {
  d.pendingAt = -1;
  d.raw = 0;
  d.from = 0;
  d.at = now;
  d.zeroSince = now - ZERO_AFTER_MS;
}

function stopped(state: TorrentSummary['state']): boolean {
  return state === 'paused' || state === 'queued' || state === 'error';
}

function downForcedZero(t: Row): boolean {
  return stopped(t.state) || t.state === 'seeding' || t.progress >= 1;
}

export class DisplayRates {
  private readonly tracks = new Map<TorrentId, Track>();

  /** A full list (snapshot): what it says is shown as it is. */
  reset(torrents: ReadonlyMap<TorrentId, TorrentSummary>, now: number): void {
    this.tracks.clear();
    for (const t of torrents.values()) this.tracks.set(t.id, { down: direction(t.downRate, now), up: direction(t.upRate, now) });
  }

  /** A batch, after its diff was applied to `torrents`. Work grows with the rows it names. */
  apply(
    torrents: ReadonlyMap<TorrentId, TorrentSummary>,
    batch: { added: readonly TorrentSummary[]; changed: readonly TorrentPatch[]; removed: readonly TorrentId[] },
    now: number,
  ): void {
    for (const id of batch.removed) this.tracks.delete(id);
    for (const t of batch.added) this.tracks.set(t.id, { down: direction(t.downRate, now), up: direction(t.upRate, now) });
    for (const p of batch.changed) {
      const track = this.tracks.get(p.id);
      if (!track) continue;
      if (p.downRate !== undefined) note(track.down, p.downRate, now);
      if (p.upRate !== undefined) note(track.up, p.upRate, now);
      // Stopping (paused, queued, error; complete for the download side) comes with a change of state or
      // progress: the shown rate drops to 0 then, and starts again from the engine's figure.
      if (p.state === undefined && p.progress === undefined) continue;
      const row = torrents.get(p.id);
      if (!row) continue;
      if (downForcedZero(row)) stop(track.down, now);
      if (stopped(row.state)) stop(track.up, now);
    }
  }

  /** The download rate to show for `t` at `now` (0 once stopped or complete). */
  down(t: Row, now: number): number {
    const track = this.tracks.get(t.id);
    if (!track || downForcedZero(t)) return 0;
    settle(track.down);
    return shownAt(track.down, now);
  }

  /** The upload rate to show for `t` at `now` (0 once stopped). */
  up(t: Row, now: number): number {
    const track = this.tracks.get(t.id);
    if (!track || stopped(t.state)) return 0;
    settle(track.up);
    return shownAt(track.up, now);
  }
}
