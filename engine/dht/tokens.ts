/**
 * get_peers tokens (BEP 5): an opaque value handed out with get_peers responses and required back
 * in announce_peer. It is a hash of a secret and the requester's IP (and its port too when the IP
 * is loopback, so many local nodes do not share tokens). The secret rotates every 5 minutes and
 * tokens made with the current or the previous secret are accepted, so a token lives 5 to 10
 * minutes. Time comes from the injected Clock; rotation happens lazily on use.
 */
import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { parseIp } from '../wire/compact.js';

export const TOKEN_ROTATE_MS = 5 * 60_000;
export const TOKEN_BYTES = 8;
const SECRET_BYTES = 16;

export interface TokenManagerOptions {
  rotateMs?: number;
  /** n random bytes (default node:crypto). */
  random?: (n: number) => Uint8Array;
  /** Bind tokens to the port as well: 'loopback' (default) only for 127/8 and ::1, or always / never. */
  bindPort?: 'loopback' | 'always' | 'never';
}

function isLoopback(ip: Uint8Array | undefined): boolean {
  if (!ip) return false;
  if (ip.length === 4) return ip[0] === 127;
  const zeros = (n: number): boolean => ip.subarray(0, n).every((b) => b === 0);
  if (zeros(15) && ip[15] === 1) return true; // ::1
  return zeros(10) && ip[10] === 0xff && ip[11] === 0xff && ip[12] === 127; // ::ffff:127.x.y.z
}

export class TokenManager {
  private current: Uint8Array;
  private previous: Uint8Array;
  private rotatedAt: number;
  private readonly rotateMs: number;
  private readonly random: (n: number) => Uint8Array;
  private readonly bindPort: 'loopback' | 'always' | 'never';

  constructor(
    private readonly clock: Clock,
    opts: TokenManagerOptions = {},
  ) {
    this.rotateMs = opts.rotateMs ?? TOKEN_ROTATE_MS;
    if (!(this.rotateMs > 0)) throw new RangeError('rotateMs must be positive');
    this.random = opts.random ?? ((n) => new Uint8Array(cryptoRandomBytes(n)));
    this.bindPort = opts.bindPort ?? 'loopback';
    this.current = this.random(SECRET_BYTES);
    this.previous = this.random(SECRET_BYTES);
    this.rotatedAt = clock.now();
  }

  /** A token for a requester at `ip` (`port` matters only for loopback unless bindPort says otherwise). */
  issue(ip: string, port = 0): Uint8Array {
    this.rotate();
    return this.make(this.current, ip, port);
  }

  /** Whether `token` was issued to `ip` (and `port`, see above) within the last one or two periods. */
  check(token: Uint8Array, ip: string, port = 0): boolean {
    if (token.length !== TOKEN_BYTES) return false;
    this.rotate();
    return same(token, this.make(this.current, ip, port)) || same(token, this.make(this.previous, ip, port));
  }

  private rotate(): void {
    const now = this.clock.now();
    const periods = Math.floor((now - this.rotatedAt) / this.rotateMs);
    if (periods <= 0) return;
    if (periods === 1) {
      this.previous = this.current;
    } else {
      // Both secrets are stale: every outstanding token expires.
      this.previous = this.random(SECRET_BYTES);
    }
    this.current = this.random(SECRET_BYTES);
    this.rotatedAt += periods * this.rotateMs;
  }

  private make(secret: Uint8Array, ip: string, port: number): Uint8Array {
    const h = createHash('sha1');
    h.update(secret);
    const bytes = parseIp(ip);
    h.update(bytes ?? new TextEncoder().encode(ip));
    if (this.bindPort === 'always' || (this.bindPort === 'loopback' && isLoopback(bytes))) {
      h.update(new Uint8Array([(port >>> 8) & 0xff, port & 0xff]));
    }
    return new Uint8Array(h.digest().subarray(0, TOKEN_BYTES));
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
