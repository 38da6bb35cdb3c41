import { join, resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { Session } from '../session/session.js';
import { defaultDataDir, defaultDownloadDir } from '../daemon/dirs.js';
import { isLoopbackHost } from '../daemon/origin.js';
import { startDaemonServer } from '../daemon/server.js';
import { defaultRendererDir, rendererBuilt } from '../daemon/static.js';
import { TOKEN_RE, loadOrCreateToken } from '../daemon/token.js';
import { loadOrCreateStreamCapabilities } from '../daemon/stream-capability.js';
import { DISCOVERY_OPTIONS, ENCRYPTION_OPTIONS, HOLEPUNCH_OPTIONS, PORT_MAPPING_OPTIONS, discoveryOptions, holepunchOption, portMappingOption, encryptionOption, intOption, parseCommand, stringOption, TRANSPORT_OPTIONS, transportOptions } from './args.js';
import { CliFailure } from './failure.js';
import { checkSavePath } from '../session/check-path.js';

export const DAEMON_USAGE =
  'tessera daemon [--host <addr>] [--port <n>] [--token <t>] [--data-dir <dir>] [--download-dir <dir>] [--peer-port <n>] [--allow-remote] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--watch <dir>]... [--verbose]';

const DAEMON_HELP = `Usage: ${DAEMON_USAGE}

Hosts the engine in this process and serves the web interface and the protocol over HTTP + WebSocket
until Ctrl+C or SIGTERM (then it closes clients, saves resume data and exits 0).

  --host <addr>        address to listen on (default 127.0.0.1; a non-loopback one needs --allow-remote)
  --port <n>           HTTP port (default 9080; 0 picks a free one and prints it)
  --token <t>          the access token (16-256 of A-Z a-z 0-9 _ -); generated on the first run and kept in <data-dir>/daemon-token (0600)
  --data-dir <dir>     settings and resume data (default: the user's data folder, tessera/daemon)
  --download-dir <dir> where downloads go unless the settings say otherwise (default ~/Downloads)
  --peer-port <n>      BitTorrent listening port (default: the settings' listenPort, 6881; 0: any)
  --allow-remote       allow a non-loopback --host (prints a warning; prefer an SSH tunnel)
  --encryption <p>     sets the encryption setting (kept): prefer (default; encrypted when the peer can), require (RC4 only) or disable
  --no-utp, --no-tcp   turn uTP or TCP off for peer connections (kept in the utp / tcp settings)
  --dht-bootstrap, --no-dht, --no-lsd   as for "tessera download"
  --no-port-mapping    do not map the peer port on the router (UPnP, NAT-PMP, PCP); the portMapping setting can also turn it off
  --no-holepunch       no BEP 55 hole punching: do not relay introductions between peers, nor ask for or take part in one
  --watch <dir>        add the .torrent and .magnet files dropped into <dir> (created when missing), then rename
                       each to .added; repeatable; shown in Settings next to the saved watch folders, not saved
  --verbose            log engine and connection events on stderr

It prints the address to open, http://127.0.0.1:9080/#token=…; the fragment keeps the token out of
server logs and Referer headers. The protocol is a WebSocket at /api?token=…; from another machine,
tunnel it: ssh -L 9080:127.0.0.1:9080 <host>, then open the printed address locally.`;

/** Bounded shutdown: clients closed, torrents stopped, resume data flushed. */
const STOP_TIMEOUT_MS = 10_000;

export interface DaemonCommandHooks {
  /** Resolves when the daemon should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<void>;
  /** Where the static files come from (default: <package root>/dist/renderer). */
  readonly staticRoot?: string;
}

/** `tessera daemon`: a Session in this process, served over HTTP + WebSocket until SIGINT/SIGTERM. */
export async function daemonCommand(args: string[], out: (line: string) => void, hooks: DaemonCommandHooks = {}): Promise<void> {
  const { values } = parseCommand(
    args,
    {
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      'download-dir': { type: 'string' },
      'peer-port': { type: 'string' },
      'allow-remote': { type: 'boolean' },
      ...DISCOVERY_OPTIONS,
      ...PORT_MAPPING_OPTIONS,
      ...ENCRYPTION_OPTIONS,
      ...TRANSPORT_OPTIONS,
      ...HOLEPUNCH_OPTIONS,
      watch: { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    { min: 0, max: 0, usage: DAEMON_USAGE },
  );
  if (values.help === true) return out(DAEMON_HELP);
  const warn = (line: string): void => void process.stderr.write(`tessera daemon: ${line}\n`);
  const requested = stringOption(values.host) ?? '127.0.0.1';
  // 'localhost' may resolve to ::1 or 127.0.0.1; bind the one every browser reaches.
  const host = requested.toLowerCase() === 'localhost' ? '127.0.0.1' : requested.replace(/^\[(.*)\]$/, '$1');
  const port = intOption(values.port, 'port', 0, 65535) ?? 9080;
  const peerPort = intOption(values['peer-port'], 'peer-port', 0, 65535);
  const dataDir = resolve(stringOption(values['data-dir']) ?? defaultDataDir());
  const token = stringOption(values.token) ?? loadOrCreateToken(join(dataDir, 'daemon-token'));
  if (!TOKEN_RE.test(token)) throw new InputError('--token must be 16 to 256 characters of A-Z a-z 0-9 _ - (omit it and one is generated)');
  if (!isLoopbackHost(host)) {
    if (values['allow-remote'] !== true) {
      throw new InputError(
        `--host ${requested} is not a loopback address: anyone who can reach it could try the token. Prefer an SSH tunnel (see README, "Daemon / web mode"); to bind it anyway, add --allow-remote`,
      );
    }
    warn(`WARNING: listening on ${requested}, reachable from the network over plain HTTP; the token is the only protection. Prefer 127.0.0.1 and an SSH tunnel.`);
  }
  const { dht, lsd } = discoveryOptions(values);
  const encryption = encryptionOption(values.encryption);
  const transports = transportOptions(values);
  const verbose = values.verbose === true;
  const downloadDir = resolve(stringOption(values['download-dir']) ?? defaultDownloadDir());
  const staticRoot = hooks.staticRoot ?? defaultRendererDir();
  const watchFolders = await watchOptions(values.watch);

  const session = await Session.open({
    dataDir,
    defaultDownloadDir: downloadDir,
    listenPort: peerPort,
    dht,
    lsd,
    portMapping: portMappingOption(values),
    holepunch: holepunchOption(values),
    watchFolders,
    log: (line, torrent) => {
      if (verbose) process.stderr.write(`${torrent ? `${torrent}: ` : ''}${line}\n`);
    },
  });
  if (encryption || transports) {
    const reply = await session.request({ kind: 'request', requestId: 0, command: { type: 'setSettings', settings: { ...(encryption ? { encryption } : {}), ...transports } } });
    if (!reply.ok) {
      await session.close();
      throw new CliFailure(reply.error.message);
    }
  }
  let server;
  try {
    // The stream secret lives beside the token but is not it: a shared stream URL gives away one file, not the daemon.
    const streams = loadOrCreateStreamCapabilities(join(dataDir, 'stream-secret'));
    server = await startDaemonServer({ session, host, port, token, staticRoot, streams, log: (line) => verbose && warn(line) });
  } catch (err) {
    await session.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new CliFailure(`port ${port} on ${host} is in use; pick another with --port (0: any free port)`);
    throw err;
  }
  if (!rendererBuilt(staticRoot)) warn(`warning: the web interface is not built (${staticRoot} has no index.html); run "npm run build". The API works without it.`);
  out(`Tessera daemon: open ${server.browserUrl} in a browser (the token after # is the password; keep it private).`);
  out(`Data in ${dataDir}; downloads to ${downloadDir}; peers on port ${session.port}. Stop with Ctrl+C.`);
  // One machine-readable line for scripts and tests.
  out(`tessera daemon: listening on ${server.browserUrl}`);

  let onSignal: () => void = () => {};
  const stop =
    hooks.stopSignal ??
    new Promise<void>((resolve) => {
      onSignal = () => resolve();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
  await stop;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // A second signal while stopping ends the process at once.
  const force = (): void => {
    warn('stopping now, without waiting');
    process.exit(1);
  };
  if (!hooks.stopSignal) {
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
  }
  out('tessera daemon: stopping (closing clients, saving resume data)');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), STOP_TIMEOUT_MS)));
  const result = await Promise.race([
    (async () => {
      await server.close();
      await session.close();
      return 'done' as const;
    })(),
    timedOut,
  ]);
  clearTimeout(timer);
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
  if (result === 'timeout') throw new CliFailure(`could not stop cleanly within ${STOP_TIMEOUT_MS / 1000} s`);
  out('tessera daemon: stopped');
}

/** --watch folders: absolute, each once, each a folder that exists or can be created (checked now, so a typo fails at start). */
async function watchOptions(raw: unknown): Promise<string[]> {
  const dirs = Array.isArray(raw) ? raw.filter((d): d is string => typeof d === 'string') : [];
  const out: string[] = [];
  for (const dir of dirs) {
    const path = resolve(dir);
    const check = await checkSavePath(path);
    if (!check.ok) throw new InputError(`--watch ${dir}: ${check.problem ?? 'cannot be used'}`);
    if (!out.includes(path)) out.push(path);
  }
  return out;
}
