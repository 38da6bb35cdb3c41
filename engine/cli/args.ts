import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../common/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | string[] | undefined>;
}

/** Parses a command's arguments; unknown flags and missing values become InputErrors. */
export function parseCommand(args: string[], options: Options, positionals: { min: number; max: number; usage: string }): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError(`${(err as Error).message.split('\n')[0]}. Usage: ${positionals.usage}`);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    throw new InputError(`expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min}-${positionals.max}`} argument(s). Usage: ${positionals.usage}`);
  }
  return { positionals: parsed.positionals, values: parsed.values as Parsed['values'] };
}

export function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

export function numberOption(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new InputError(`--${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A rate limit in bytes per second; 0 or absent means unlimited (null). */
export function limitOption(value: unknown, name: string): number | null {
  const n = intOption(value, name, 0, 2 ** 40);
  return n === undefined || n === 0 ? null : n;
}

export function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function listOption(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** `host:port` or `[v6]:port`. */
export function parsePeerArg(arg: string): { host: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(arg) ?? /^([^:\s]+):(\d+)$/.exec(arg);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`--peer must look like host:port, got ${JSON.stringify(arg)}`);
  return { host: m[1], port };
}
