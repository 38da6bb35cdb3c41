/**
 * The IPC channels between preload and main besides the protocol's MessagePort, and the validators
 * main runs on every payload. Shared by main and the preload (the preload bundle inlines the names).
 */
import { LIMITS } from '../engine/api/validate.js';

export { CHANNELS } from './channels.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An absolute local path of bounded length without NUL (platform rules via `isAbsolute`). */
export function validateLocalPath(v: unknown, isAbsolute: (p: string) => boolean): Validation<string> {
  if (typeof v !== 'string') return { ok: false, reason: 'path must be a string' };
  if (v.length === 0 || v.length > LIMITS.maxPathLength) return { ok: false, reason: `path must have 1 to ${LIMITS.maxPathLength} characters` };
  if (v.includes('\0')) return { ok: false, reason: 'path must not contain NUL' };
  if (!isAbsolute(v)) return { ok: false, reason: 'path must be absolute' };
  return { ok: true, value: v };
}

/** 0..1, or null to clear. */
export function validateProgress(v: unknown): Validation<number | null> {
  if (v === null) return { ok: true, value: null };
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return { ok: false, reason: 'progress must be null or a number from 0 to 1' };
  return { ok: true, value: v };
}

/** The external players main may start, and only these: never a program the renderer names. */
export type ExternalPlayerName = 'vlc' | 'mpv';

/**
 * An "open in VLC/mpv" request: the player is one of the two, the URL an http URL on loopback (the
 * engine's stream server) without credentials or whitespace, so it cannot smuggle an option to the player.
 */
export function validatePlayerRequest(v: unknown): Validation<{ player: ExternalPlayerName; url: string }> {
  if (typeof v !== 'object' || v === null) return { ok: false, reason: 'payload must be { player, url }' };
  const { player, url } = v as { player?: unknown; url?: unknown };
  if (player !== 'vlc' && player !== 'mpv') return { ok: false, reason: 'player must be "vlc" or "mpv"' };
  if (typeof url !== 'string' || url.length === 0 || url.length > 4096 || /[\s\0]/.test(url)) return { ok: false, reason: 'url must be 1 to 4096 characters without whitespace' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'url is not a URL' };
  }
  if (parsed.protocol !== 'http:') return { ok: false, reason: 'url must be http' };
  if (parsed.username || parsed.password) return { ok: false, reason: 'url must not carry credentials' };
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return { ok: false, reason: 'url must be on loopback (the stream server)' };
  return { ok: true, value: { player, url } };
}

/** IPC with no payload must carry none. */
export function validateNoArgs(args: readonly unknown[]): Validation<null> {
  return args.length === 0 ? { ok: true, value: null } : { ok: false, reason: 'takes no arguments' };
}

/** Exactly one argument. */
export function single(args: readonly unknown[]): Validation<unknown> {
  return args.length === 1 ? { ok: true, value: args[0] } : { ok: false, reason: 'takes exactly one argument' };
}
