/**
 * The building blocks of the api validators: typed checks of one value that name the field in
 * their error (`fail(path, reason)`), and the wrappers that turn a failed check into an
 * ApiErrorShape. Pure, no Node APIs (the renderer imports engine/api).
 *
 * Checks throw `Invalid` internally; only `attempt` and `toApiError` are meant to catch it, so
 * nothing thrown here crosses the api boundary.
 */
import { LIMITS } from './limits.js';
import type { ApiErrorShape, TorrentId } from './types.js';
import { isAbsoluteSavePath } from './save-path.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

/** A check of one value at `path`: returns the validated value or `fail`s. */
export type Check<T> = (v: unknown, path: string) => T;

type Obj = Record<string, unknown>;

const INFO_HASH = /^[0-9a-f]{40}$/;

export function isTorrentId(v: unknown): v is TorrentId {
  return typeof v === 'string' && INFO_HASH.test(v);
}

class Invalid {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {}
}

export function fail(path: string, reason: string): never {
  throw new Invalid(path, reason);
}

export function toApiError(e: unknown, name: string): ApiErrorShape {
  if (e instanceof Invalid) return { name, message: e.path === '' ? e.reason : `${e.path} ${e.reason}` };
  // A Proxy trap or getter that throws, or a stack overflow: report without echoing the input.
  return { name, message: 'the value could not be read' };
}

export function attempt<T>(name: string, f: () => T): Validated<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: toApiError(e, name) };
  }
}

export function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  // Object.prototype of this or another realm (structured clone from a worker), or a null prototype.
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

export function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function keyPath(base: string, key: string): string {
  const shown = /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 64 ? key.slice(0, 64) + '…' : key)}]`;
  if (base === '') return shown.startsWith('.') ? shown.slice(1) : shown;
  return base + shown;
}

export function knownKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(keyPath(path, k), 'is not a known field');
}

export function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  knownKeys(v, path, allowed);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v;
}

export function optBool(v: unknown, path: string): boolean | undefined {
  return v === undefined ? undefined : bool(v, path);
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}`);
  return v;
}

export function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(path, `must be a number from ${min} to ${max}`);
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, set: readonly T[]): T {
  if (typeof v !== 'string' || !(set as readonly string[]).includes(v)) fail(path, `must be one of ${set.map((s) => `'${s}'`).join(', ')}`);
  return v as T;
}

export function array(v: unknown, path: string, maxLength: number, minLength = 0): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if (v.length < minLength || v.length > maxLength) {
    fail(path, minLength > 0 ? `must have ${minLength} to ${maxLength} entries` : `must have at most ${maxLength} entries`);
  }
  return v;
}

export function torrentId(v: unknown, path: string): TorrentId {
  if (!isTorrentId(v)) fail(path, 'must be a 40-character lowercase hex info hash');
  return v;
}

export function torrentIds(v: unknown, path: string): TorrentId[] {
  const a = array(v, path, LIMITS.maxIds, 1);
  const out: TorrentId[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < a.length; i++) {
    const id = torrentId(a[i], `${path}[${i}]`);
    if (seen.has(id)) fail(`${path}[${i}]`, 'repeats an earlier id');
    seen.add(id);
    out.push(id);
  }
  return out;
}

export function idsOrAll(v: unknown, path: string): TorrentId[] | 'all' {
  if (v === 'all') return 'all';
  if (!Array.isArray(v)) fail(path, "must be 'all' or an array of info hashes");
  return torrentIds(v, path);
}

/** A filesystem path: a string of at most 4096 code units without NUL; `allowEmpty` for downloadDir. */
export function fsPath(v: unknown, path: string, allowEmpty: boolean): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (!allowEmpty && v.length === 0) fail(path, 'must not be empty');
  if (v.length > LIMITS.maxPathLength) fail(path, `must be at most ${LIMITS.maxPathLength} characters`);
  if (v.includes('\0')) fail(path, 'must not contain NUL');
  return v;
}

/**
 * A folder on the engine's machine: absolute (POSIX `/…`, Windows `C:\…` or `\\server\share\…`), returned
 * normalised (no `.`, `..`, repeated or trailing separators). A relative path would resolve against whatever folder
 * the daemon happened to start in, and be saved that way: refused. `allowEmpty` for downloadDir (the OS default).
 */
export function absolutePath(v: unknown, path: string, allowEmpty: boolean): string {
  const s = fsPath(v, path, allowEmpty);
  if (s === '') return s;
  const drive = /^[A-Za-z]:[\\/]/.exec(s);
  const unc = /^\\\\[^\\/]+[\\/][^\\/]+/.exec(s);
  if (!isAbsoluteSavePath(s) || (s.startsWith('\\\\') && !unc)) {
    fail(path, `must be an absolute path (starting with / or a drive letter), not ${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)}`);
  }
  if (s.startsWith('/')) return '/' + normaliseParts(s.slice(1).split('/')).join('/');
  const prefix = drive ? `${s.slice(0, 2)}\\` : `${unc![0].replaceAll('/', '\\')}\\`;
  const rest = s.slice(drive ? 3 : unc![0].length);
  const joined = prefix + normaliseParts(rest.split(/[\\/]/)).join('\\');
  // `C:\` keeps its separator; `\\server\share\` loses it.
  return unc && joined.endsWith('\\') ? joined.slice(0, -1) : joined;
}

/** Drops empty and `.` components and resolves `..` (never above the root). */
function normaliseParts(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** A path inside the torrent: relative, '/'-separated, no empty, '.' or '..' components, no '\' or drive letter. */
export function relativePath(v: unknown, path: string): string {
  const s = fsPath(v, path, false);
  if (s.startsWith('/')) fail(path, "must be relative (no leading '/')");
  if (s.includes('\\')) fail(path, "must use '/' as the separator (no '\\')");
  if (/^[A-Za-z]:/.test(s)) fail(path, 'must be relative (no drive letter)');
  for (const part of s.split('/')) {
    if (part === '..') fail(path, "must not contain a '..' component");
    if (part === '' || part === '.') fail(path, "must not contain empty or '.' components");
  }
  return s;
}

export function rate(v: unknown, path: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > LIMITS.maxRate) {
    fail(path, `must be null (unlimited) or an integer from 0 to ${LIMITS.maxRate} bytes/s`);
  }
  return v;
}

export function nullable<T>(check: (v: unknown, path: string) => T): (v: unknown, path: string) => T | null {
  return (v, path) => (v === null ? null : check(v, path));
}

export function isU8(v: unknown): v is Uint8Array {
  if (!ArrayBuffer.isView(v)) return false;
  // The typed array's real kind (its internal slot), robust across realms and against a faked Symbol.toStringTag.
  return typedArrayName(v) === 'Uint8Array';
}

const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)?.get;

function typedArrayName(v: ArrayBufferView): string | undefined {
  const name: unknown = typedArrayTag?.call(v);
  return typeof name === 'string' ? name : undefined;
}

export function setChecked<T, K extends keyof T>(out: Partial<T>, checks: { [P in keyof T]-?: Check<T[P]> }, k: K, v: unknown, path: string): void {
  out[k] = checks[k](v, path);
}
