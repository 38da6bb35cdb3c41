import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { encode, type Encodable } from '../bencode/index.js';
import { InputError } from '../common/errors.js';
import { scanSource } from './create-scan.js';
import { hashV2Source } from './create-v2.js';

/** v1 (BEP 3), v2 (BEP 52 only) or hybrid (both, with BEP 47 pad files aligning files to pieces). */
export type TorrentFormat = 'v1' | 'v2' | 'hybrid';

export interface CreateTorrentOptions {
  /** Each tracker becomes its own tier; the first is also `announce`. */
  trackers?: string[];
  /** Tiers as given (BEP 12), instead of `trackers`; the first URL is also `announce`. */
  tiers?: string[][];
  /** Power of two between 16 KiB and 16 MiB; default aims at 1000-2000 pieces. */
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  /** Default 'Tessera 0.1.0'. */
  createdBy?: string;
  /** Seconds since the epoch; default now. Pass null to omit (reproducible output). */
  creationDate?: number | null;
  /** Web seeds (url-list). */
  webSeeds?: string[];
  onProgress?: (hashedBytes: number, total: number) => void;
  /** Default 'v1'. */
  format?: TorrentFormat;
}

export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_CREATE_PIECE_LENGTH = 16 * 1024 * 1024;

/** Smallest power of two in [16 KiB, 16 MiB] giving at most ~2000 pieces. */
export function choosePieceLength(total: number): number {
  let pl = MIN_PIECE_LENGTH;
  while (pl < MAX_CREATE_PIECE_LENGTH && total / pl > 2000) pl *= 2;
  return pl;
}

/**
 * Creates a .torrent for a file or a folder (files sorted by path, hidden files included,
 * symlinks skipped). Hashing streams through one piece-sized buffer. v2 and hybrid torrents give
 * the info-hashes libtorrent's create_torrent gives for the same files and piece length.
 */
export async function createTorrent(target: string, opts: CreateTorrentOptions = {}): Promise<Uint8Array> {
  const src = await scanSource(target);
  const { name, single, total } = src;
  const entries = src.files;
  const pieceLength = opts.pieceLength ?? choosePieceLength(total);
  if (!Number.isInteger(pieceLength) || pieceLength < MIN_PIECE_LENGTH || pieceLength > MAX_CREATE_PIECE_LENGTH || (pieceLength & (pieceLength - 1)) !== 0) {
    throw new InputError(`create: piece length ${pieceLength} must be a power of two between 16 KiB and 16 MiB`);
  }
  const format = opts.format ?? 'v1';
  if (format !== 'v1') {
    const v2 = await hashV2Source(src, pieceLength, format === 'hybrid', opts.onProgress);
    const info: Record<string, Encodable | undefined> = { ...v2.info, name, 'piece length': pieceLength, private: opts.private ? 1 : undefined };
    return encode(topLevel(info, opts, v2.pieceLayers));
  }

  const pieceCount = Math.ceil(total / pieceLength);
  const pieces = new Uint8Array(pieceCount * 20);
  const buf = new Uint8Array(pieceLength);
  let fill = 0;
  let piece = 0;
  let hashed = 0;
  const flush = () => {
    pieces.set(createHash('sha1').update(buf.subarray(0, fill)).digest(), piece * 20);
    piece++;
    hashed += fill;
    fill = 0;
    opts.onProgress?.(hashed, total);
  };
  for (const e of entries) {
    const fh = await open(e.abs, 'r');
    try {
      let remaining = e.length;
      while (remaining > 0) {
        const want = Math.min(pieceLength - fill, remaining);
        const { bytesRead } = await fh.read(buf, fill, want, null);
        if (bytesRead === 0) throw new InputError(`create: ${e.abs} shrank while hashing`);
        fill += bytesRead;
        remaining -= bytesRead;
        if (fill === pieceLength) flush();
      }
    } finally {
      await fh.close();
    }
  }
  if (fill > 0) flush();

  const info: Record<string, Encodable | undefined> = {
    name,
    'piece length': pieceLength,
    pieces,
    private: opts.private ? 1 : undefined,
  };
  if (single) info.length = total;
  else info.files = entries.map((e) => ({ length: e.length, path: e.rel }));

  return encode(topLevel(info, opts));
}

function topLevel(info: Record<string, Encodable | undefined>, opts: CreateTorrentOptions, pieceLayers?: Map<string, Encodable>): Record<string, Encodable | undefined> {
  const tiers = (opts.tiers ?? (opts.trackers ?? []).map((t) => [t])).map((tier) => tier.map((t) => t.trim()).filter((t) => t !== '')).filter((tier) => tier.length > 0);
  const trackers = tiers.flat();
  const creationDate = opts.creationDate === undefined ? Math.floor(Date.now() / 1000) : opts.creationDate;
  const top: Record<string, Encodable | undefined> = {
    announce: trackers[0],
    'announce-list': trackers.length > 1 ? tiers : undefined,
    comment: opts.comment,
    'created by': opts.createdBy ?? 'Tessera 0.1.0',
    'creation date': creationDate ?? undefined,
    'url-list': opts.webSeeds && opts.webSeeds.length > 0 ? opts.webSeeds : undefined,
    info,
    'piece layers': pieceLayers,
  };
  return top;
}
