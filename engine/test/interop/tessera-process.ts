import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type ProcessHandle } from '../../testing/index.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');

/** The commands that take NETWORK_OPTIONS (engine/cli/args.ts): they reach the DHT and LSD unless told not to. */
const NETWORK_COMMANDS: readonly string[] = ['download', 'seed', 'stream'];

/** Runs the `tessera` CLI from source as a child process in its own process group. */
export function startTessera(args: readonly string[], workDir: string, name: string): ProcessHandle {
  // Tests stay on loopback: no public DHT unless bootstrap nodes are given, and no LAN multicast (LSD).
  const safe = !NETWORK_COMMANDS.includes(args[0]) ? args : [...args, ...(args.includes('--dht-bootstrap') || args.includes('--no-dht') ? [] : ['--no-dht']), ...(args.includes('--no-lsd') ? [] : ['--no-lsd'])];
  return startProcess(process.execPath, ['--import', 'tsx', entry, ...safe], {
    cwd: repo,
    logFile: join(workDir, `${name}.log`),
    name,
    killAfterMs: 5000,
  });
}

/** The JSON summary `tessera download --json` prints as its last stdout line. */
export interface DownloadSummary {
  infoHash: string;
  totalBytes: number;
  downloadedBytes: number;
  uploadedBytes: number;
  seconds: number;
  complete: boolean;
}

export function lastJsonLine(lines: readonly string[]): DownloadSummary {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (l.startsWith('{')) return JSON.parse(l) as DownloadSummary;
  }
  throw new Error('no JSON summary in the output');
}
