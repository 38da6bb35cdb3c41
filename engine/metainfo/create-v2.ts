/**
 * Hashing for v2 and hybrid torrent creation (BEP 52): per-file merkle trees over 16 KiB blocks,
 * piece layers for files longer than a piece, and for hybrids the v1 piece hashes over the same
 * piece-aligned layout, with a `.pad/<n>` file after every non-empty file that does not end on a
 * piece boundary (the last one included; none in a single-file torrent), as libtorrent does.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { bytesToKey, type Encodable } from '../bencode/index.js';
import { InputError } from '../common/errors.js';
import { BLOCK_SIZE, HASH_SIZE, blockCount, fileRoot, leafHashes, pieceLayer } from './merkle.js';
import type { Source, SourceFile } from './create-scan.js';

type Dict = { [key: string]: Encodable | undefined };

export interface V2Hashed {
  /** Info dict keys besides name, piece length and private. */
  info: Dict;
  /** Top-level `piece layers`, keyed by raw pieces root (latin1 key strings, as Map keys are). */
  pieceLayers: Map<string, Encodable>;
}

async function readFully(fh: FileHandle, buf: Uint8Array, n: number, file: string): Promise<void> {
  for (let got = 0; got < n; ) {
    const { bytesRead } = await fh.read(buf, got, n - got, null);
    if (bytesRead === 0) throw new InputError(`create: ${file} shrank while hashing`);
    got += bytesRead;
  }
}

/** A dict without a prototype: file names such as `__proto__` stay ordinary keys. */
function dict(): Dict {
  return Object.create(null) as Dict;
}

function insert(tree: Dict, rel: string[], props: Dict): void {
  let node = tree;
  for (const part of rel) {
    node[part] ??= dict();
    node = node[part] as Dict;
  }
  node[''] = props;
}

export async function hashV2Source(
  src: Source,
  pieceLength: number,
  hybrid: boolean,
  onProgress?: (hashedBytes: number, total: number) => void,
): Promise<V2Hashed> {
  const blocksPerPiece = pieceLength / BLOCK_SIZE;
  const buf = new Uint8Array(pieceLength);
  const tree = dict();
  const pieceLayers = new Map<string, Encodable>();
  const v1Pieces: Uint8Array[] = [];
  const v1Files: Encodable[] = [];
  let hashed = 0;

  const hashFile = async (f: SourceFile): Promise<Uint8Array> => {
    const leaves = new Uint8Array(blockCount(f.length) * HASH_SIZE);
    const fh = await open(f.abs, 'r');
    try {
      for (let done = 0; done < f.length; ) {
        const n = Math.min(pieceLength, f.length - done);
        await readFully(fh, buf, n, f.abs);
        leaves.set(leafHashes(buf.subarray(0, n)), (done / BLOCK_SIZE) * HASH_SIZE);
        if (hybrid) {
          // in a multi-file hybrid a pad file fills the rest of a file's last piece with zeros
          const padded = n < pieceLength && !src.single;
          if (padded) buf.fill(0, n);
          v1Pieces.push(new Uint8Array(createHash('sha1').update(buf.subarray(0, padded ? pieceLength : n)).digest()));
        }
        done += n;
        hashed += n;
        onProgress?.(hashed, src.total);
      }
    } finally {
      await fh.close();
    }
    return leaves;
  };

  for (const f of src.files) {
    const props: Dict = { length: f.length };
    if (f.length > 0) {
      const leaves = await hashFile(f);
      const root = fileRoot(leaves);
      props['pieces root'] = root;
      if (f.length > pieceLength) pieceLayers.set(bytesToKey(root), pieceLayer(leaves, blocksPerPiece));
    }
    insert(tree, f.rel, props);
    if (hybrid && !src.single) {
      v1Files.push({ length: f.length, path: f.rel });
      const gap = f.length % pieceLength === 0 ? 0 : pieceLength - (f.length % pieceLength);
      if (gap > 0) v1Files.push({ attr: 'p', length: gap, path: ['.pad', String(gap)] });
    }
  }

  const info: Dict = { 'file tree': tree, 'meta version': 2 };
  if (hybrid) {
    const pieces = new Uint8Array(v1Pieces.length * 20);
    v1Pieces.forEach((p, i) => pieces.set(p, i * 20));
    info.pieces = pieces;
    if (src.single) info.length = src.total;
    else info.files = v1Files;
  }
  return { info, pieceLayers };
}
