import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A URL-safe characters-only token: what the daemon accepts and the renderer takes from `#token=`. */
export const TOKEN_RE = /^[A-Za-z0-9_-]{16,256}$/;

/**
 * 32 random bytes, base64url (43 characters), never starting with '-': a user who copies it into
 * `--token <t>` would otherwise have it read as an option.
 */
export function generateToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

/** Compares in time independent of where they differ (both hashed first, so lengths leak nothing either). */
export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The token a daemon without --token uses: the one saved in `file` by an earlier run, or a new one saved
 * there (owner-only, 0600), so a restart keeps open browser tabs and bookmarks working. A saved token
 * that is unreadable or malformed is replaced.
 */
export function loadOrCreateToken(file: string): string {
  try {
    const saved = readFileSync(file, 'utf8').trim();
    if (TOKEN_RE.test(saved)) return saved;
  } catch {
    // first run, or unreadable: make a new one
  }
  const token = generateToken();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return token;
}
