/**
 * When a downloading torrent should ask its trackers for peers before their interval is up. Pure: the
 * torrent calls it each tick with what it sees; the announcer spaces the early announces out.
 */

/** How long connected peers may choke us (or be of no use) before more peers are what helps. */
export const STARVED_AFTER_MS = 30_000;

export interface SwarmSight {
  downloading: boolean;
  /** Connections being dialled. */
  dialing: number;
  peers: Iterable<{ readonly peerChoking: boolean; readonly amInterested: boolean }>;
  /** When payload last arrived, and when the torrent started downloading (clock ms). */
  lastReceivedAt: number;
  downloadingSince: number;
  now: number;
}

/**
 * Starved: no dial in flight, and either no peer at all or, for STARVED_AFTER_MS, no payload and no peer
 * that lets us download what we want (all choke us or have nothing for us).
 */
export function isStarved(s: SwarmSight): boolean {
  if (!s.downloading || s.dialing > 0) return false;
  let connected = false;
  for (const p of s.peers) {
    connected = true;
    if (!p.peerChoking && p.amInterested) return false;
  }
  if (!connected) return true;
  return s.now - Math.max(s.lastReceivedAt, s.downloadingSince) >= STARVED_AFTER_MS;
}
