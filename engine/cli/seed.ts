import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EngineEvent, TorrentSummary } from '../api/types.js';
import { applyPatch } from '../api/diff.js';
import { InputError } from '../common/errors.js';
import { NETWORK_OPTIONS, intOption, networkOptions, parseCommand, stringOption } from './args.js';
import { loadInput } from './load.js';
import { CliFailure } from './failure.js';
import { SessionCommand } from './session-command.js';

const USAGE =
  'tessera seed <file.torrent> --data <dir> [--port <n>] [--peer host:port]... [--upload-limit <B/s>] [--download-limit <B/s>] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,host:port…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--verbose]';

/**
 * `tessera seed`: one torrent's data served from `--data` by a Session, the same engine and the same network flags
 * (NETWORK_OPTIONS) as `download` and `stream`, so a trackerless torrent is found through the DHT and LSD. The
 * session's own state lives in a temporary folder removed at exit: the data folder is only read (it may be read-only).
 */
export async function seedCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      data: { type: 'string', short: 'd' },
      port: { type: 'string', short: 'p' },
      ...NETWORK_OPTIONS,
      verbose: { type: 'boolean', short: 'v' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const dataDir = stringOption(values.data);
  if (!dataDir) throw new InputError(`--data <dir> is required (the folder that holds the torrent's files). Usage: ${USAGE}`);
  const port = intOption(values.port, 'port', 0, 65535);
  const network = networkOptions(values);
  const verbose = values.verbose === true;
  const input = loadInput(positionals[0]);
  if (input.kind !== 'torrent') throw new InputError('seed needs a .torrent file, not a magnet link');
  const meta = input.meta;
  const id = meta.infoHashHex;
  const dir = resolve(dataDir);

  let row: TorrentSummary | undefined;
  let wake: () => void = () => {};
  const onEvent = (e: EngineEvent): void => {
    if (e.kind === 'snapshot') row = e.torrents.find((t) => t.id === id);
    else if (e.kind === 'batch') {
      const added = e.added.find((t) => t.id === id);
      if (added) row = added;
      const patch = e.changed.find((p) => p.id === id);
      if (patch && row) row = applyPatch(row, patch);
    }
    wake();
  };
  const stateDir = mkdtempSync(join(tmpdir(), 'tessera-seed-'));
  let command: SessionCommand;
  try {
    command = await SessionCommand.open({ dataDir: stateDir, downloadDir: dir, listenPort: port, network, onEvent, verbose });
  } catch (err) {
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  void command.stopped.then(() => wake());
  try {
    out(`listening on port ${command.session.port}`);
    await command.send({ type: 'snapshot' });
    await command.applySettings();
    await command.send({ type: 'add', source: { kind: 'torrent', data: input.bytes }, savePath: dir });
    await command.addPeers(id);
    let announced = false;
    for (;;) {
      const t = row;
      if (t) {
        if (t.state === 'error') throw new CliFailure(`${meta.name}: ${t.error ?? t.stateReason}`);
        if (t.state === 'seeding' && !announced) {
          announced = true;
          out(`seeding ${id} (${meta.name}) from ${dir}`);
        }
        // Checked and incomplete: stop and say so rather than silently downloading.
        if (t.state === 'downloading' || t.state === 'stalled') {
          throw new CliFailure(`the data in ${dir} is incomplete (${Math.floor(t.progress * 1000) / 10}% verified): point --data at the folder that holds "${meta.name}"`);
        }
      }
      if (command.interrupted) break;
      await new Promise<void>((r) => (wake = r));
    }
    // A fresh snapshot: the last batch may be a moment old.
    await command.send({ type: 'snapshot' });
    out(`stopped seeding after uploading ${row?.uploadedTotal ?? 0} bytes`);
  } finally {
    await command.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
