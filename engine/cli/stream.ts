import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import type { EngineEvent, ListedFile, StreamUrlResult, TorrentSummary } from '../api/types.js';
import { applyPatch } from '../api/diff.js';
import { isMediaFile } from '../common/media-types.js';
import { loadOrCreateStreamCapabilities } from '../daemon/stream-capability.js';
import { startStreamServer, type StreamServer } from '../daemon/stream-server.js';
import type { FileReader } from '../torrent/readers.js';
import { NETWORK_OPTIONS, intOption, networkOptions, parseCommand, stringOption } from './args.js';
import { CLI_SESSION_FOLDER } from './download.js';
import { loadDownloadTarget } from './load.js';
import { ProgressBar } from './progress.js';
import { CliFailure } from './failure.js';
import { prepareOutDir } from './out-dir.js';
import { SessionCommand } from './session-command.js';

export const STREAM_USAGE =
  'tessera stream <file.torrent|magnet> --out <dir> [--file <index>] [--http-port <n>] [--player vlc|mpv] [--port <n>] [--peer host:port]... [--download-limit <B/s>] [--upload-limit <B/s>] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--verbose]';

const PLAYERS = ['vlc', 'mpv'] as const;
type Player = (typeof PLAYERS)[number];
/** A magnet's metadata: how long to wait for it before giving up. */
const METADATA_TIMEOUT_MS = 10 * 60_000;

/** The file to stream: --file, else the largest media file, else the largest file. */
export function chooseStreamFile(files: readonly ListedFile[], requested: number | undefined): ListedFile {
  if (requested !== undefined) {
    const f = files.find((x) => x.index === requested);
    if (!f) throw new InputError(`--file ${requested}: the torrent has no such file (indices: ${files.map((x) => x.index).join(', ')}; see "tessera info")`);
    return f;
  }
  const largest = (list: readonly ListedFile[]): ListedFile | undefined => list.reduce<ListedFile | undefined>((best, f) => (!best || f.length > best.length ? f : best), undefined);
  const pick = largest(files.filter((f) => isMediaFile(f.path))) ?? largest(files);
  if (!pick) throw new CliFailure('the torrent has no files to stream');
  return pick;
}

/** Launches the player on the URL; a clear one-line failure when it is not installed. */
function launchPlayer(player: Player, url: string): Promise<void> {
  return new Promise((resolveLaunch, reject) => {
    const child = spawn(player, [url], { stdio: 'ignore', detached: false });
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CliFailure(err.code === 'ENOENT' ? `${player} is not installed (or not on PATH): install it, or open the printed URL in any player` : `could not start ${player}: ${err.message}`)),
    );
    child.once('spawn', () => resolveLaunch());
  });
}

/**
 * `tessera stream`: downloads the torrent with a reader on one file (deadlines just ahead of it, both ends of a media
 * file first), serves it over HTTP on loopback, prints the URL as the first line of stdout once it is serving, and
 * serves until SIGINT/SIGTERM.
 */
export async function streamCommand(args: string[], hooks: { stopSignal?: Promise<void> } = {}): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      out: { type: 'string', short: 'o' },
      file: { type: 'string' },
      'http-port': { type: 'string' },
      player: { type: 'string' },
      port: { type: 'string', short: 'p' },
      ...NETWORK_OPTIONS,
      verbose: { type: 'boolean', short: 'v' },
    },
    { min: 1, max: 1, usage: STREAM_USAGE },
  );
  const outDir = stringOption(values.out);
  if (!outDir) throw new InputError(`--out <dir> is required. Usage: ${STREAM_USAGE}`);
  const fileIndex = intOption(values.file, 'file', 0, 2 ** 31);
  const httpPort = intOption(values['http-port'], 'http-port', 0, 65535) ?? 0;
  const port = intOption(values.port, 'port', 0, 65535);
  const playerName = stringOption(values.player);
  if (playerName !== undefined && !(PLAYERS as readonly string[]).includes(playerName)) throw new InputError(`--player must be one of ${PLAYERS.join(', ')}`);
  const player = playerName as Player | undefined;
  const network = networkOptions(values);
  const verbose = values.verbose === true;
  const { id, source } = loadDownloadTarget(positionals[0]);
  const dir = resolve(outDir);
  prepareOutDir(dir);
  const bar = new ProgressBar();
  const dataDir = join(dir, CLI_SESSION_FOLDER);

  // Our row, for the progress line (a terminal only).
  let row: TorrentSummary | null = null;
  const onEvent = (e: EngineEvent): void => {
    if (e.kind === 'snapshot') row = e.torrents.find((t) => t.id === id) ?? row;
    else if (e.kind === 'batch') {
      row = e.added.find((t) => t.id === id) ?? row;
      const patch = e.changed.find((p) => p.id === id);
      if (row && patch) row = applyPatch(row, patch);
    }
  };
  const command = await SessionCommand.open({
    dataDir,
    downloadDir: dir,
    listenPort: port,
    network,
    onEvent,
    verbose,
    beforeLog: () => bar.done(),
    ...(hooks.stopSignal ? { stopSignal: hooks.stopSignal } : {}),
  });
  const session = command.session;
  let server: StreamServer | null = null;
  let reader: FileReader | null = null;
  try {
    try {
      server = await startStreamServer({ session, port: httpPort, capabilities: loadOrCreateStreamCapabilities(join(dataDir, 'stream-secret')) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliFailure(`port ${httpPort} on 127.0.0.1 is in use; pick another with --http-port (0: any free port)`);
      throw err;
    }
    await command.send({ type: 'snapshot' });
    await command.applySettings();
    const info0 = await session.request({ kind: 'request', requestId: 0, command: { type: 'getInfo', id } });
    if (!info0.ok) {
      await command.send({ type: 'add', source, savePath: dir });
    } else await command.send({ type: 'resume', ids: [id] });
    await command.addPeers(id);

    // A magnet: the files are known once the metadata has come from peers.
    const deadline = Date.now() + METADATA_TIMEOUT_MS;
    let files: ListedFile[] = [];
    for (;;) {
      const info = await command.send<{ metadataKnown?: boolean; files: ListedFile[] }>({ type: 'getInfo', id });
      if (info.files.length > 0) {
        files = info.files;
        break;
      }
      if (command.interrupted) throw new CliFailure('interrupted while fetching metadata');
      if (Date.now() > deadline) throw new CliFailure(`no metadata after ${METADATA_TIMEOUT_MS / 60_000} minutes: no peer reached has the torrent`);
      if (bar.enabled) bar.draw({ label: 'fetching metadata', fraction: 0, downRate: 0, upRate: 0, peers: 0, etaSeconds: Infinity });
      await new Promise((r) => setTimeout(r, 200));
    }
    const file = chooseStreamFile(files, fileIndex);
    const stream = await command.send<StreamUrlResult>({ type: 'streamUrl', id, file: file.index });
    // A warm-up reader from the start: deadlines on the first pieces (and both ends of a media file) before any player
    // asks; it never reads, so once a player's reader reads, its window gives way (a seek must not share the seeder).
    reader = (await session.streamFile(id, file.index)?.open(true)) ?? null;
    // The first line of stdout, flushed before anything else happens: scripts and players wait for it.
    await new Promise<void>((r) => process.stdout.write(`${stream.url}\n`, () => r()));
    bar.done();
    process.stderr.write(`streaming ${stream.name} (${stream.contentType}, ${stream.length} bytes); stop with Ctrl+C\n`);
    if (player) await launchPlayer(player, stream.url);

    const label = stream.name.length > 24 ? `${stream.name.slice(0, 23)}…` : stream.name;
    const timer = bar.enabled
      ? setInterval(() => {
          const t = row;
          if (t) bar.draw({ label, fraction: t.progress, downRate: t.downRate, upRate: t.upRate, peers: t.peers, etaSeconds: t.eta < 0 ? Infinity : t.eta });
        }, 500)
      : null;
    await command.stopped;
    if (timer) clearInterval(timer);
    bar.done();
    process.stderr.write(`stopped streaming ${stream.name}\n`);
  } finally {
    bar.done();
    reader?.close('stopping');
    await server?.close();
    await command.close();
  }
}
