import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Stream addresses carry a capability instead of the token, so a player can open them without a cookie: HMAC-SHA256
 * of the torrent and file under a secret of this data folder. It cannot be guessed, names one file only, and survives
 * restarts (saved bookmarks and open players keep working). The secret is not the token: a stream URL pasted into a
 * chat gives away one file, not the daemon.
 */
export class StreamCapabilities {
  constructor(private readonly secret: Uint8Array) {
    if (secret.length < 16) throw new RangeError('the stream secret must be at least 16 bytes');
  }

  /** Lower-case hex HMAC-SHA256(secret, "<infoHashHex>/<fileIndex>"). */
  of(infoHashHex: string, fileIndex: number): string {
    return createHmac('sha256', this.secret).update(`${infoHashHex.toLowerCase()}/${fileIndex}`, 'utf8').digest('hex');
  }

  /** Compares in constant time. */
  matches(given: string, infoHashHex: string, fileIndex: number): boolean {
    const expected = Buffer.from(this.of(infoHashHex, fileIndex), 'utf8');
    const actual = Buffer.from(given, 'utf8');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

/** A secret that lasts only as long as this process (the CLI's `stream`, tests). */
export function ephemeralCapabilities(): StreamCapabilities {
  return new StreamCapabilities(randomBytes(32));
}

const SECRET_RE = /^[0-9a-f]{64}$/;

/** The secret saved in `file` (owner-only), or a new one saved there; an unreadable or malformed one is replaced. */
export function loadOrCreateStreamCapabilities(file: string): StreamCapabilities {
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (SECRET_RE.test(saved)) return new StreamCapabilities(Buffer.from(saved, 'hex'));
  } catch {
    // first run, or unreadable: make a new one
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret.toString('hex') + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return new StreamCapabilities(secret);
}
