import { join, resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import type { EngineEvent, TorrentSummary } from '../api/types.js';
import { applyPatch } from '../api/diff.js';
import { countBits } from '../common/bitfield.js';
import { NETWORK_OPTIONS, intOption, networkOptions, numberOption, parseCommand, stringOption } from './args.js';
import { loadDownloadTarget } from './load.js';
import { ProgressBar } from './progress.js';
import { CliFailure } from './failure.js';
import { prepareOutDir } from './out-dir.js';
import { SessionCommand } from './session-command.js';

const USAGE =
  'tessera download <file.torrent|magnet> --out <dir> [--port <n>] [--seed-ratio <r>] [--peer host:port]... [--download-limit <B/s>] [--upload-limit <B/s>] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--dht-bootstrap host:port[,host:port…]] [--no-dht] [--no-lsd] [--no-port-mapping] [--no-holepunch] [--json] [--verbose]';

/** Resume data of `download` lives beside the files, so running the same command again continues. */
export const CLI_SESSION_FOLDER = '.tessera';

export async function downloadCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      out: { type: 'string', short: 'o' },
      port: { type: 'string', short: 'p' },
      'seed-ratio': { type: 'string' },
      ...NETWORK_OPTIONS,
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const outDir = stringOption(values.out);
  if (!outDir) throw new InputError(`--out <dir> is required. Usage: ${USAGE}`);
  const port = intOption(values.port, 'port', 0, 65535);
  const seedRatio = numberOption(values['seed-ratio'], 'seed-ratio', 0) ?? 0;
  const network = networkOptions(values);
  const verbose = values.verbose === true;
  const { id, source } = loadDownloadTarget(positionals[0]);
  const dir = resolve(outDir);
  prepareOutDir(dir);
  const started = performance.now();
  const bar = new ProgressBar();

  const list = new Map<string, TorrentSummary>();
  let verifiedPieces = 0;
  let wake: () => void = () => {};
  const onEvent = (e: EngineEvent): void => {
    if (e.kind === 'snapshot') {
      list.clear();
      for (const t of e.torrents) list.set(t.id, t);
    } else if (e.kind === 'batch') {
      for (const t of e.added) list.set(t.id, t);
      for (const p of e.changed) {
        const prev = list.get(p.id);
        if (prev) list.set(p.id, applyPatch(prev, p));
      }
      if (e.details?.pieces) verifiedPieces = countBits(e.details.pieces.have);
    }
    wake();
  };
  const command = await SessionCommand.open({
    dataDir: join(dir, CLI_SESSION_FOLDER),
    downloadDir: dir,
    listenPort: port,
    network,
    // Durability before records claim data stays on; TESSERA_DATA_SYNC=0 only for bench/throughput.ts's comparison.
    dataSync: process.env.TESSERA_DATA_SYNC !== '0',
    onEvent,
    verbose,
    beforeLog: () => bar.done(),
  });
  void command.stopped.then(() => wake());
  try {
    await command.send({ type: 'snapshot' });
    await command.applySettings();
    const existing = list.get(id);
    if (!existing) {
      await command.send({ type: 'add', source, savePath: dir });
    } else if (existing.state === 'paused' || existing.state === 'error') {
      await command.send({ type: 'resume', ids: [id] });
    }
    await command.addPeers(id);
    await command.send({ type: 'subscribe', id, topics: ['pieces'] });

    // Payload totals from earlier runs, so the summary counts only this run.
    let base: { down: number; up: number } | null = existing ? { down: existing.downloadedTotal, up: existing.uploadedTotal } : { down: 0, up: 0 };
    const done = (t: TorrentSummary): boolean =>
      t.state === 'seeding' && (seedRatio === 0 || t.uploadedTotal - (base?.up ?? 0) >= seedRatio * t.totalBytes);
    for (;;) {
      const t = list.get(id);
      if (t) {
        base ??= { down: t.downloadedTotal, up: t.uploadedTotal };
        if (t.state === 'error') throw new CliFailure(`${t.name}: ${t.error ?? t.stateReason}`);
        if (done(t) || command.interrupted) break;
        bar.draw({
          label: t.state === 'checking' ? 'checking' : t.name.length > 24 ? `${t.name.slice(0, 23)}…` : t.name,
          fraction: t.progress,
          downRate: t.downRate,
          upRate: t.upRate,
          peers: t.peers,
          etaSeconds: t.eta < 0 ? Infinity : t.eta,
        });
      }
      await new Promise<void>((r) => (wake = r));
    }
    bar.done();
    const t = list.get(id)!;
    const info = await command.send<{ pieceCount: number }>({ type: 'getInfo', id });
    const complete = t.state === 'seeding';
    const summary = {
      infoHash: id,
      name: t.name,
      totalBytes: t.totalBytes,
      downloadedBytes: t.downloadedTotal - (base?.down ?? 0),
      uploadedBytes: t.uploadedTotal - (base?.up ?? 0),
      verifiedPieces: complete ? info.pieceCount : verifiedPieces,
      pieceCount: info.pieceCount,
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      complete,
    };
    if (values.json) out(JSON.stringify(summary));
    else if (complete) out(`${t.name}: complete, ${summary.pieceCount} pieces verified in ${dir}`);
    if (!complete) throw new CliFailure(`interrupted at ${Math.round(t.progress * 100)}%; run the same command again to resume`);
  } finally {
    bar.done();
    await command.close();
  }
}
