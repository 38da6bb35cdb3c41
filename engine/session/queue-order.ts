import type { Entry } from './entry.js';

/** The ids in queue order (by position). */
export function queueOrder(entries: Iterable<Entry>): string[] {
  return [...entries].sort((a, b) => a.position - b.position).map((e) => e.id);
}

/** Positions 0.. in the given order; `touch` gets each entry whose position changes (saved state). */
export function setQueueOrder(entries: ReadonlyMap<string, Entry>, order: readonly string[], touch: (e: Entry) => void): void {
  order.forEach((id, i) => {
    const e = entries.get(id)!;
    if (e.position !== i) {
      e.position = i;
      touch(e);
    }
  });
}
