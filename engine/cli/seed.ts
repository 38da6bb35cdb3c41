import { resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { ENCRYPTION_OPTIONS, HOLEPUNCH_OPTIONS, PORT_MAPPING_OPTIONS, encryptionOption, holepunchOption, portMappingOption, intOption, limitOption, listOption, parseCommand, parsePeerArg, stringOption, TRANSPORT_OPTIONS, transportOptions } from './args.js';
import { loadInput } from './load.js';
import { runTorrent } from './run-torrent.js';
import { CliFailure } from './failure.js';

const USAGE = 'tessera seed <file.torrent> --data <dir> [--port <n>] [--peer host:port]... [--upload-limit <B/s>] [--download-limit <B/s>] [--encryption prefer|require|disable] [--no-utp|--no-tcp] [--no-port-mapping] [--no-holepunch] [--verbose]';

export async function seedCommand(args: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseCommand(
    args,
    {
      data: { type: 'string', short: 'd' },
      port: { type: 'string', short: 'p' },
      peer: { type: 'string', multiple: true },
      'download-limit': { type: 'string' },
      'upload-limit': { type: 'string' },
      ...ENCRYPTION_OPTIONS,
      ...PORT_MAPPING_OPTIONS,
      ...TRANSPORT_OPTIONS,
      ...HOLEPUNCH_OPTIONS,
      verbose: { type: 'boolean', short: 'v' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const dataDir = stringOption(values.data);
  if (!dataDir) throw new InputError(`--data <dir> is required (the folder that holds the torrent's files). Usage: ${USAGE}`);
  const input = loadInput(positionals[0]);
  if (input.kind !== 'torrent') throw new InputError('seed needs a .torrent file, not a magnet link');
  const meta = input.meta;
  const dir = resolve(dataDir);
  let announced = false;
  const result = await runTorrent({
    source: { meta },
    dir,
    port: intOption(values.port, 'port', 0, 65535),
    peers: listOption(values.peer).map(parsePeerArg),
    verbose: values.verbose === true,
    limits: { download: limitOption(values['download-limit'], 'download-limit'), upload: limitOption(values['upload-limit'], 'upload-limit') },
    encryption: encryptionOption(values.encryption),
    portMapping: portMappingOption(values),
    transports: transportOptions(values),
    holepunch: holepunchOption(values),
    onListening: (port) => out(`listening on port ${port}`),
    until: (t) => {
      if (t.state === 'seeding' && !announced) {
        announced = true;
        out(`seeding ${meta.infoHashHex} (${meta.name}) from ${dir}`);
      }
      // Incomplete data: stop and say so rather than silently downloading.
      return t.state === 'downloading';
    },
  });
  const t = result.torrent;
  if (t.state === 'error') throw new CliFailure(`${meta.name}: ${t.errorReason ?? 'failed'}`);
  if (!t.complete && !result.interrupted) {
    throw new CliFailure(`the data in ${dir} is incomplete (${t.have.count}/${meta.pieceCount} pieces verified): point --data at the folder that holds "${meta.name}"`);
  }
  out(`stopped seeding after uploading ${t.uploadMeter.total} bytes`);
}
