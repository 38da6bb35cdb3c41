/**
 * The classic choke algorithm (BEP 3 "choking and optimistic unchoking"), as one pure
 * function the torrent calls every 10 seconds.
 *
 * Rules, as implemented:
 * - Regular slots: `slots - 1` of them go to the best-ranked *interested* peers.
 *   - Leeching: ranked by `downloadRate` (what they give us). Snubbed peers get no regular
 *     slot (anti-snubbing); they can still be the optimistic unchoke.
 *   - Seeding: ranked by `uploadRate` (what we send them; peers that take data fastest
 *     spread it fastest). Peers that are seeds themselves are never unchoked.
 *   - Ties: a peer that is currently unchoked wins (fewer choke/unchoke flips), then a
 *     random order (from `random`).
 * - Uninterested peers are never unchoked (neither regular nor optimistic). When one
 *   becomes interested, it is considered at the next run; the torrent may run the choker
 *   early on an interest change.
 * - Optimistic unchoke: one more peer, chosen at random among interested peers that did
 *   not get a regular slot, weighted 3:1 for peers connected less than a minute ago (they
 *   have nothing to trade yet). It is kept for `optimisticIntervalMs` (30 s), unless it
 *   leaves, loses interest, becomes ineligible, or earns a regular slot by its rate; then a
 *   new one is chosen at once and the 30 s start again. On rotation the previous
 *   optimistic peer is not re-chosen while anyone else is eligible.
 * - `ChokerPeer.optimistic` is informational; the state's `optimisticId` is authoritative.
 * - With `slots` = 1 the only slot is the optimistic one; with 0 nobody is unchoked.
 */

export interface ChokerPeer {
  id: number;
  /** They are interested in us. */
  interested: boolean;
  /** Bytes/s they give us. */
  downloadRate: number;
  /** Bytes/s we send them. */
  uploadRate: number;
  /** No block from them for 60 s while we had requests outstanding. */
  snubbed: boolean;
  /** When the connection was established, ms on the same clock as `now`. */
  connectedAt: number;
  /** They have everything. */
  isSeed: boolean;
  optimistic?: boolean;
  /** Currently unchoked by us. */
  unchoked: boolean;
}

export interface ChokerState {
  optimisticId: number | null;
  lastOptimisticAt: number;
}

export interface ChokerOptions {
  /** Upload slots including the optimistic one. Default 4. */
  slots?: number;
  seeding: boolean;
  /** ms */
  now: number;
  /** Default 30000. */
  optimisticIntervalMs?: number;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface ChokerResult {
  /** Ids to unchoke; every other peer is choked. */
  unchoke: Set<number>;
  optimisticId: number | null;
  /** The state for the next run. */
  state: ChokerState;
}

export const DEFAULT_SLOTS = 4;
export const OPTIMISTIC_INTERVAL_MS = 30_000;
/** Peers connected for less than this are three times as likely to be the optimistic unchoke. */
export const NEW_PEER_MS = 60_000;
export const NEW_PEER_WEIGHT = 3;

export function initialChokerState(): ChokerState {
  return { optimisticId: null, lastOptimisticAt: Number.NEGATIVE_INFINITY };
}

export function runChoker(peers: readonly ChokerPeer[], opts: ChokerOptions, state: ChokerState): ChokerResult {
  const slots = Math.max(0, Math.floor(opts.slots ?? DEFAULT_SLOTS));
  const interval = opts.optimisticIntervalMs ?? OPTIMISTIC_INTERVAL_MS;
  const random = opts.random ?? Math.random;
  const { seeding, now } = opts;

  const eligible = (p: ChokerPeer): boolean => p.interested && !(seeding && p.isSeed);
  const rate = (p: ChokerPeer): number => (seeding ? p.uploadRate : p.downloadRate);

  // Regular slots.
  const ranked: { peer: ChokerPeer; key: number }[] = [];
  for (const p of peers) {
    if (!eligible(p) || (!seeding && p.snubbed)) continue;
    ranked.push({ peer: p, key: random() });
  }
  ranked.sort(
    (a, b) =>
      rate(b.peer) - rate(a.peer) || Number(b.peer.unchoked) - Number(a.peer.unchoked) || a.key - b.key,
  );
  const unchoke = new Set<number>();
  const regular = Math.max(0, slots - 1);
  for (let i = 0; i < ranked.length && unchoke.size < regular; i++) unchoke.add(ranked[i].peer.id);

  if (slots === 0) {
    return { unchoke, optimisticId: null, state: { optimisticId: null, lastOptimisticAt: state.lastOptimisticAt } };
  }

  // Optimistic slot.
  const candidates = peers.filter((p) => eligible(p) && !unchoke.has(p.id));
  const current = state.optimisticId === null ? undefined : candidates.find((p) => p.id === state.optimisticId);
  let optimistic: ChokerPeer | undefined;
  let lastOptimisticAt = state.lastOptimisticAt;
  if (current && now - state.lastOptimisticAt < interval) {
    optimistic = current;
  } else {
    const pool = candidates.length > 1 && current ? candidates.filter((p) => p !== current) : candidates;
    optimistic = weightedPick(pool, now, random);
    if (optimistic) lastOptimisticAt = now;
  }
  const optimisticId = optimistic ? optimistic.id : null;
  if (optimistic) unchoke.add(optimistic.id);
  return { unchoke, optimisticId, state: { optimisticId, lastOptimisticAt } };
}

function weightedPick(pool: readonly ChokerPeer[], now: number, random: () => number): ChokerPeer | undefined {
  if (pool.length === 0) return undefined;
  const weight = (p: ChokerPeer): number => (now - p.connectedAt < NEW_PEER_MS ? NEW_PEER_WEIGHT : 1);
  let total = 0;
  for (const p of pool) total += weight(p);
  let r = random() * total;
  for (const p of pool) {
    r -= weight(p);
    if (r < 0) return p;
  }
  return pool[pool.length - 1];
}
