/**
 * Which torrents may run: the download queue as a pure function, so its rules are
 * tested without sockets or timers. Torrents are taken in queue order; complete
 * ones compete for seed slots, the others for download slots. Force-started and
 * stalled torrents run without holding a slot, so a stalled download does not
 * keep the next one waiting.
 */
export interface QueueItem {
  readonly id: string;
  readonly position: number;
  /** The user wants it running (not paused, not in error). */
  readonly wantsToRun: boolean;
  readonly complete: boolean;
  readonly forceStart: boolean;
  /** Running, but no payload for a while. */
  readonly stalled: boolean;
}

export interface QueueLimits {
  /** 0 or less: no limit. */
  readonly maxActiveDownloads: number;
  readonly maxActiveSeeds: number;
  /** The pause schedule holds downloads back (not seeds, not force-started ones): their state reason. */
  readonly downloadsPausedReason?: string | null;
}

export interface QueueDecision {
  readonly run: ReadonlySet<string>;
  /** For torrents that want to run but must wait: what they wait for, and why in words. */
  readonly waiting: ReadonlyMap<string, Waiting>;
}

/** Why a torrent that wants to run does not; `bySchedule`: the pause schedule holds it (shown as paused). */
export interface Waiting {
  queuedFor: 'download' | 'seed';
  reason: string;
  bySchedule?: true;
}

export function decideQueue(items: readonly QueueItem[], limits: QueueLimits): QueueDecision {
  const run = new Set<string>();
  const waiting = new Map<string, Waiting>();
  const pausedReason = limits.downloadsPausedReason ?? null;
  const ordered = [...items].sort((a, b) => a.position - b.position);
  let downloads = 0;
  let seeds = 0;
  const unlimited = (n: number): boolean => n <= 0;
  for (const item of ordered) {
    if (!item.wantsToRun) continue;
    if (pausedReason !== null && !item.complete && !item.forceStart) {
      waiting.set(item.id, { queuedFor: 'download', reason: pausedReason, bySchedule: true });
      continue;
    }
    if (item.forceStart || item.stalled) {
      run.add(item.id);
      continue;
    }
    if (item.complete) {
      if (unlimited(limits.maxActiveSeeds) || seeds < limits.maxActiveSeeds) {
        seeds++;
        run.add(item.id);
      }
    } else if (unlimited(limits.maxActiveDownloads) || downloads < limits.maxActiveDownloads) {
      downloads++;
      run.add(item.id);
    }
  }
  for (const item of ordered) {
    if (!item.wantsToRun || run.has(item.id) || waiting.has(item.id)) continue;
    waiting.set(
      item.id,
      item.complete
        ? { queuedFor: 'seed', reason: `waiting: ${seeds} of ${limits.maxActiveSeeds} seed slots in use` }
        : { queuedFor: 'download', reason: `waiting: ${downloads} of ${limits.maxActiveDownloads} download slots in use` },
    );
  }
  return { run, waiting };
}

export type QueueMove = 'up' | 'down' | 'top' | 'bottom';

/**
 * Moves `ids` within `order` (ids in queue order) and returns the new order.
 * Several ids keep their relative order; moving up or down steps each past one neighbour.
 */
export function moveInQueue(order: readonly string[], ids: readonly string[], to: QueueMove): string[] {
  const moving = new Set(ids);
  const picked = order.filter((id) => moving.has(id));
  const rest = order.filter((id) => !moving.has(id));
  if (to === 'top') return [...picked, ...rest];
  if (to === 'bottom') return [...rest, ...picked];
  const out = [...order];
  if (to === 'up') {
    for (let i = 1; i < out.length; i++) {
      if (moving.has(out[i]) && !moving.has(out[i - 1])) [out[i - 1], out[i]] = [out[i], out[i - 1]];
    }
  } else {
    for (let i = out.length - 2; i >= 0; i--) {
      if (moving.has(out[i]) && !moving.has(out[i + 1])) [out[i], out[i + 1]] = [out[i + 1], out[i]];
    }
  }
  return out;
}
