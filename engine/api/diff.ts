/**
 * Torrent-list diffs: the session sends only the fields that changed, the UI applies them. Pure, no
 * Node APIs.
 */
import type { EngineEvent, TorrentId, TorrentPatch, TorrentSummary } from './types.js';

const SUMMARY_FIELDS: { [K in keyof TorrentSummary]-?: true } = {
  id: true,
  name: true,
  state: true,
  stateReason: true,
  queuedFor: true,
  queuePosition: true,
  forceStart: true,
  totalBytes: true,
  doneBytes: true,
  wantedBytes: true,
  progress: true,
  downRate: true,
  upRate: true,
  eta: true,
  ratio: true,
  downloadedTotal: true,
  uploadedTotal: true,
  peers: true,
  seeds: true,
  savePath: true,
  addedAt: true,
  completedAt: true,
  error: true,
  sequential: true,
  downloadLimit: true,
  uploadLimit: true,
  firstLastPiecesFirst: true,
  ratioLimit: true,
  seedTimeLimitMinutes: true,
  maxConnections: true,
  goalReached: true,
  moveProgress: true,
  why: true,
  category: true,
  tags: true,
  trackerHosts: true,
};

/** Every TorrentSummary field, in declaration order. */
export const SUMMARY_KEYS = Object.keys(SUMMARY_FIELDS) as readonly (keyof TorrentSummary)[];

function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0
}

/**
 * Rounds the jittery fields so that noise does not produce patches: rates to whole bytes/s, progress to
 * 4 decimals, ratio to 3, eta to whole seconds. The session rounds before diffing and before sending.
 */
export function roundForWire(s: TorrentSummary): TorrentSummary {
  return {
    ...s,
    downRate: roundTo(s.downRate, 0),
    upRate: roundTo(s.upRate, 0),
    progress: roundTo(s.progress, 4),
    ratio: roundTo(s.ratio, 3),
    eta: roundTo(s.eta, 0),
  };
}

function copyField<K extends keyof TorrentSummary>(out: Partial<TorrentSummary>, from: TorrentSummary | TorrentPatch, k: K): void {
  out[k] = from[k];
}

/**
 * The fields of `next` that differ from `prev` (compared with Object.is, so NaN equals NaN), plus
 * `id`; null when nothing changed. Throws a RangeError if the ids differ (a caller bug).
 */
export function diffSummary(prev: TorrentSummary, next: TorrentSummary): TorrentPatch | null {
  if (prev.id !== next.id) throw new RangeError(`diffSummary: ids differ (${prev.id} vs ${next.id})`);
  let patch: TorrentPatch | null = null;
  for (const k of SUMMARY_KEYS) {
    if (k === 'id' || Object.is(prev[k], next[k])) continue;
    patch ??= { id: next.id };
    copyField(patch, next, k);
  }
  return patch;
}

/**
 * A new summary: `s` with the patch's fields applied (fields the patch leaves undefined, and unknown
 * keys, are ignored). Throws a RangeError if the ids differ (a caller bug).
 */
export function applyPatch(s: TorrentSummary, p: TorrentPatch): TorrentSummary {
  if (s.id !== p.id) throw new RangeError(`applyPatch: ids differ (${s.id} vs ${p.id})`);
  const out: TorrentSummary = { ...s };
  // The patch's own keys (a handful), not every summary field: the UI applies hundreds of patches a batch.
  for (const key in p) {
    if (!Object.prototype.hasOwnProperty.call(SUMMARY_FIELDS, key)) continue;
    const k = key as keyof TorrentSummary;
    if (p[k] !== undefined) copyField(out, p, k);
  }
  return out;
}

export interface ListDiff {
  added: TorrentSummary[];
  changed: TorrentPatch[];
  removed: TorrentId[];
}

/** What a batch carries for the torrent list: torrents new in `next`, patches for the rest, ids gone. */
export function diffLists(prev: ReadonlyMap<TorrentId, TorrentSummary>, next: Iterable<TorrentSummary>): ListDiff {
  const added: TorrentSummary[] = [];
  const changed: TorrentPatch[] = [];
  const seen = new Set<TorrentId>();
  for (const s of next) {
    seen.add(s.id);
    const old = prev.get(s.id);
    if (old === undefined) added.push(s);
    else {
      const p = diffSummary(old, s);
      if (p !== null) changed.push(p);
    }
  }
  const removed: TorrentId[] = [];
  for (const id of prev.keys()) if (!seen.has(id)) removed.push(id);
  return { added, changed, removed };
}

/**
 * Applies a list diff to a map of summaries, returning a new map (the input is not modified; unchanged
 * summaries keep their identity, so selectors that compare by reference do not re-render). Patches for
 * unknown ids are ignored.
 */
export function applyListDiff(list: ReadonlyMap<TorrentId, TorrentSummary>, d: ListDiff): Map<TorrentId, TorrentSummary> {
  const out = new Map(list);
  for (const id of d.removed) out.delete(id);
  for (const s of d.added) out.set(s.id, s);
  for (const p of d.changed) {
    const s = out.get(p.id);
    if (s !== undefined) out.set(p.id, applyPatch(s, p));
  }
  return out;
}

/**
 * Receiver-side check of event sequence numbers. The first message may carry any seq; afterwards each
 * must be the previous + 1. On a gap the tracker needs a snapshot: every batch answers 'gap' (do not
 * apply it) until a 'snapshot' event arrives, which is always accepted and resets the count. Send
 * { type: 'snapshot' } when accept first answers 'gap' (`needsSnapshot` was false before the call).
 */
export class SequenceTracker {
  #last: number | null = null;
  #broken = false;

  /** True after a gap, until a snapshot is accepted. */
  get needsSnapshot(): boolean {
    return this.#broken;
  }

  /** The last accepted seq, or null before the first message. */
  get last(): number | null {
    return this.#last;
  }

  accept(seq: number, isSnapshot = false): 'ok' | 'gap' {
    if (!Number.isSafeInteger(seq)) {
      this.#broken = true;
      return 'gap';
    }
    if (isSnapshot || this.#last === null) {
      this.#last = seq;
      this.#broken = false;
      return 'ok';
    }
    if (this.#broken || seq !== this.#last + 1) {
      this.#broken = true;
      return 'gap';
    }
    this.#last = seq;
    return 'ok';
  }

  acceptEvent(e: EngineEvent): 'ok' | 'gap' {
    return this.accept(e.seq, e.kind === 'snapshot');
  }

  reset(): void {
    this.#last = null;
    this.#broken = false;
  }
}
