/**
 * The rates the list and the details show, derived from the engine's. Under a rate limit the engine's
 * meter delivers data in bursts, so its rate jumps and drops to 0 between them, and a row flickers to
 * blank. The shown rate is an exponential average of the engine's (time constant RATE_TAU_MS) that holds
 * through short gaps and falls to 0 once no data has come for ZERO_AFTER_MS. A torrent that is stopped
 * shows no rate at all, and a complete one no download rate, from the batch that says so (the engine's
 * meter keeps reporting its decaying average for a few seconds).
 *
 * Work grows with what changed: a batch touches the rows it patches and the rows still settling.
 */
import type { TorrentId, TorrentPatch, TorrentSummary } from '../../engine/api/types.js';

export const RATE_TAU_MS = 1500;
export const ZERO_AFTER_MS = 2500;

interface Direction {
  /** The engine's latest rate. */
  raw: number;
  shown: number;
  /** Since when the engine has said 0, or -1 while it says more. */
  zeroSince: number;
}

interface Track {
  down: Direction;
  up: Direction;
  at: number;
}

type Row = Pick<TorrentSummary, 'state' | 'progress' | 'downRate' | 'upRate'>;

/** One direction's next shown rate; notes in `d` since when the engine has said 0. */
export function nextShownRate(d: Direction, dtMs: number, now: number): number {
  if (d.raw > 0) {
    d.zeroSince = -1;
    // No history (or a long gap): show the engine's figure as it is.
    if (d.shown <= 0 || dtMs >= 4 * RATE_TAU_MS) return Math.round(d.raw);
  } else {
    if (d.zeroSince < 0) d.zeroSince = now;
    if (now - d.zeroSince >= ZERO_AFTER_MS || d.shown < 1) return 0;
  }
  const alpha = 1 - Math.exp(-Math.max(0, dtMs) / RATE_TAU_MS);
  const next = Math.round(d.shown + alpha * (d.raw - d.shown));
  // Within 1 % the figures print the same: settle on the engine's, so the row stops being revisited.
  if (Math.abs(d.raw - next) <= Math.max(2, d.raw * 0.01)) return Math.round(d.raw);
  return d.raw > 0 ? Math.max(1, next) : next;
}

function stopped(state: TorrentSummary['state']): boolean {
  return state === 'paused' || state === 'queued' || state === 'error';
}

export class DisplayRates {
  private readonly tracks = new Map<TorrentId, Track>();
  /** Rows whose shown rate is not yet the engine's: they are revisited on every batch. */
  private readonly settling = new Set<TorrentId>();

  /** A full list (snapshot): what it says is shown as it is. */
  reset(torrents: ReadonlyMap<TorrentId, TorrentSummary>, now: number): ReadonlyMap<TorrentId, TorrentSummary> {
    this.tracks.clear();
    this.settling.clear();
    let out: Map<TorrentId, TorrentSummary> | null = null;
    for (const t of torrents.values()) {
      this.tracks.set(t.id, { down: direction(t.downRate), up: direction(t.upRate), at: now });
      const shown = this.shownFor(t, now, true);
      if (shown !== t) (out ??= new Map(torrents)).set(t.id, shown);
    }
    return out ?? torrents;
  }

  /**
   * The list after a batch (`torrents`, the diff already applied) with shown rates. Rows whose rates do
   * not change keep their identity; the map is the same object when nothing changed.
   */
  apply(
    torrents: ReadonlyMap<TorrentId, TorrentSummary>,
    batch: { added: readonly TorrentSummary[]; changed: readonly TorrentPatch[]; removed: readonly TorrentId[] },
    now: number,
    /** `torrents` is a map this batch made (the list diff copied it): rows are replaced in it, not in a second copy. */
    ownsMap = false,
  ): ReadonlyMap<TorrentId, TorrentSummary> {
    for (const id of batch.removed) {
      this.tracks.delete(id);
      this.settling.delete(id);
    }
    const touched = new Set<TorrentId>(this.settling);
    for (const t of batch.added) {
      this.tracks.set(t.id, { down: direction(t.downRate), up: direction(t.upRate), at: now });
      touched.add(t.id);
    }
    for (const p of batch.changed) {
      const track = this.tracks.get(p.id);
      if (!track) continue;
      if (p.downRate !== undefined) track.down.raw = p.downRate;
      if (p.upRate !== undefined) track.up.raw = p.upRate;
      touched.add(p.id);
    }
    let out: Map<TorrentId, TorrentSummary> | null = null;
    for (const id of touched) {
      const t = (out ?? torrents).get(id);
      if (!t) {
        this.settling.delete(id);
        continue;
      }
      const shown = this.shownFor(t, now, false);
      if (shown !== t) (out ??= ownsMap ? (torrents as Map<TorrentId, TorrentSummary>) : new Map(torrents)).set(id, shown);
    }
    return out ?? torrents;
  }

  /** How many rows are still settling (for tests). */
  get settlingCount(): number {
    return this.settling.size;
  }

  private shownFor(t: TorrentSummary, now: number, fresh: boolean): TorrentSummary {
    const track = this.tracks.get(t.id);
    if (!track) return t;
    const dt = now - track.at;
    track.at = now;
    const down = ratesFor(t, track.down, dt, now, fresh, 'down');
    const up = ratesFor(t, track.up, dt, now, fresh, 'up');
    track.down.shown = down;
    track.up.shown = up;
    const settled = (down === track.down.raw || (down === 0 && downForcedZero(t))) && (up === track.up.raw || (up === 0 && stopped(t.state)));
    if (settled) this.settling.delete(t.id);
    else this.settling.add(t.id);
    return down === t.downRate && up === t.upRate ? t : { ...t, downRate: down, upRate: up };
  }
}

function direction(raw: number): Direction {
  return { raw, shown: raw, zeroSince: raw > 0 ? -1 : 0 };
}

function downForcedZero(t: Row): boolean {
  return stopped(t.state) || t.state === 'seeding' || t.progress >= 1;
}

function ratesFor(t: Row, d: Direction, dt: number, now: number, fresh: boolean, which: 'down' | 'up'): number {
  if (which === 'down' ? downForcedZero(t) : stopped(t.state)) {
    d.zeroSince = d.raw > 0 ? -1 : now;
    return 0;
  }
  if (fresh) return Math.round(d.raw);
  return nextShownRate(d, dt, now);
}
