/** Most outgoing connections not yet usable at once (connects plus handshakes under way). */
export const MAX_HALF_OPEN = 16;
/** An outgoing connection with no BitTorrent handshake this long after its dial ended is closed (as libtorrent's handshake_timeout). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Outgoing connections not yet usable: dials in flight, then connections whose BitTorrent handshake is under way.
 * Both count against MAX_HALF_OPEN and the peer limit, so the dialler may dial again the moment one settles without
 * overshooting the limit while handshakes are pending. (Dialling again only on the once-a-second tick took 4 s to
 * connect to 30 seeders, most of a 512 MiB download.) A peer that takes the connection and never answers would
 * hold its slot for good: closeStale ends it.
 */
export class DialSlots<C extends { close(reason: string): void }> {
  private dialing = 0;
  /** Connections waiting for the peer's handshake, with the clock time each dial ended. */
  private readonly handshaking = new Map<C, number>();

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
  dialEnded(connection: C | null, now: number): void {
    this.dialing--;
    if (connection !== null) this.handshaking.set(connection, now);
  }

  /** The handshake completed or the connection closed before it; false when `connection` was not waiting for one. */
  settled(connection: C): boolean {
    return this.handshaking.delete(connection);
  }

  /** Closes the connections still without a handshake HANDSHAKE_TIMEOUT_MS after their dial (closing settles them). */
  closeStale(now: number): void {
    for (const [connection, since] of this.handshaking) {
      if (now - since > HANDSHAKE_TIMEOUT_MS) connection.close(`no handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`);
    }
  }
}
