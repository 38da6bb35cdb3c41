import { InputError } from '../common/errors.js';
import { CliFailure } from './failure.js';
import { downloadCommand } from './download.js';
import { seedCommand } from './seed.js';
import { createCommand } from './create.js';
import { loadInput } from './load.js';
import { printInfo } from './info.js';
import { parseCommand } from './args.js';
import { daemonCommand } from './daemon.js';
import { doctorCommand } from './doctor.js';
import { streamCommand } from './stream.js';

const HELP = `Tessera: a BitTorrent client.

Usage:
  tessera info <file.torrent|magnet> [--json]
  tessera download <file.torrent|magnet> --out <dir> [--port <n>] [--seed-ratio <r>] [--peer host:port]... [--download-limit <B/s>] [--upload-limit <B/s>]
                   [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--json] [--verbose]
  tessera seed <file.torrent> --data <dir> [--port <n>] [--peer host:port]... [--upload-limit <B/s>] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,...]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--verbose]
  tessera stream <file.torrent|magnet> --out <dir> [--file <index>] [--http-port <n>] [--player vlc|mpv] [--port <n>] [--peer host:port]...
                 [--download-limit <B/s>] [--upload-limit <B/s>] [--encryption …] [--no-utp|--no-tcp] [--dht-bootstrap …] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--verbose]
  tessera create <path> --out <file.torrent> [--tracker <url>]... [--piece-length <bytes>] [--private] [--comment <text>]
  tessera daemon [--host 127.0.0.1] [--port 9080] [--token <t>] [--data-dir <dir>] [--download-dir <dir>] [--peer-port <n>]
                 [--allow-remote] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--watch <dir>]... [--verbose]
  tessera doctor <info-hash> [--url ws://host:port/api | --port <n>] [--token <t>] [--data-dir <dir>] [--json]

download exits 0 once every piece is verified on disk; run it again after an
interruption and it continues where it stopped. Limits are in bytes per second
(0: unlimited). --encryption: prefer (the default) encrypts when the peer can
and also talks to plaintext peers; require talks RC4 only; disable plaintext only.
The listening port is mapped on the home router (UPnP IGD, NAT-PMP, PCP) so
peers can connect; --no-port-mapping turns that off.
Peers are reached over TCP and uTP (uTP first to peers known to take it, each
falling back to the other); --no-utp or --no-tcp turns one off.
Two peers that are both behind NAT meet by hole punching (BEP 55): a peer both
are connected to introduces them and both dial at once over uTP; it is on for
download, seed, stream and daemon, and --no-holepunch turns it off.
Exit codes: 0 success, 2 invalid input, 1 any other failure.

stream downloads with deadlines on the pieces just ahead of the reads (both ends of
a media file first) and serves one file over HTTP on 127.0.0.1 (Range requests;
reads wait for their pieces): the default is the largest media file, else the
largest file; --file picks another (indices as "tessera info" lists them). The
stream URL is the first line of stdout, printed once it is serving; --player
starts VLC or mpv on it. It serves until Ctrl+C or SIGTERM, then exits 0.

daemon serves the web interface and the protocol (WebSocket at /api?token=…)
on 127.0.0.1:9080 until Ctrl+C or SIGTERM, and prints the address to open,
http://127.0.0.1:9080/#token=…; --port 0 picks a free port. A token is
generated unless --token gives one. Binding a non-loopback --host needs
--allow-remote; prefer an SSH tunnel (ssh -L 9080:127.0.0.1:9080 host).

doctor asks a running daemon (127.0.0.1:9080 unless --port or --url) why a
torrent is not at full speed and prints the reasons, most important first,
each with what to do; the token is --token or the one saved in the daemon's
data folder.`;

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function infoCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseCommand(args, { json: { type: 'boolean' } }, { min: 1, max: 1, usage: 'tessera info <file.torrent|magnet> [--json]' });
  printInfo(loadInput(positionals[0]), values.json === true, out);
}

export async function main(argv: string[]): Promise<number> {
  // `tessera info x | head`: a closed pipe ends the command quietly, as with other Unix tools.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return 0;
      case 'info':
        await infoCommand(rest);
        return 0;
      case 'download':
        await downloadCommand(rest, out);
        return 0;
      case 'seed':
        await seedCommand(rest, out);
        return 0;
      case 'create':
        await createCommand(rest, out);
        return 0;
      case 'daemon':
        await daemonCommand(rest, out);
        return 0;
      case 'doctor':
        await doctorCommand(rest, out);
        return 0;
      case 'stream':
        await streamCommand(rest);
        return 0;
      default:
        throw new InputError(`unknown command ${JSON.stringify(command)}; run "tessera --help" for the commands`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`tessera: ${message.split('\n')[0]}\n`);
    if (err instanceof InputError) return 2;
    if (!(err instanceof CliFailure) && process.env.TESSERA_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
