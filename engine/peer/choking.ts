import { runChoker, type ChokerPeer, type ChokerState } from '../choker/index.js';
import type { PeerConnection } from './connection.js';

const CHOKE_INTERVAL_MS = 10_000;

/** The choke rounds of one torrent: every CHOKE_INTERVAL_MS the choker picks whom to unchoke, and we tell them. */
export class ChokeRounds {
  private lastRoundAt = 0;
  private state: ChokerState = { optimisticId: null, lastOptimisticAt: 0 };

  /** Runs a round when one is due. `seeding`: rank peers by upload rate instead of download rate. */
  maybeRun(peers: ReadonlySet<PeerConnection>, slots: number, seeding: boolean, now: number): void {
    if (now - this.lastRoundAt < CHOKE_INTERVAL_MS) return;
    this.lastRoundAt = now;
    const list: ChokerPeer[] = [];
    const byId = new Map<number, PeerConnection>();
    for (const p of peers) {
      byId.set(p.id, p);
      list.push({
        id: p.id,
        interested: p.peerInterested,
        downloadRate: p.downloadMeter.rate(),
        uploadRate: p.uploadMeter.rate(),
        snubbed: p.snubbed,
        connectedAt: p.connectedAt,
        isSeed: p.isSeed,
        unchoked: !p.amChoking,
        optimistic: p.optimistic,
      });
    }
    const result = runChoker(list, { slots, seeding, now }, this.state);
    this.state = result.state;
    for (const [id, p] of byId) {
      p.optimistic = id === result.optimisticId;
      if (result.unchoke.has(id)) p.unchoke();
      else p.choke();
    }
  }
}

/** How many of `peers` we are not choking. */
export function countUnchoked(peers: Iterable<PeerConnection>): number {
  let n = 0;
  for (const p of peers) if (!p.amChoking) n++;
  return n;
}
