import type { EncryptionPolicy } from '../api/types.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../wire/index.js';
import { negotiateOutgoing } from './mse-handshake.js';
import { connectTcp } from './tcp-transport.js';
import type { Connect, PeerStream } from './transport.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** The transport outgoing connections use: where another one (uTP) is chosen. */
const connectStream: Connect = connectTcp;

/**
 * Opens a connection to a peer for `infoHash` as the encryption policy says: plaintext ('disable'), an
 * encrypted handshake offering RC4 only ('require'), or one offering RC4 and plaintext with a second,
 * plaintext attempt when it fails ('prefer': the peer may not speak MSE at all).
 */
export async function dialPeer(host: string, port: number, infoHash: Uint8Array, policy: EncryptionPolicy, log?: (line: string) => void): Promise<PeerStream> {
  if (policy === 'disable') return connectStream(host, port, CONNECT_TIMEOUT_MS);
  const stream = await connectStream(host, port, CONNECT_TIMEOUT_MS);
  try {
    return (await negotiateOutgoing(stream, infoHash, policy === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT)).stream;
  } catch (err) {
    const reason = (err as Error).message;
    if (policy === 'require') throw new Error(`encrypted handshake failed (encryption is required): ${reason}`);
    log?.(`${host}:${port}: encrypted handshake failed (${reason}); trying plaintext`);
    return connectStream(host, port, CONNECT_TIMEOUT_MS);
  }
}
