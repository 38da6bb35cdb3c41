import { writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { parseTorrent } from '../metainfo/index.js';
import { createTorrent, type TorrentFormat } from '../metainfo/create.js';
import { intOption, listOption, parseCommand, stringOption } from './args.js';
import { ProgressBar } from './progress.js';

const USAGE =
  'tessera create <path> --out <file.torrent> [--format v1|v2|hybrid] [--tracker <url>]... [--piece-length <bytes>] [--private] [--comment <text>]';
const FORMATS: readonly TorrentFormat[] = ['v1', 'v2', 'hybrid'];

export async function createCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      out: { type: 'string', short: 'o' },
      tracker: { type: 'string', short: 't', multiple: true },
      'piece-length': { type: 'string' },
      private: { type: 'boolean' },
      comment: { type: 'string' },
      format: { type: 'string' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const outFile = stringOption(values.out);
  if (!outFile) throw new InputError(`--out <file.torrent> is required. Usage: ${USAGE}`);
  const source = resolve(positionals[0]);
  if (!existsSync(source)) throw new InputError(`${positionals[0]}: no such file or folder`);
  const pieceLength = intOption(values['piece-length'], 'piece-length', 16384, 64 * 1024 * 1024);
  if (pieceLength !== undefined && (pieceLength & (pieceLength - 1)) !== 0) {
    throw new InputError(`--piece-length must be a power of two (16384, 32768, …), got ${pieceLength}`);
  }
  const formatArg = stringOption(values.format) ?? 'v1';
  const format = FORMATS.find((f) => f === formatArg);
  if (!format) throw new InputError(`--format must be v1, v2 or hybrid, got ${JSON.stringify(formatArg)}`);
  const trackers = listOption(values.tracker);
  for (const t of trackers) {
    if (!/^(https?|udp):\/\/[^\s]+$/i.test(t)) throw new InputError(`--tracker must be an http(s):// or udp:// URL, got ${JSON.stringify(t)}`);
  }
  const bar = new ProgressBar();
  const started = performance.now();
  const bytes = await createTorrent(source, {
    trackers,
    pieceLength,
    private: values.private === true,
    comment: stringOption(values.comment),
    format,
    onProgress: (hashed, total) => {
      const secs = (performance.now() - started) / 1000;
      const rate = secs > 0 ? hashed / secs : 0;
      bar.draw({ label: 'hashing', fraction: total === 0 ? 1 : hashed / total, downRate: rate, upRate: 0, peers: 0, etaSeconds: rate > 0 ? (total - hashed) / rate : Infinity });
    },
  });
  bar.done();
  writeFileSync(outFile, bytes);
  const meta = parseTorrent(bytes);
  const files = meta.files.filter((f) => !f.padding).length;
  const hashes = [meta.version !== 2 ? `info hash ${meta.infoHashHex}` : '', meta.infoHashV2Hex ? `v2 info hash ${meta.infoHashV2Hex}` : ''].filter((x) => x !== '');
  out(`created ${outFile} (${format}): ${meta.name}, ${files} file(s), ${meta.pieceCount} pieces of ${meta.pieceLength} bytes, ${hashes.join(', ')}`);
}
