import { resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { intOption, limitOption, listOption, numberOption, parseCommand, parsePeerArg, stringOption } from './args.js';
import { loadInput } from './load.js';
import { runTorrent } from './run-torrent.js';
import { CliFailure } from './failure.js';

const USAGE = 'tessera download <file.torrent|magnet> --out <dir> [--port <n>] [--seed-ratio <r>] [--peer host:port]... [--download-limit <B/s>] [--upload-limit <B/s>] [--json] [--verbose]';

export async function downloadCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      out: { type: 'string', short: 'o' },
      port: { type: 'string', short: 'p' },
      'seed-ratio': { type: 'string' },
      peer: { type: 'string', multiple: true },
      'download-limit': { type: 'string' },
      'upload-limit': { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const outDir = stringOption(values.out);
  if (!outDir) throw new InputError(`--out <dir> is required. Usage: ${USAGE}`);
  const port = intOption(values.port, 'port', 0, 65535);
  const seedRatio = numberOption(values['seed-ratio'], 'seed-ratio', 0) ?? 0;
  const peers = listOption(values.peer).map(parsePeerArg);
  const verbose = values.verbose === true;
  const input = loadInput(positionals[0]);
  const dir = resolve(outDir);

  if (input.kind === 'magnet') peers.push(...input.magnet.peers);
  const result = await runTorrent({
    source: input.kind === 'magnet' ? { magnet: input.magnet } : { meta: input.meta },
    dir,
    port,
    peers,
    verbose,
    limits: { download: limitOption(values['download-limit'], 'download-limit'), upload: limitOption(values['upload-limit'], 'upload-limit') },
    until: (t) => t.complete && (seedRatio === 0 || t.uploadMeter.total >= seedRatio * t.meta.totalLength),
  });
  const meta = result.meta;
  const t = result.torrent;
  const summary = {
    infoHash: meta.infoHashHex,
    name: meta.name,
    totalBytes: meta.totalLength,
    downloadedBytes: t.downloadMeter.total,
    uploadedBytes: t.uploadMeter.total,
    wastedBytes: t.wastedBytes,
    verifiedPieces: t.have.count,
    pieceCount: meta.pieceCount,
    seconds: Number(result.seconds.toFixed(3)),
    complete: t.complete,
  };
  if (t.state === 'error') throw new CliFailure(`${meta.name}: ${t.errorReason ?? 'failed'}`);
  if (values.json) out(JSON.stringify(summary));
  else if (t.complete) out(`${meta.name}: complete, ${t.have.count}/${meta.pieceCount} pieces verified in ${dir}`);
  if (result.interrupted && !t.complete) {
    throw new CliFailure(`interrupted at ${t.have.count}/${meta.pieceCount} pieces; run the same command again to resume`);
  }
  if (!t.complete) throw new CliFailure(`stopped before the download completed (${t.have.count}/${meta.pieceCount} pieces)`);
}
