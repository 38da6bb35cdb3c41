import type { PeerAddress } from './address-book.js';
import type { PeerConnection } from './connection.js';
import { peerPriority } from './peer-priority.js';

/**
 * Which peers a full torrent keeps and dials first: BEP 40 canonical priority between our own address
 * and theirs. Our address is what peers tell us we are (`yourip` in their extended handshakes, BEP 10);
 * until one has, there is no order and nobody is replaced (first come, first kept, as before).
 */
export class CanonicalSlots {
  private own: PeerAddress | null = null;

  /** A peer told us the address it sees us at; `port` is the one we listen on. */
  setOwnAddress(host: string, port: number): void {
    if (this.own?.host !== host || this.own.port !== port) this.own = { host, port };
  }

  get ownAddress(): PeerAddress | null {
    return this.own;
  }

  /** Dial order for the address book: higher first; undefined while our address is unknown. */
  get rank(): ((address: PeerAddress) => number) | undefined {
    const own = this.own;
    return own ? (address) => peerPriority(own, address) : undefined;
  }

  /**
   * The slots are full and `incoming` knocks: closes the connected peer of lowest priority when the
   * newcomer's is higher, and says whether room was made.
   */
  makeRoom(incoming: PeerAddress, peers: Iterable<PeerConnection>): boolean {
    const own = this.own;
    if (!own) return false;
    let lowest: PeerConnection | null = null;
    let lowestPriority = Infinity;
    for (const p of peers) {
      const priority = peerPriority(own, { host: p.transport.remoteAddress, port: p.transport.remotePort });
      if (priority < lowestPriority) [lowest, lowestPriority] = [p, priority];
    }
    if (!lowest || peerPriority(own, incoming) <= lowestPriority) return false;
    lowest.close(`replaced by ${incoming.host}:${incoming.port}, of higher canonical priority (BEP 40), the connection limit being reached`);
    return true;
  }
}
