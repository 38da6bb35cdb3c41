import type { PeerStream } from './transport.js';
import { MseError, MseInitiator, MseResponder, type MseResult } from '../wire/index.js';
import { EncryptedStream } from './encrypted-stream.js';

/** Both MSE handshakes take two round trips at most; a peer that needs longer is gone or stalling. */
const MSE_TIMEOUT_MS = 10_000;

export interface Negotiated {
  readonly stream: EncryptedStream;
  readonly result: MseResult;
}

/** Runs an MSE handshake over `stream`: on success the stream comes back with the negotiated ciphers. */
function negotiate(stream: PeerStream, machine: MseInitiator | MseResponder, first: Uint8Array | null, timeoutMs: number): Promise<Negotiated> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.destroy();
      reject(new MseError(reason));
    };
    const timer = setTimeout(() => fail(`no encrypted handshake within ${timeoutMs / 1000} s`), timeoutMs);
    timer.unref?.();
    stream.attach({
      receive(chunk) {
        if (settled) return;
        let step;
        try {
          step = machine.receive(chunk);
        } catch (err) {
          fail(err instanceof MseError ? err.message : `mse: ${(err as Error).message}`);
          return;
        }
        if (step.send) stream.write(step.send);
        if (!step.done) return;
        settled = true;
        clearTimeout(timer);
        // Attaches at once, before any later chunk: they all go through the ciphers.
        resolve({ stream: new EncryptedStream(stream, step.done), result: step.done });
      },
      transportClosed(reason) {
        fail(`closed during the encrypted handshake: ${reason}`);
      },
      drained() {},
    });
    if (first) stream.write(first);
  });
}

/** We dialled: offer `provide` (CRYPTO_RC4 and/or CRYPTO_PLAINTEXT) for `infoHash`. */
export function negotiateOutgoing(stream: PeerStream, infoHash: Uint8Array, provide: number, timeoutMs = MSE_TIMEOUT_MS): Promise<Negotiated> {
  const machine = new MseInitiator({ infoHash, provide });
  return negotiate(stream, machine, machine.start(), timeoutMs);
}

/** They dialled and did not start in plaintext: answer as responder, accepting `allow`. */
export function negotiateIncoming(
  stream: PeerStream,
  allow: number,
  findInfoHash: (req2: Uint8Array) => Uint8Array | null,
  timeoutMs = MSE_TIMEOUT_MS,
): Promise<Negotiated> {
  return negotiate(stream, new MseResponder({ allow, findInfoHash }), null, timeoutMs);
}
