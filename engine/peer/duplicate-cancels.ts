import type { PiecePicker } from '../picker/index.js';
import { BlockMessageBatch } from './block-message-batch.js';
import type { PeerConnection } from './connection.js';
import type { BlockSource, WebSeeds } from './web-seeds.js';

/** What a cancel needs of a peer connection. */
export type CancelTarget = Pick<PeerConnection, 'id' | 'requests' | 'closed' | 'send'>;

/**
 * Cancels for duplicate requests (end game, deadline pieces): a block arrived from one source, so the other peers
 * asked for it are told to forget it. The cancels are gathered per peer and go out in one write per peer at `flush`
 * (after the read that brought the blocks): with 30 seeders one read brings several blocks, and a write per cancel
 * was most of the leecher's socket writes.
 */
export class DuplicateCancels {
  private readonly batches = new WeakMap<CancelTarget, BlockMessageBatch>();
  private readonly waiting = new Set<CancelTarget>();

  constructor(
    private readonly picker: Pick<PiecePicker, 'requestersOf' | 'requestCancelled'>,
    private readonly webSeeds: Pick<WebSeeds, 'cancelDuplicates'>,
  ) {}

  /** The block at (piece, begin) arrived from `from`: every other requester of it is to forget it. */
  arrived(from: BlockSource, peers: Iterable<CancelTarget>, piece: number, begin: number, length: number): void {
    const ids = this.picker.requestersOf(piece, begin);
    this.webSeeds.cancelDuplicates(from, piece, begin, ids);
    if (ids.length === 0) return;
    for (const other of peers) {
      if (other === from || !ids.includes(other.id)) continue;
      if (other.requests.forget(piece, begin)) {
        let batch = this.batches.get(other);
        if (batch === undefined) this.batches.set(other, (batch = BlockMessageBatch.cancels()));
        batch.add(piece, begin, length);
        this.waiting.add(other);
      }
      this.picker.requestCancelled(piece, begin, other.id);
    }
  }

  /** Sends the gathered cancels, one write per peer. */
  flush(): void {
    if (this.waiting.size === 0) return;
    for (const peer of this.waiting) {
      const batch = this.batches.get(peer)!;
      if (batch.pending) {
        const cancels = batch.take();
        if (!peer.closed) peer.send(cancels);
      }
    }
    this.waiting.clear();
  }
}
