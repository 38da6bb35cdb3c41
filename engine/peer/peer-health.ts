import type { PiecePicker } from '../picker/index.js';
import type { PeerConnection } from './connection.js';

const IDLE_DROP_MS = 150_000;
const KEEPALIVE_MS = 90_000;
/** A peer that has not taken what we send for this long is choked (we stop reading blocks for it)... */
const SLOW_READER_CHOKE_MS = 20_000;
/** ...and for this long, dropped: its socket has stayed full for a minute. */
const SLOW_READER_DROP_MS = 60_000;
const KEEPALIVE = Buffer.from([0, 0, 0, 0]);

/**
 * A connected peer's once-a-second check: drops it when idle or when it has taken nothing we sent
 * for a minute, chokes a slow reader, keeps the connection alive, and gives back the requests of a
 * peer that snubs us or lets them time out. False when the peer was closed.
 */
export function checkPeerHealth(peer: PeerConnection, now: number, picker: PiecePicker, log: (line: string) => void): boolean {
  if (now - peer.lastReceiveAt > IDLE_DROP_MS) {
    peer.close('no data for 150 s');
    return false;
  }
  const stalledSince = peer.sendStalledSince;
  if (stalledSince !== null && now - stalledSince > SLOW_READER_CHOKE_MS) {
    if (now - stalledSince > SLOW_READER_DROP_MS) {
      peer.close(`peer took nothing we sent for ${Math.round((now - stalledSince) / 1000)} s`);
      return false;
    }
    peer.choke();
  }
  if (now - peer.lastSendAt > KEEPALIVE_MS) peer.send(KEEPALIVE);
  const requests = peer.requests;
  if (requests.markSnubbed(now)) log(`${peer.address} is snubbing us: re-requesting its blocks elsewhere`);
  if (requests.timedOut(now)) {
    requests.dropAll(picker, peer.id);
  }
  return true;
}
