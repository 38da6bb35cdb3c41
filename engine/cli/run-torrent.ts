import { Client } from '../session/client.js';
import type { MagnetLink, Metainfo } from '../metainfo/index.js';
import type { Torrent } from '../torrent/torrent.js';
import type { RateLimits } from '../net/bandwidth.js';
import type { EncryptionPolicy } from '../api/types.js';
import type { PeerAddress } from '../peer/address-book.js';
import { ProgressBar } from './progress.js';
import { CliFailure } from './failure.js';
import type { PortMappingOptions } from '../session/reachability.js';

export interface RunOptions {
  readonly source: { readonly meta: Metainfo } | { readonly magnet: MagnetLink };
  readonly dir: string;
  readonly port: number | undefined;
  readonly peers: readonly PeerAddress[];
  readonly verbose: boolean;
  /** Resolve when this returns true (checked after every verified piece and every second). */
  readonly until: (t: Torrent) => boolean;
  readonly onListening?: (port: number) => void;
  /** Download/upload limits in bytes per second (null or absent: unlimited). */
  readonly limits?: RateLimits;
  /** Message Stream Encryption (default 'prefer'). */
  readonly encryption?: EncryptionPolicy;
  /** Map the listen port on the home router (absent: no mapping). */
  readonly portMapping?: PortMappingOptions;
  /** TCP / uTP on or off (default both; --no-utp, --no-tcp). */
  readonly transports?: { readonly tcp: boolean; readonly utp: boolean };
}

export interface RunResult {
  readonly meta: Metainfo;
  readonly torrent: Torrent;
  readonly seconds: number;
  readonly interrupted: boolean;
}

/** Runs one torrent in a fresh client until `until` holds, an error, or Ctrl+C. */
export async function runTorrent(opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const bar = new ProgressBar();
  const log = (line: string): void => {
    if (opts.verbose) {
      bar.done();
      process.stderr.write(`${line}\n`);
    }
  };
  const client = new Client({ port: opts.port, encryption: opts.encryption, log, portMapping: opts.portMapping, transports: opts.transports && { ...opts.transports, preferUtp: true } });
  if (opts.limits) client.setGlobalLimits(opts.limits);
  await client.listen();
  opts.onListening?.(client.port);
  if (opts.portMapping) log(`port mapping: ${client.reachability.status().message}`);
  const stopOnSignal = new AbortController();
  let meta: Metainfo;
  if ('meta' in opts.source) {
    meta = opts.source.meta;
  } else {
    log(`fetching metadata for ${opts.source.magnet.infoHashHex}`);
    if (bar.enabled) process.stderr.write('fetching metadata from peers…\n');
    const pending = client.fetchMetadata(opts.source.magnet, opts.peers, log);
    const aborted = new Promise<null>((r) => stopOnSignal.signal.addEventListener('abort', () => r(null)));
    const onAbort = (): void => stopOnSignal.abort();
    process.once('SIGINT', onAbort);
    const fetched = await Promise.race([pending, aborted]);
    process.off('SIGINT', onAbort);
    if (!fetched) {
      await client.close();
      throw new CliFailure('interrupted while fetching metadata');
    }
    meta = fetched;
  }
  const label = meta.name.length > 24 ? `${meta.name.slice(0, 23)}…` : meta.name;
  let settle: (interrupted: boolean) => void = () => {};
  const finished = new Promise<boolean>((r) => (settle = r));
  const torrent = client.add(meta, {
    downloadDir: opts.dir,
    peers: opts.peers,
    events: {
      onLog: log,
      onTracker: (e) => log(`tracker ${e.url}: ${e.ok ? `ok, ${e.peers ?? 0} peers` : `error: ${e.message}`}`),
      onPieceVerified: () => {
        if (opts.until(torrent)) settle(false);
      },
      onStateChange: (state) => {
        if (state === 'error') settle(false);
      },
    },
  });
  const onSignal = (): void => settle(true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(() => {
    if (opts.until(torrent)) settle(false);
    const total = meta.totalLength;
    const have = torrent.verifiedBytes;
    const down = torrent.downloadMeter.rate();
    bar.draw({
      label,
      fraction: total === 0 ? 1 : have / total,
      downRate: down,
      upRate: torrent.uploadMeter.rate(),
      peers: torrent.peers.size,
      etaSeconds: down > 0 ? (total - have) / down : Infinity,
    });
  }, 500);
  try {
    await torrent.start((checked, total) => {
      bar.draw({ label: 'checking', fraction: checked / total, downRate: 0, upRate: 0, peers: 0, etaSeconds: Infinity });
    });
    if (torrent.state !== 'error' && opts.until(torrent)) settle(false);
    const interrupted = await finished;
    return { meta, torrent, seconds: (performance.now() - started) / 1000, interrupted };
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    bar.done();
    await client.close();
  }
}
