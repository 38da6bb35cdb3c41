// Reference BitTorrent clients for interop tests, each configured for loopback as /work/shared/TESTING-NOTES.md
// describes (see engine/testing/README.md for the one-line reasons). Each start function returns a ClientHandle.
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatEndpoint } from '../api/endpoint.js';
import { type ExitInfo, type ProcessHandle, startProcess } from './processes.js';

export type Role = 'seed' | 'leech';
export type ClientName = 'libtorrent' | 'transmission' | 'aria2' | 'webtorrent';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface ClientOptions {
  readonly role: Role;
  readonly torrentFile: string;
  /** Download folder: holds the payload (`<dataDir>/<torrent name>`) and nothing else. Created if missing. */
  readonly dataDir: string;
  /** TCP listen port on 127.0.0.1 (see ports.ts: freePort()). */
  readonly port: number;
  /** Logs, config and marker files go here. Default `<dataDir>.<client>` (a sibling, so dataDir stays clean). */
  readonly workDir?: string;
  /** Address to listen on instead of 127.0.0.1 (a network-lab host's address). libtorrent and Transmission. */
  readonly bindAddress?: string;
  /** Command prefix the client runs under, e.g. the lab's `ip netns exec <namespace>`. libtorrent and Transmission. */
  readonly launcher?: readonly string[];
}

export interface LibtorrentOptions extends ClientOptions {
  /** Peers to dial directly (connect_peer), besides whatever the trackers return. */
  readonly peers?: readonly PeerAddress[];
  /** Seed without checking the data first (benchmarks with large payloads). */
  readonly seedMode?: boolean;
  /** Do not announce to the torrent's trackers. */
  readonly noTrackers?: boolean;
  /** Torrent upload limit in bytes per second (applies to loopback peers too). */
  readonly uploadLimit?: number;
  /** Torrent download limit in bytes per second, e.g. to keep a leech from finishing (libtorrent drops seed-to-seed links). */
  readonly downloadLimit?: number;
  /**
   * Turn the DHT on with only these bootstrap nodes, which must be loopback (127.x or ::1) addresses: the public routers are
   * never used. Tuned for a private DHT where every node is 127.0.0.1. Prints `dht-nodes <n>` and `dht-reply <n>`.
   */
  readonly dhtBootstrap?: readonly PeerAddress[];
  /** Leech: add this magnet URI (metadata over ut_metadata) instead of `torrentFile` (pass '' for torrentFile). */
  readonly magnet?: string;
  /** Keep ut_pex on (it is one of libtorrent's default plugins) and print `peer-connected <host:port>` lines. */
  readonly enablePex?: boolean;
  /** Leave ut_pex out of libtorrent's plugins: it neither sends PEX nor learns peers from it. */
  readonly noPex?: boolean;
  /** Print `peer-connected <host:port> (<alert>)` for each peer connection and `peer-disconnected <host:port> <why>` when one closes. */
  readonly logPeers?: boolean;
  /** uTP only, on the same port number as TCP: no TCP connections in or out (uTP is off otherwise). */
  readonly utpOnly?: boolean;
  /** uTP on beside TCP, as libtorrent ships (it then dials uTP first and flags uTP peers in PEX). Off otherwise. */
  readonly utp?: boolean;
  /** Protocol encryption in and out; 'forced' also allows RC4 only (pe_forced, pe_rc4). Default libtorrent's ('enabled'). */
  readonly encryption?: 'forced' | 'enabled' | 'disabled';
  /** Pick RC4 when a peer offers RC4 and plaintext (prefer_rc4), as qBittorrent's "prefer encryption" does; libtorrent's default picks plaintext. */
  readonly preferRc4?: boolean;
  /** Local service discovery (BEP 14) on. It multicasts on the LAN: only with a launcher (a network-lab namespace). */
  readonly lsd?: boolean;
}

export interface TransmissionOptions extends ClientOptions {
  /** Its encryption mode (settings.json `encryption` and the matching flag). Default 'tolerated': prefer plaintext. */
  readonly encryption?: 'tolerated' | 'preferred' | 'required';
  /** Turn uTP on (settings.json `utp-enabled`; off by default here). Transmission has no switch for TCP. */
  readonly utp?: boolean;
}

export interface WebtorrentOptions extends ClientOptions {
  readonly peers?: readonly PeerAddress[];
  /**
   * WebTorrent's `secure` option: 'off' (plaintext only), 'prefer' (MSE offering RC4 and plaintext, falling back to
   * a plaintext handshake; WebTorrent's default) or 'rc4' (MSE, RC4 only). Default 'prefer'.
   */
  readonly encryption?: 'off' | 'prefer' | 'rc4';
}

const WEBTORRENT_SECURE = { off: 0, prefer: 1, rc4: 2 } as const;

export interface Aria2Options extends ClientOptions {
  /** Seed: skip the hash check of existing data (--bt-seed-unverified). Default false (check). */
  readonly seedUnverified?: boolean;
}

export interface Progress {
  /** 0..1 */
  readonly fraction: number;
  /** Payload bytes, when the client reports them. */
  readonly downloaded?: number;
  readonly uploaded?: number;
  readonly peers?: number;
}

export interface TransferStats {
  readonly uploaded: number;
  readonly downloaded: number;
}

export interface StopResult {
  readonly exit: ExitInfo;
  /** Payload totals printed at exit (libtorrent, webtorrent). */
  readonly stats?: TransferStats;
}

export interface ClientHandle {
  readonly client: ClientName;
  readonly role: Role;
  readonly port: number;
  readonly process: ProcessHandle;
  readonly workDir: string;
  /** Seed: data verified and serving. Leech: resolves with `done`. Rejects if the process exits first. */
  readonly ready: Promise<void>;
  /** Leech: download complete and verified. Seed: same as `ready`. Rejects if the process exits first. */
  readonly done: Promise<void>;
  /** The latest progress the client printed, if any. */
  progress(): Progress | null;
  /** SIGINT, SIGKILL after a timeout; resolves after exit with the client's own transfer totals where available. */
  stop(): Promise<StopResult>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** Debian's interpreter: python3-libtorrent is built only for it. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const LT_CLIENT_SCRIPT = join(here, 'lt_client.py');
export const WT_CLIENT_SCRIPT = join(here, 'wt_client.mjs');

function noop(): void {}

/** Marks a promise as handled (so an unawaited rejection does not crash the test run) and returns it. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(noop);
  return p;
}

/** Resolves when a line matches, rejects if the process exits first. No timeout: wrap with withTimeout(). */
function onLineOrExit(proc: ProcessHandle, re: RegExp, what: string): Promise<void> {
  return handled(
    new Promise<void>((resolve, reject) => {
      if (proc.lines().some((l) => re.test(l))) return resolve();
      const off = proc.onLine((l) => {
        if (re.test(l)) {
          off();
          resolve();
        }
      });
      void proc.exited.then((info) =>
        setImmediate(() => {
          off();
          reject(new Error(`${proc.name} exited (code=${info.code} signal=${info.signal}) before ${what}; last output:\n${proc.tail()}`));
        }),
      );
    }),
  );
}

/** Resolves when `file` exists (written by a client's completion hook), rejects if the process exits first. */
function onFileOrExit(proc: ProcessHandle, file: string, what: string): Promise<void> {
  return handled(
    new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(file)) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      void proc.exited.then((info) => {
        clearInterval(timer);
        if (existsSync(file)) resolve();
        else reject(new Error(`${proc.name} exited (code=${info.code} signal=${info.signal}) before ${what}; last output:\n${proc.tail()}`));
      });
    }),
  );
}

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function parseStats(proc: ProcessHandle): TransferStats | undefined {
  for (const line of [...proc.lines()].reverse()) {
    const m = /^stats uploaded=(\d+) downloaded=(\d+)/.exec(line);
    if (m) return { uploaded: Number(m[1]), downloaded: Number(m[2]) };
  }
  return undefined;
}

/** Tracks `progress <fraction> <downloaded> <uploaded> <peers>` lines (our lt/wt wrapper scripts). */
function trackProgressLines(proc: ProcessHandle): () => Progress | null {
  let last: Progress | null = null;
  proc.onLine((l) => {
    const m = /^progress ([\d.]+) (\d+) (\d+) (\d+)/.exec(l);
    if (m) last = { fraction: Number(m[1]), downloaded: Number(m[2]), uploaded: Number(m[3]), peers: Number(m[4]) };
  });
  return () => last;
}

async function prepare(opts: ClientOptions, client: ClientName): Promise<string> {
  const workDir = opts.workDir ?? `${opts.dataDir}.${client}`;
  await mkdir(opts.dataDir, { recursive: true });
  await mkdir(workDir, { recursive: true });
  return workDir;
}

function makeHandle(
  client: ClientName,
  opts: ClientOptions,
  workDir: string,
  proc: ProcessHandle,
  ready: Promise<void>,
  done: Promise<void>,
  progress: () => Progress | null,
): ClientHandle {
  return {
    client,
    role: opts.role,
    port: opts.port,
    process: proc,
    workDir,
    ready: handled(ready),
    done: handled(done),
    progress,
    async stop() {
      const exit = await proc.stop();
      const stats = parseStats(proc);
      return stats ? { exit, stats } : { exit };
    },
  };
}

/** Arguments for /usr/bin/python3 to run lt_client.py (also used by the benchmark). */
export function libtorrentArgs(opts: LibtorrentOptions & { exitOnFinish?: boolean }): string[] {
  const args = [LT_CLIENT_SCRIPT, '--role', opts.role, ...(opts.magnet ? ['--magnet', opts.magnet] : ['--torrent', opts.torrentFile]), '--data', opts.dataDir, '--port', String(opts.port)];
  if (opts.bindAddress) args.push('--bind', opts.bindAddress);
  for (const p of opts.peers ?? []) args.push('--peer', formatEndpoint(p.host, p.port));
  for (const b of opts.dhtBootstrap ?? []) {
    if (!b.host.startsWith('127.') && b.host !== '::1') throw new Error(`libtorrent DHT bootstrap ${b.host}:${b.port} is not a loopback address`);
    args.push('--dht-bootstrap', b.host === '::1' ? `[::1]:${b.port}` : `${b.host}:${b.port}`);
  }
  if (opts.enablePex) args.push('--enable-pex');
  if (opts.noPex) args.push('--no-pex');
  if (opts.logPeers) args.push('--log-peers');
  if (opts.seedMode) args.push('--seed-mode');
  if (opts.noTrackers) args.push('--no-trackers');
  if (opts.exitOnFinish) args.push('--exit-on-finish');
  if (opts.uploadLimit) args.push('--upload-limit', String(opts.uploadLimit));
  if (opts.downloadLimit) args.push('--download-limit', String(opts.downloadLimit));
  if (opts.utpOnly) args.push('--utp-only');
  if (opts.utp) args.push('--utp');
  if (opts.encryption) args.push('--encryption', opts.encryption);
  if (opts.preferRc4) args.push('--prefer-rc4');
  if (opts.lsd) {
    if (!opts.launcher) throw new Error('libtorrent: lsd only inside a network-lab namespace (give a launcher): it multicasts on the LAN');
    args.push('--lsd');
  }
  return args;
}

/** libtorrent 2.0 via python3-libtorrent (engine/testing/lt_client.py). */
export async function startLibtorrent(opts: LibtorrentOptions): Promise<ClientHandle> {
  const workDir = await prepare(opts, 'libtorrent');
  const [cmd, ...args] = [...(opts.launcher ?? []), SYSTEM_PYTHON, ...libtorrentArgs(opts)];
  const proc = startProcess(cmd, args, { cwd: workDir, name: `libtorrent-${opts.role}-${opts.port}`, env: { PYTHONUNBUFFERED: '1' } });
  const progress = trackProgressLines(proc);
  const done = onLineOrExit(proc, opts.role === 'seed' ? /^ready$/ : /^finished$/, opts.role === 'seed' ? 'seeding' : 'finishing');
  return makeHandle('libtorrent', opts, workDir, proc, done, done, progress);
}

/** webtorrent (npm) in a child Node process (engine/testing/wt_client.mjs), TCP only. */
export async function startWebtorrent(opts: WebtorrentOptions): Promise<ClientHandle> {
  const workDir = await prepare(opts, 'webtorrent');
  const args = [WT_CLIENT_SCRIPT, '--role', opts.role, '--torrent', opts.torrentFile, '--data', opts.dataDir, '--port', String(opts.port)];
  for (const p of opts.peers ?? []) args.push('--peer', `${p.host}:${p.port}`);
  args.push('--secure', String(WEBTORRENT_SECURE[opts.encryption ?? 'prefer']));
  // Resolve 'webtorrent' from this repository's node_modules whatever the cwd.
  const proc = startProcess(process.execPath, args, { cwd: workDir, name: `webtorrent-${opts.role}-${opts.port}` });
  const progress = trackProgressLines(proc);
  const done = onLineOrExit(proc, opts.role === 'seed' ? /^ready$/ : /^finished$/, opts.role === 'seed' ? 'seeding' : 'finishing');
  return makeHandle('webtorrent', opts, workDir, proc, done, done, progress);
}

/** Transmission's encryption modes: settings.json `encryption` and the transmission-cli flag that agrees with it. */
const TRANSMISSION_ENCRYPTION = {
  tolerated: { setting: 0, flag: '-et' },
  preferred: { setting: 1, flag: '-ep' },
  required: { setting: 2, flag: '-er' },
} as const;

/**
 * transmission-cli 3.00. It ignores 127.x peers from trackers but accepts incoming connections: the other side must
 * dial `port`. It never exits by itself; `done` comes from its -f finish script.
 */
export async function startTransmission(opts: TransmissionOptions): Promise<ClientHandle> {
  const workDir = await prepare(opts, 'transmission');
  const configDir = join(workDir, 'config');
  await mkdir(configDir, { recursive: true });
  const settings = {
    // An IPv6 bindAddress (tests over ::1 or a lab's IPv6 address) goes to the IPv6 setting. The IPv4 one must then
    // stay at its default: Transmission 3 pins its tracker requests (libcurl's CURLOPT_INTERFACE) to a non-default
    // IPv4 bind address, and a tracker at [::1] is then "Could not connect to tracker". Its IPv4 peer port listens
    // on every address but, with DHT, LPD and port forwarding off, it sends nothing but to the peers it is given.
    'bind-address-ipv4': opts.bindAddress?.includes(':') ? '0.0.0.0' : (opts.bindAddress ?? '127.0.0.1'),
    'bind-address-ipv6': opts.bindAddress?.includes(':') ? opts.bindAddress : '::1',
    'dht-enabled': false,
    'lpd-enabled': false,
    'pex-enabled': false,
    'utp-enabled': opts.utp === true,
    'port-forwarding-enabled': false,
    'peer-port': opts.port,
    'peer-port-random-on-start': false,
    encryption: TRANSMISSION_ENCRYPTION[opts.encryption ?? 'tolerated'].setting,
    'download-dir': opts.dataDir,
    'incomplete-dir-enabled': false,
    'rename-partial-files': false, // no ".part" names, so the tree compares as is
    'start-added-torrents': true,
    'speed-limit-down-enabled': false,
    'speed-limit-up-enabled': false,
    'alt-speed-enabled': false,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'blocklist-enabled': false,
    'peer-limit-global': 500,
    'peer-limit-per-torrent': 100,
    'message-level': 2,
  };
  await writeFile(join(configDir, 'settings.json'), JSON.stringify(settings, null, 2));
  const marker = join(workDir, 'finished.marker');
  const script = join(workDir, 'on-finish.sh');
  await writeFile(script, `#!/bin/sh\necho "$TR_TORRENT_NAME" > '${marker}'\n`);
  await chmod(script, 0o755);
  const args = ['-g', configDir, '-p', String(opts.port), '-w', opts.dataDir, TRANSMISSION_ENCRYPTION[opts.encryption ?? 'tolerated'].flag, '-M', '-D', '-U', '-f', script, opts.torrentFile];
  // Its status line goes to stdout, block-buffered on a pipe: unbuffer it so progress shows up live.
  const [cmd, ...cmdArgs] = [...(opts.launcher ?? []), ...(existsSync('/usr/bin/stdbuf') ? ['/usr/bin/stdbuf', '-o0'] : []), 'transmission-cli', ...args];
  const proc = startProcess(cmd, cmdArgs, { cwd: workDir, name: `transmission-${opts.role}-${opts.port}` });
  let last: Progress | null = null;
  proc.onLine((l) => {
    const m = /Progress: ([\d.]+)%.*dl from (\d+) of (\d+)/.exec(l);
    if (m) last = { fraction: Number(m[1]) / 100, peers: Number(m[2]) };
    else if (/^Seeding/.test(l)) last = { fraction: 1 };
  });
  // The finish script also runs when a seed's data has been verified complete at start-up.
  const ready = onFileOrExit(proc, marker, opts.role === 'seed' ? 'seeding' : 'finishing');
  return makeHandle('transmission', opts, workDir, proc, ready, ready, () => last);
}

/** Arguments for aria2c as configured for loopback tests (also used by the benchmark). */
export function aria2Args(opts: Aria2Options, onCompleteScript: string | null): string[] {
  const args = [
    `--dir=${opts.dataDir}`,
    '--file-allocation=none',
    `--interface=127.0.0.1`,
    `--listen-port=${opts.port}`,
    '--enable-dht=false',
    '--enable-dht6=false',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    '--bt-require-crypto=false',
    '--check-certificate=false',
    '--auto-file-renaming=false',
    '--allow-overwrite=true',
    '--console-log-level=notice',
    '--summary-interval=1',
    '--enable-color=false',
    '--max-overall-upload-limit=0',
    '--max-overall-download-limit=0',
    `--stop-with-process=${process.pid}`,
  ];
  if (opts.role === 'seed') {
    args.push('--check-integrity=true', '--seed-ratio=0.0');
    if (opts.seedUnverified) args.push('--bt-seed-unverified=true');
  } else {
    args.push('--seed-time=0');
  }
  if (onCompleteScript) args.push(`--on-bt-download-complete=${onCompleteScript}`);
  args.push(opts.torrentFile);
  return args;
}

/** aria2c 1.36. Leech: exits by itself once complete (--seed-time=0). Seed: checks the data, then seeds until stopped. */
export async function startAria2(opts: Aria2Options): Promise<ClientHandle> {
  const workDir = await prepare(opts, 'aria2');
  const marker = join(workDir, 'complete.marker');
  const script = join(workDir, 'on-complete.sh');
  // Called with GID, number of files, first file path; after the hash check too, when seeding existing data.
  await writeFile(script, `#!/bin/sh\necho "$@" > '${marker}'\n`);
  await chmod(script, 0o755);
  const args = aria2Args(opts, script);
  const proc = startProcess('aria2c', args, { cwd: workDir, name: `aria2-${opts.role}-${opts.port}` });
  let last: Progress | null = null;
  proc.onLine((l) => {
    // Summary lines look like "[#2089b0 1.2MiB/5.0MiB(24%) CN:1 SD:1 DL:3.4MiB]".
    const m = /\(([\d.]+)%\)(?: CN:(\d+))?/.exec(l);
    if (m) last = { fraction: Number(m[1]) / 100, ...(m[2] ? { peers: Number(m[2]) } : {}) };
  });
  const done = onFileOrExit(proc, marker, opts.role === 'seed' ? 'seeding' : 'finishing');
  return makeHandle('aria2', opts, workDir, proc, done, done, () => last);
}

export const LT_SWARM_SCRIPT = join(here, 'lt_swarm.py');

/** Many libtorrent seeders in one python process (engine/testing/lt_swarm.py), announcing to the torrent's trackers. */
export interface LibtorrentSwarm {
  readonly proc: ProcessHandle;
  /** Resolves once every seeder is seeding. */
  readonly ready: Promise<void>;
  stop(): Promise<ExitInfo>;
}

export function startLibtorrentSwarm(opts: { torrentFile: string; dataDir: string; count: number; uploadLimit?: number; workDir: string }): LibtorrentSwarm {
  mkdirSync(opts.workDir, { recursive: true });
  const args = [LT_SWARM_SCRIPT, '--torrent', opts.torrentFile, '--data', opts.dataDir, '--port', '0', '--count', String(opts.count)];
  if (opts.uploadLimit) args.push('--upload-limit', String(opts.uploadLimit));
  const proc = startProcess(SYSTEM_PYTHON, args, { cwd: opts.workDir, name: `libtorrent-swarm-${opts.count}`, env: { PYTHONUNBUFFERED: '1' } });
  return { proc, ready: onLineOrExit(proc, /^ready \d+$/, 'all seeders were seeding'), stop: () => proc.stop() };
}
