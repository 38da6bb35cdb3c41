import { decodeHandshake, HANDSHAKE_LENGTH, type Handshake } from '../wire/index.js';
import type { SocketTransport } from '../net/socket-transport.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Reads the handshake of an incoming connection to learn which torrent it is
 * for, then hands the stream (with any bytes that followed) to `route`.
 */
export function readIncomingHandshake(
  transport: SocketTransport,
  route: (handshake: Handshake, transport: SocketTransport) => void,
): void {
  const buf = Buffer.alloc(HANDSHAKE_LENGTH);
  let fill = 0;
  let done = false;
  const timer = setTimeout(() => finish(), HANDSHAKE_TIMEOUT_MS);
  timer.unref?.();
  function finish(handshake?: Handshake, rest?: Uint8Array): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (!handshake) {
      transport.destroy();
      return;
    }
    // Re-attaching replays nothing, so queue the bytes that came after the handshake.
    if (rest && rest.length) transport.requeue(rest);
    route(handshake, transport);
  }
  transport.attach({
    receive(chunk) {
      if (done) return;
      const take = Math.min(HANDSHAKE_LENGTH - fill, chunk.length);
      buf.set(chunk.subarray(0, take), fill);
      fill += take;
      if (fill < HANDSHAKE_LENGTH) return;
      let hs: Handshake;
      try {
        hs = decodeHandshake(buf);
      } catch {
        finish();
        return;
      }
      finish(hs, chunk.subarray(take));
    },
    transportClosed() {
      finish();
    },
    drained() {},
  });
}
