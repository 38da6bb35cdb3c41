/**
 * Blame for pieces that fail their hash check: which peers sent blocks of each piece in progress, and how many bad
 * pieces each peer had a hand in. A peer that alone sent a bad piece, or helped with two, is to be banned.
 */
export class PieceBlame<Peer extends object> {
  private readonly contributors = new Map<number, Set<Peer>>();
  /** Bad pieces each peer contributed to (weak: a closed connection may still be blamed, then forgotten). */
  private readonly strikes = new WeakMap<Peer, number>();

  /** `peer` sent a block of `piece`. */
  contributed(piece: number, peer: Peer): void {
    let set = this.contributors.get(piece);
    if (!set) this.contributors.set(piece, (set = new Set()));
    set.add(peer);
  }

  /** The piece verified or was given up: nobody is to blame. */
  forget(piece: number): void {
    this.contributors.delete(piece);
  }

  /** The piece failed its hash check: who sent it, and which of them to ban. */
  failed(piece: number): { readonly sources: readonly Peer[]; readonly banned: readonly Peer[] } {
    const sources = [...(this.contributors.get(piece) ?? [])];
    this.contributors.delete(piece);
    const banned: Peer[] = [];
    for (const peer of sources) {
      const strikes = (this.strikes.get(peer) ?? 0) + 1;
      this.strikes.set(peer, strikes);
      // Sole source of a bad piece, or repeatedly involved.
      if (sources.length === 1 || strikes >= 2) banned.push(peer);
    }
    return { sources, banned };
  }

  /** Pieces with blocks received from someone and not yet verified or failed. */
  pieces(): IterableIterator<number> {
    return this.contributors.keys();
  }
}
