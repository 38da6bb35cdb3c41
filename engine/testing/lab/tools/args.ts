// Tiny flag parsing shared by the lab's tool scripts (they run as child processes inside lab namespaces).
import { parseArgs } from 'node:util';

export type Flags = Record<string, string | undefined>;

/** `--name value` flags only; every name in `names` is optional and a string. */
export function flags(argv: readonly string[], names: readonly string[]): { mode: string | undefined; flags: Flags } {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  return { mode: positionals[0], flags: values as Flags };
}

export function num(f: Flags, name: string, fallback?: number): number {
  const v = f[name];
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

/** `host:port` or `[v6]:port`. */
export function endpoint(f: Flags, name: string): { host: string; port: number } {
  const v = f[name];
  const m = v === undefined ? null : (/^\[([0-9a-f:]+)\]:(\d+)$/i.exec(v) ?? /^([^:]+):(\d+)$/.exec(v));
  if (!m) throw new Error(`--${name} must be host:port, got ${v}`);
  return { host: m[1], port: Number(m[2]) };
}

export function familyOf(host: string): 'udp4' | 'udp6' {
  return host.includes(':') ? 'udp6' : 'udp4';
}

/** One JSON result line on stdout: what the lab helpers parse. */
export function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
