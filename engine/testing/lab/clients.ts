// Starting BitTorrent clients on a lab host: the reference clients of ../clients.ts run under the host's
// `ip netns exec` and listen on its lab address; Tessera runs from source like engine/test/interop/tessera-process.ts.
// Every process is adopted by the lab, so lab.close() stops it by PID if the test did not.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientHandle, type LibtorrentOptions, startLibtorrent, startTransmission, type TransmissionOptions } from '../clients.js';
import type { ProcessHandle } from '../processes.js';
import type { Lab } from './lab.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tesseraEntry = join(repo, 'engine', 'cli', 'tessera.ts');

/** `family` 6: the client listens on the host's lab IPv6 address instead of its IPv4 one. */
type LabClientOptions<T> = Omit<T, 'launcher' | 'bindAddress'> & { readonly family?: 4 | 6 };

export async function startLabLibtorrent(lab: Lab, host: string, opts: LabClientOptions<LibtorrentOptions>): Promise<ClientHandle> {
  const handle = await startLibtorrent({ ...opts, launcher: lab.launcher(host), bindAddress: lab.address(host, { family: opts.family }) });
  lab.adopt(handle.process);
  return handle;
}

export async function startLabTransmission(lab: Lab, host: string, opts: LabClientOptions<TransmissionOptions>): Promise<ClientHandle> {
  const handle = await startTransmission({ ...opts, launcher: lab.launcher(host), bindAddress: lab.address(host, { family: opts.family }) });
  lab.adopt(handle.process);
  return handle;
}

/**
 * `tessera <args>` from source on a lab host. `download` gets --no-dht and --no-lsd unless the caller chose DHT
 * options: the lab has no DHT bootstrap node, and nothing should wait on one. `lsd: true` leaves local service
 * discovery on (a lab segment is the only LAN it can reach).
 */
export function startLabTessera(lab: Lab, host: string, args: readonly string[], name: string, opts: { lsd?: boolean } = {}): ProcessHandle {
  const noLsd = args.includes('--no-lsd') || opts.lsd === true ? [] : ['--no-lsd'];
  const discovery = args[0] !== 'download' ? [] : [...(args.includes('--dht-bootstrap') || args.includes('--no-dht') ? [] : ['--no-dht']), ...noLsd];
  return lab.spawn(host, process.execPath, ['--import', 'tsx', tesseraEntry, ...args, ...discovery], { cwd: repo, name, killAfterMs: 5000 });
}
