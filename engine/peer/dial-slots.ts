/** Most outgoing connections not yet usable at once (connects plus handshakes under way). */
export const MAX_HALF_OPEN = 16;

/**
 * Outgoing connections not yet usable: dials in flight, then connections whose BitTorrent handshake is under way.
 * Both count against MAX_HALF_OPEN and the peer limit, so the dialler may dial again the moment one settles without
 * overshooting the limit while handshakes are pending. (Dialling again only on the once-a-second tick took 4 s to
 * connect to 30 seeders, most of a 512 MiB download.)
 */
export class DialSlots {
  private dialing = 0;
  private readonly handshaking = new Set<object>();

  get count(): number {
    return this.dialing + this.handshaking.size;
  }

  /** How many more to dial now, when `peerRoom` more peers may be connected. */
  room(peerRoom: number): number {
    return Math.min(peerRoom - this.count, MAX_HALF_OPEN - this.count);
  }

  dialStarted(): void {
    this.dialing++;
  }

  /** A dial ended: `connection` is waiting for its handshake now, or null (it failed, or was not wanted). */
  dialEnded(connection: object | null): void {
    this.dialing--;
    if (connection !== null) this.handshaking.add(connection);
  }

  /** The handshake completed or the connection closed before it; false when `connection` was not waiting for one. */
  settled(connection: object): boolean {
    return this.handshaking.delete(connection);
  }
}
