import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { DiagnosisReason } from '../api/types.js';
import { InputError } from '../common/errors.js';
import { defaultDataDir } from '../daemon/dirs.js';
import { TOKEN_RE } from '../daemon/token.js';
import { ApiClient } from '../net/api-client.js';
import { intOption, parseCommand, stringOption } from './args.js';
import { CliFailure } from './failure.js';

const USAGE = 'tessera doctor <info-hash> [--url ws://host:port/api | --port <n>] [--token <t>] [--data-dir <dir>] [--json]';
const INFO_HASH = /^[0-9a-fA-F]{40}$/;

/**
 * `tessera doctor <info-hash>`: asks a running daemon why the torrent is not at full speed and prints the
 * reasons, most important first. The token is --token, or the one the daemon saved in its data folder.
 */
export async function doctorCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    { url: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    { min: 1, max: 1, usage: USAGE },
  );
  const hash = positionals[0];
  if (!INFO_HASH.test(hash)) throw new InputError(`${JSON.stringify(hash)} is not an info hash: give the torrent's 40 hex digits (tessera info shows them)`);
  const id = hash.toLowerCase();
  if (values.url !== undefined && values.port !== undefined) throw new InputError(`give --url or --port, not both. Usage: ${USAGE}`);
  const token = stringOption(values.token) ?? savedToken(resolve(stringOption(values['data-dir']) ?? defaultDataDir()));
  if (!TOKEN_RE.test(token)) throw new InputError('--token must be 16 to 256 characters of A-Z a-z 0-9 _ -');
  const url = apiUrl(stringOption(values.url), intOption(values.port, 'port', 1, 65535) ?? 9080, token);
  let client: ApiClient;
  try {
    client = await ApiClient.connect(url);
  } catch (err) {
    throw new CliFailure((err as Error).message);
  }
  try {
    const { reasons } = await client.request({ type: 'diagnose', id });
    if (values.json === true) out(JSON.stringify(reasons, null, 2));
    else printReasons(id, reasons, out);
  } catch (err) {
    throw new CliFailure((err as Error).message);
  } finally {
    client.close();
  }
}

function savedToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'daemon-token'), 'utf8').trim();
  } catch {
    throw new InputError(`no --token given and no saved token in ${dataDir}: pass the daemon's --token (or its --data-dir)`);
  }
}

function apiUrl(url: string | undefined, port: number, token: string): string {
  if (url === undefined) return `ws://127.0.0.1:${port}/api?token=${encodeURIComponent(token)}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--url ${JSON.stringify(url)} is not a URL: give ws://host:port/api`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new InputError(`--url must start with ws:// or wss://, got ${JSON.stringify(url)}`);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/api';
  parsed.searchParams.set('token', token);
  return parsed.toString();
}

export function printReasons(id: string, reasons: readonly DiagnosisReason[], out: (line: string) => void): void {
  if (reasons.length === 0) {
    out(`${id}: nothing holds it back.`);
    return;
  }
  out(`${id}: ${reasons.length} reason${reasons.length === 1 ? '' : 's'}, most important first`);
  reasons.forEach((r, i) => {
    out(`${i + 1}. [${r.severity}] ${r.short} (${r.code})`);
    out(`   ${r.message}`);
    if (r.action) out(`   what to do: ${r.action.label}`);
  });
}
