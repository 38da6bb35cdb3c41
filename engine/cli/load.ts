import { readFileSync, statSync } from 'node:fs';
import type { AddSource } from '../api/types.js';
import { InputError } from '../common/errors.js';
import { parseMagnet, parseTorrent, type MagnetLink, type Metainfo } from '../metainfo/index.js';

export type LoadedInput = { readonly kind: 'torrent'; readonly meta: Metainfo; readonly bytes: Uint8Array } | { readonly kind: 'magnet'; readonly magnet: MagnetLink };

const MAX_TORRENT_FILE = 64 * 1024 * 1024;

/** Reads a .torrent path or a magnet link given on the command line. */
export function loadInput(arg: string): LoadedInput {
  if (/^magnet:/i.test(arg)) return { kind: 'magnet', magnet: parseMagnet(arg) };
  let size: number;
  try {
    size = statSync(arg).size;
  } catch {
    throw new InputError(`cannot read ${arg}: no such file (give a .torrent file or a magnet: link)`);
  }
  if (size > MAX_TORRENT_FILE) throw new InputError(`${arg} is ${size} bytes, too large to be a .torrent file`);
  const bytes = readFileSync(arg);
  return { kind: 'torrent', meta: parseTorrent(bytes), bytes };
}

/** The torrent `download` and `stream` fetch: a .torrent path or a magnet link, its id (info hash) and its `add` source. */
export function loadDownloadTarget(arg: string): { readonly id: string; readonly source: AddSource } {
  const input = loadInput(arg);
  return input.kind === 'magnet' ? { id: input.magnet.infoHashHex, source: { kind: 'magnet', uri: arg } } : { id: input.meta.infoHashHex, source: { kind: 'torrent', data: input.bytes } };
}
