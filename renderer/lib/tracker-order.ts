/**
 * Reordering trackers and tiers from the Trackers tab's Move menu: the moves that make sense for one
 * tracker, each with the whole list it leads to (sent as setTorrentOptions' trackers). Tiers are tried
 * in order, and the trackers of a tier in order (BEP 12). A tier a move leaves empty goes. Pure.
 */
export type TrackerMove = 'up' | 'down' | 'toTierAbove' | 'toTierBelow' | 'ownTier' | 'tierUp' | 'tierDown';

export const MOVE_LABELS: Readonly<Record<TrackerMove, string>> = {
  up: 'Move up in its tier',
  down: 'Move down in its tier',
  toTierAbove: 'Move to the tier above',
  toTierBelow: 'Move to the tier below',
  ownTier: 'Move to a new tier of its own',
  tierUp: 'Move its whole tier up',
  tierDown: 'Move its whole tier down',
};

type Tiers = readonly (readonly string[])[];

function locate(tiers: Tiers, url: string): { tier: number; at: number } | null {
  for (let tier = 0; tier < tiers.length; tier++) {
    const at = tiers[tier].indexOf(url);
    if (at >= 0) return { tier, at };
  }
  return null;
}

/** The list after `move`, or null when that move does not apply (first of its tier moving up, …). */
export function moveTracker(tiers: Tiers, url: string, move: TrackerMove): string[][] | null {
  const where = locate(tiers, url);
  if (!where) return null;
  const { tier, at } = where;
  const out = tiers.map((t) => [...t]);
  const own = out[tier];
  switch (move) {
    case 'up':
      return swapped(own, at, at - 1) ? out : null;
    case 'down':
      return swapped(own, at, at + 1) ? out : null;
    case 'tierUp':
      return swapped(out, tier, tier - 1) ? out : null;
    case 'tierDown':
      return swapped(out, tier, tier + 1) ? out : null;
    case 'toTierAbove':
      if (tier === 0) return null;
      own.splice(at, 1);
      out[tier - 1].push(url);
      return out.filter((t) => t.length > 0);
    case 'toTierBelow':
      if (tier === out.length - 1) return null;
      own.splice(at, 1);
      out[tier + 1].unshift(url);
      return out.filter((t) => t.length > 0);
    case 'ownTier':
      if (own.length === 1) return null;
      own.splice(at, 1);
      out.splice(tier + 1, 0, [url]);
      return out;
  }
}

/** Swaps items `i` and `j` of `list` in place; false (and nothing done) when `j` is outside it. */
function swapped<T>(list: T[], i: number, j: number): boolean {
  if (j < 0 || j >= list.length) return false;
  [list[i], list[j]] = [list[j], list[i]];
  return true;
}

/** The moves that apply to `url`, in menu order, each with the list it leads to. */
export function trackerMoves(tiers: Tiers, url: string): { move: TrackerMove; label: string; tiers: string[][] }[] {
  const moves: TrackerMove[] = ['up', 'down', 'toTierAbove', 'toTierBelow', 'ownTier', 'tierUp', 'tierDown'];
  return moves.flatMap((move) => {
    const next = moveTracker(tiers, url, move);
    return next ? [{ move, label: MOVE_LABELS[move], tiers: next }] : [];
  });
}
