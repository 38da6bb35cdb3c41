import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe characters-only token: what the daemon accepts and the renderer takes from `#token=`. */
export const TOKEN_RE = /^[A-Za-z0-9_-]{16,256}$/;

/** 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares in time independent of where they differ (both hashed first, so lengths leak nothing either). */
export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
