import { formatEndpoint } from '../api/endpoint.js';
import type { EncryptionPolicy } from '../api/types.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../wire/index.js';
import { negotiateOutgoing } from './mse-handshake.js';
import { connectTcp } from './tcp-transport.js';
import type { IncomingStream, PeerStream, TransportKind } from './transport.js';
import type { UtpSocket } from './utp/socket.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** When the other transport is still to try, give up on this one sooner (libtorrent's uTP SYN timeout is similar). */
const FALLBACK_TIMEOUT_MS = 4_000;
/** Addresses remembered as reachable over uTP (PEX flag, or a uTP connection that worked); the oldest go first. */
const MAX_UTP_HINTS = 4096;

/** Which transports outgoing connections may use, and which one goes first. */
export interface DialPreferences {
  readonly tcp: boolean;
  readonly utp: boolean;
  /**
   * True: uTP first to peers known to take it (PEX flag 0x04, an earlier uTP connection), TCP first to the rest,
   * as libtorrent does. False: TCP first to every peer. Either way the other transport is tried when one is
   * refused or times out.
   */
  readonly preferUtp: boolean;
}

export interface DialerOptions {
  /** The session's uTP socket that reaches `host` (IPv4's or IPv6's UDP port); null: none, uTP cannot be dialled. */
  readonly utp: (host: string) => UtpSocket | null;
  readonly preferences: () => DialPreferences;
}

/**
 * Encryption is required and the peer answered, but not with an encrypted handshake (a plaintext-only peer):
 * the doctor counts these as peers the policy refused.
 */
export class EncryptionRequiredError extends Error {
  override readonly name = 'EncryptionRequiredError';
}

/** Opens outgoing peer connections over TCP or uTP, falling back from one to the other, with MSE as the policy says. */
export class PeerDialer {
  private readonly utpHints = new Set<string>();

  constructor(private readonly opts: DialerOptions) {}

  /** The peer at host:port accepts uTP (PEX said so, or it reached us over uTP): dial it over uTP first. */
  hintUtp(host: string, port: number): void {
    const key = `${host}:${port}`;
    if (this.utpHints.has(key)) return;
    if (this.utpHints.size >= MAX_UTP_HINTS) this.utpHints.delete(this.utpHints.values().next().value!);
    this.utpHints.add(key);
  }

  /** The transports to try for this peer, first choice first. */
  order(host: string, port: number): TransportKind[] {
    const p = this.opts.preferences();
    const utp = p.utp && this.opts.utp(host) !== null;
    if (!p.tcp) return utp ? ['utp'] : [];
    if (!utp) return ['tcp'];
    return p.preferUtp && this.utpHints.has(`${host}:${port}`) ? ['utp', 'tcp'] : ['tcp', 'utp'];
  }

  /**
   * Opens a connection to a peer for `infoHash` as the encryption policy says: plaintext ('disable'), an
   * encrypted handshake offering RC4 only ('require'), or one offering RC4 and plaintext with a plaintext
   * attempt on the same transport when it fails ('prefer': the peer may not speak MSE at all). Transports are
   * tried in order(), so a peer that refuses TCP (a uTP-only libtorrent accepts TCP and closes at once) is
   * reached over uTP, and one without uTP over TCP.
   */
  async dial(host: string, port: number, infoHash: Uint8Array, policy: EncryptionPolicy, log?: (line: string) => void): Promise<PeerStream> {
    const order = this.order(host, port);
    if (order.length === 0) throw new Error('no transport is on to dial peers (tcp and utp are both off)');
    const failures: string[] = [];
    let answeredWithoutMse = false;
    const offer = policy === 'require' ? CRYPTO_RC4 : CRYPTO_RC4 | CRYPTO_PLAINTEXT;
    for (let i = 0; i < order.length; i++) {
      const kind = order[i];
      const fallbackLeft = i < order.length - 1;
      if (policy !== 'disable') {
        let stream: IncomingStream;
        try {
          stream = await this.connect(kind, host, port, fallbackLeft);
        } catch (err) {
          failures.push(`${kind}: ${(err as Error).message}`); // refused or timed out: the other transport
          continue;
        }
        try {
          const { stream: encrypted } = await negotiateOutgoing(stream, infoHash, offer);
          this.worked(kind, host, port, failures, log);
          return encrypted;
        } catch (err) {
          const reason = (err as Error).message;
          failures.push(`${kind}: ${reason}`);
          answeredWithoutMse = true;
          if (policy === 'require') continue;
          log?.(`${formatEndpoint(host, port)}: encrypted handshake failed (${reason}); trying plaintext`);
        }
      }
      // Plaintext: the policy says so, or the peer may not speak MSE (or this transport is refused: then the close
      // comes at once, stillOpen sees it, and the other transport is next).
      try {
        const stream = await this.connect(kind, host, port, fallbackLeft);
        if (fallbackLeft && kind === 'tcp') await stillOpen(stream);
        this.worked(kind, host, port, failures, log);
        return stream;
      } catch (err) {
        failures.push(`${kind}: ${(err as Error).message}`);
      }
    }
    if (policy === 'require') {
      const message = `encrypted handshake failed (encryption is required): ${failures.join('; ')}`;
      throw answeredWithoutMse ? new EncryptionRequiredError(message) : new Error(message);
    }
    throw new Error(failures.join('; '));
  }

  private worked(kind: TransportKind, host: string, port: number, failures: readonly string[], log?: (line: string) => void): void {
    if (kind === 'utp') this.hintUtp(host, port);
    if (failures.length > 0) log?.(`${formatEndpoint(host, port)}: reached over ${kind === 'utp' ? 'uTP' : 'TCP'} after ${failures.join('; ')}`);
  }

  private connect(kind: TransportKind, host: string, port: number, fallbackLeft: boolean): Promise<IncomingStream> {
    const timeout = fallbackLeft ? FALLBACK_TIMEOUT_MS : CONNECT_TIMEOUT_MS;
    if (kind === 'tcp') return connectTcp(host, port, timeout);
    const utp = this.opts.utp(host);
    if (!utp) return Promise.reject(new Error('uTP is not listening'));
    return utp.connect(host, port, timeout);
  }
}

/**
 * A plaintext TCP connection is only known to work once the peer answers, and it speaks only after our
 * handshake; but a peer with TCP switched off (libtorrent's enable_incoming_tcp) accepts and closes at once.
 * Waiting a moment for that close lets the dialler fall back to uTP instead of handing over a dead stream.
 * Bytes that arrive meanwhile are put back for the peer connection.
 */
function stillOpen(stream: IncomingStream, waitMs = 150): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(), waitMs);
    stream.attach({
      receive(chunk) {
        clearTimeout(timer);
        stream.requeue(chunk);
        resolve();
      },
      transportClosed(reason) {
        clearTimeout(timer);
        reject(new Error(`closed before the handshake (${reason})`));
      },
      drained() {},
    });
  });
}

/** A dialler for code without a session (tests, tools): TCP only, as before uTP. */
const TCP_ONLY = new PeerDialer({ utp: () => null, preferences: () => ({ tcp: true, utp: false, preferUtp: false }) });

/** Opens a TCP connection to a peer as the encryption policy says (see PeerDialer.dial). */
export function dialPeer(host: string, port: number, infoHash: Uint8Array, policy: EncryptionPolicy, log?: (line: string) => void): Promise<PeerStream> {
  return TCP_ONLY.dial(host, port, infoHash, policy, log);
}
