import { Bitfield } from '../common/bitfield.js';
import type { Torrent } from '../torrent/torrent.js';
import type { Entry } from './entry.js';

/**
 * Which verified pieces of each running torrent have their bytes on disk for sure (fdatasync'd): the only ones a
 * resume record may claim, so a power cut (unlike kill -9, which loses no written byte) never leaves a record
 * trusting pieces that were still in the page cache. Syncs are batched: one per checkpoint for every piece verified
 * since the last, one fdatasync per file touched, so throughput does not suffer.
 */
export class SyncedPieces {
  private readonly synced = new WeakMap<Torrent, Bitfield>();
  private readonly syncing = new WeakSet<Torrent>();

  /** `enabled` false (SessionOptions.dataSync): nothing is synced and records claim all of `have`, as without syncPieces. */
  constructor(private readonly enabled = true) {}

  /**
   * What a record of `t` may claim now. Until a first sync, what the entry's record already claimed (the pieces
   * found on disk when the torrent started). A backend without syncPieces loses nothing on a power cut: all of `have`.
   */
  claimable(e: Entry, t: Torrent): Bitfield {
    if (!this.enabled || t.storage.syncPieces === undefined) return t.have;
    return this.synced.get(t) ?? (e.have && e.have.length === t.have.length ? e.have : new Bitfield(t.have.length));
  }

  /** How many verified pieces of `t` a record may not claim yet (verified since the last sync). No allocation. */
  unsyncedCount(e: Entry, t: Torrent): number {
    if (!this.enabled || t.storage.syncPieces === undefined) return 0;
    const synced = this.synced.get(t) ?? (e.have && e.have.length === t.have.length ? e.have : null);
    return t.have.count - (synced ? synced.count : 0);
  }

  /** Syncs the pieces verified since the last sync; true when more pieces became claimable. Rejects when a sync fails. */
  async sync(e: Entry, t: Torrent): Promise<boolean> {
    const syncPieces = t.storage.syncPieces;
    if (!this.enabled || syncPieces === undefined || this.syncing.has(t)) return false;
    const before = this.claimable(e, t);
    const now = t.have.copy();
    const fresh: number[] = [];
    for (let p = 0; p < now.length; p++) if (now.has(p) && !before.has(p)) fresh.push(p);
    if (fresh.length === 0) return false;
    this.syncing.add(t);
    try {
      await syncPieces.call(t.storage, fresh);
      this.synced.set(t, now);
      return true;
    } finally {
      this.syncing.delete(t);
    }
  }
}

/** Every piece in `have`, for a final sync. */
export function piecesIn(have: Bitfield): number[] {
  const out: number[] = [];
  for (let p = 0; p < have.length; p++) if (have.has(p)) out.push(p);
  return out;
}
