import type { EncryptionPolicy } from '../api/types.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, decodeHandshake, HANDSHAKE_LENGTH, HANDSHAKE_PREFIX, type Handshake } from '../wire/index.js';
import { negotiateIncoming } from './mse-handshake.js';
import type { IncomingStream } from './transport.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface IncomingOptions {
  readonly encryption: () => EncryptionPolicy;
  /** The info hash of a torrent we serve whose HASH('req2' | info hash) is `req2` (MSE), or null. */
  readonly findInfoHash: (req2: Uint8Array) => Uint8Array | null;
  readonly route: (handshake: Handshake, stream: IncomingStream) => void;
  readonly log: (line: string) => void;
  /** A connection the encryption policy refused: 'plaintext' under 'require', 'encrypted' under 'disable' (counted for the doctor). */
  readonly refused?: (kind: 'plaintext' | 'encrypted') => void;
}

/**
 * Takes an incoming connection: tells a plaintext handshake from an encrypted one by its first bytes,
 * refuses what the encryption policy does not allow (saying why), runs the MSE handshake when there is
 * one, then reads the BitTorrent handshake and routes the stream by its info hash.
 */
export function acceptIncoming(transport: IncomingStream, opts: IncomingOptions): void {
  const peer = `${transport.remoteAddress}:${transport.remotePort}`;
  sniff(transport, (plaintext) => {
    const policy = opts.encryption();
    if (plaintext) {
      if (policy === 'require') {
        opts.refused?.('plaintext');
        return refuse(transport, opts, `refused a plaintext connection from ${peer}: encryption is required`);
      }
      return readIncomingHandshake(transport, opts.route);
    }
    if (policy === 'disable') {
      opts.refused?.('encrypted');
      return refuse(transport, opts, `refused an encrypted (MSE) connection from ${peer}: encryption is disabled`);
    }
    negotiateIncoming(transport, policy === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT, opts.findInfoHash).then(
      ({ stream, result }) =>
        readIncomingHandshake(stream, (hs, s) => {
          if (Buffer.compare(hs.infoHash, result.infoHash) === 0) opts.route(hs, s);
          else refuse(s, opts, `dropped ${peer}: its handshake names another torrent than its encrypted handshake did`);
        }),
      (err: Error) => opts.log(`dropped an encrypted connection from ${peer}: ${err.message}`),
    );
  });
}

function refuse(stream: IncomingStream, opts: IncomingOptions, line: string): void {
  opts.log(line);
  stream.destroy();
}

/** Reads until the first bytes show plaintext or not, puts them back, then calls `decided`. */
function sniff(transport: IncomingStream, decided: (plaintext: boolean) => void): void {
  const head = Buffer.alloc(HANDSHAKE_PREFIX.length);
  let fill = 0;
  let done = false;
  const timer = setTimeout(() => finish(null), HANDSHAKE_TIMEOUT_MS);
  timer.unref?.();
  function finish(plaintext: boolean | null, rest?: Uint8Array): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (plaintext === null) return transport.destroy();
    transport.requeue(head.subarray(0, fill));
    if (rest && rest.length) transport.requeue(rest);
    decided(plaintext);
  }
  transport.attach({
    receive(chunk) {
      if (done) return;
      let i = 0;
      while (i < chunk.length && fill < head.length) {
        head[fill] = chunk[i++];
        if (head[fill] !== HANDSHAKE_PREFIX[fill++]) return finish(false, chunk.subarray(i));
      }
      if (fill === head.length) finish(true, chunk.subarray(i));
    },
    transportClosed() {
      finish(null);
    },
    drained() {},
  });
}

/**
 * Reads the handshake of an incoming connection to learn which torrent it is
 * for, then hands the stream (with any bytes that followed) to `route`.
 */
export function readIncomingHandshake(transport: IncomingStream, route: (handshake: Handshake, transport: IncomingStream) => void): void {
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
