import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../common/errors.js';
import { DEFAULT_BOOTSTRAP } from '../dht/node.js';
import type { EncryptionPolicy } from '../api/types.js';
import { ENCRYPTION_POLICIES } from '../api/validate.js';

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

/** The flags of commands that host a Session and may join the DHT and LSD. */
export const DISCOVERY_OPTIONS: Options = {
  'dht-bootstrap': { type: 'string', multiple: true },
  'no-dht': { type: 'boolean' },
  'no-lsd': { type: 'boolean' },
};

/**
 * Session DHT/LSD options from --dht-bootstrap, --no-dht and --no-lsd. Without --dht-bootstrap the
 * public routers are used; with it, only the given nodes.
 */
export function discoveryOptions(values: Parsed['values']): {
  dht: { bootstrap: readonly { host: string; port: number }[]; maxNodesPerIp?: number } | undefined;
  lsd: Record<string, never> | undefined;
} {
  const bootstrapArgs = listOption(values['dht-bootstrap']).flatMap((v) => v.split(',')).filter((v) => v !== '');
  if (values['no-dht'] === true && bootstrapArgs.length) throw new InputError('--no-dht and --dht-bootstrap contradict each other; give one');
  const dht =
    values['no-dht'] === true ? undefined : { bootstrap: bootstrapArgs.length ? bootstrapArgs.map(parsePeerArg) : DEFAULT_BOOTSTRAP, maxNodesPerIp: bootstrapArgs.length ? 64 : undefined };
  return { dht, lsd: values['no-lsd'] === true ? undefined : {} };
}

/** `host:port` or `[v6]:port`. */
export function parsePeerArg(arg: string): { host: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(arg) ?? /^([^:\s]+):(\d+)$/.exec(arg);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`--peer must look like host:port, got ${JSON.stringify(arg)}`);
  return { host: m[1], port };
}

/** The flag of commands that listen for peers: port mapping on the home router is on unless --no-port-mapping. */
export const PORT_MAPPING_OPTIONS: Options = { 'no-port-mapping': { type: 'boolean' } };

/**
 * Session/Client port mapping options: {} (the default gateway, every method), or undefined for --no-port-mapping
 * or TESSERA_PORT_MAPPING=0 (set by the test helpers, so no test talks to the host's router).
 */
export function portMappingOption(values: Parsed['values']): Record<string, never> | undefined {
  return values['no-port-mapping'] === true || process.env.TESSERA_PORT_MAPPING === '0' ? undefined : {};
}

/** The flag of commands that connect to peers: BEP 55 hole punching (relay, initiator, target) is on unless --no-holepunch. */
export const HOLEPUNCH_OPTIONS: Options = { 'no-holepunch': { type: 'boolean' } };

/** false for --no-holepunch or TESSERA_HOLEPUNCH=0; undefined leaves hole punching on. */
export function holepunchOption(values: Parsed['values']): false | undefined {
  return values['no-holepunch'] === true || process.env.TESSERA_HOLEPUNCH === '0' ? false : undefined;
}

/** The transport switches of commands that connect to peers: --no-utp, --no-tcp. */
export const TRANSPORT_OPTIONS: Options = { 'no-utp': { type: 'boolean' }, 'no-tcp': { type: 'boolean' } };

/** --no-utp / --no-tcp as the utp and tcp settings (the other one on); absent: undefined, the settings stand. */
export function transportOptions(values: Parsed['values']): { tcp: boolean; utp: boolean } | undefined {
  const noUtp = values['no-utp'] === true;
  const noTcp = values['no-tcp'] === true;
  if (noUtp && noTcp) throw new InputError('--no-utp and --no-tcp together leave no way to reach peers; give at most one');
  if (noUtp) return { tcp: true, utp: false };
  if (noTcp) return { tcp: false, utp: true };
  return undefined;
}

/** The flag of commands that connect to peers. */
export const ENCRYPTION_OPTIONS: Options = { encryption: { type: 'string' } };

/** --encryption prefer|require|disable (see the encryption setting); absent: undefined, the setting stands. */
export function encryptionOption(value: unknown): EncryptionPolicy | undefined {
  if (value === undefined) return undefined;
  const policy = ENCRYPTION_POLICIES.find((p) => p === value);
  if (!policy) throw new InputError(`--encryption must be one of ${ENCRYPTION_POLICIES.join(', ')}, got ${JSON.stringify(value)}`);
  return policy;
}

/** The network flags `download`, `seed` and `stream` share: peers to dial, rate limits, discovery, port mapping, encryption, transports. */
export const NETWORK_OPTIONS: Options = {
  peer: { type: 'string', multiple: true },
  'download-limit': { type: 'string' },
  'upload-limit': { type: 'string' },
  ...DISCOVERY_OPTIONS,
  ...PORT_MAPPING_OPTIONS,
  ...ENCRYPTION_OPTIONS,
  ...TRANSPORT_OPTIONS,
  ...HOLEPUNCH_OPTIONS,
};

/** NETWORK_OPTIONS parsed: what session-command.ts turns into Session options, settings and peers. */
export type NetworkOptions = ReturnType<typeof networkOptions>;

export function networkOptions(values: Parsed['values']) {
  return {
    peers: listOption(values.peer).map(parsePeerArg),
    downloadLimit: limitOption(values['download-limit'], 'download-limit'),
    uploadLimit: limitOption(values['upload-limit'], 'upload-limit'),
    ...discoveryOptions(values),
    encryption: encryptionOption(values.encryption),
    transports: transportOptions(values),
    holepunch: holepunchOption(values),
    portMapping: portMappingOption(values),
  };
}
