/**
 * What the OS asked us to open, from a command line (first instance, or a second instance's argv
 * forwarded by `second-instance`) or a single macOS open-file / open-url. Pure: no file access.
 */
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS } from '../engine/api/validate.js';

export type OpenTarget = { kind: 'file'; path: string } | { kind: 'magnet'; uri: string };

export interface ArgvOptions {
  /** Working directory relative paths are resolved against (the second instance's, for forwarded argv). */
  cwd: string;
  /** Positional arguments before the user's: 0 when packaged, 1 in development (`electron <app-path> …`). */
  appArgs: number;
  /** Path flavour, so Windows command lines can be tested anywhere. */
  path?: typeof nodePath.posix;
}

/** More than this many targets in one command line is junk, not a user's selection. */
const MAX_TARGETS = 1000;

/**
 * Targets in a full argv (argv[0] is the executable). Switches (`-x`, `--x`, `--x=y`, including the
 * ones Chromium adds to a second instance's argv) are skipped until a bare `--`; after it every
 * argument is positional. Anything that is neither a magnet link nor a .torrent path is ignored.
 */
export function parseArgv(argv: readonly string[], opts: ArgvOptions): OpenTarget[] {
  const out: OpenTarget[] = [];
  const seen = new Set<string>();
  let positionalOnly = false;
  let appArgsLeft = opts.appArgs;
  for (const arg of argv.slice(1)) {
    if (typeof arg !== 'string') continue;
    if (!positionalOnly) {
      if (arg === '--') {
        positionalOnly = true;
        continue;
      }
      if (arg.startsWith('-') && arg.length > 1) continue;
    }
    if (appArgsLeft > 0) {
      appArgsLeft--;
      continue;
    }
    const target = classifyOpenArg(arg, opts.cwd, opts.path);
    if (!target) continue;
    const key = target.kind === 'file' ? `f:${target.path}` : `m:${target.uri}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(target);
    if (out.length >= MAX_TARGETS) break;
  }
  return out;
}

/** One argument, open-file path or open-url URL: a magnet link, a .torrent path or file:// URL, or null. */
export function classifyOpenArg(arg: string, cwd: string, path: typeof nodePath.posix = nodePath): OpenTarget | null {
  if (arg.length === 0 || arg.length > Math.max(LIMITS.maxMagnetLength, LIMITS.maxPathLength) || arg.includes('\0')) return null;
  if (/^magnet:\?/i.test(arg)) {
    return arg.length <= LIMITS.maxMagnetLength ? { kind: 'magnet', uri: 'magnet:' + arg.slice('magnet:'.length) } : null;
  }
  let p = arg;
  if (/^file:/i.test(arg)) {
    try {
      p = fileURLToPath(arg);
    } catch {
      return null;
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(arg)) {
    return null; // http://, tessera://, …: not ours to open
  }
  if (!/\.torrent$/i.test(p) || p.length > LIMITS.maxPathLength) return null;
  return { kind: 'file', path: path.resolve(cwd, p) };
}
