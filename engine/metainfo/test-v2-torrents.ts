/** Test help: v2 and hybrid .torrent bytes built in memory from file contents (no disk). */
import { createHash } from 'node:crypto';
import { bytesToKey, encode, type Encodable } from '../bencode/index.js';
import { BLOCK_SIZE, fileRoot, leafHashes, pieceLayer } from './merkle.js';

export interface TestFile {
  path: string[];
  data: Uint8Array;
}

type Dict = { [key: string]: Encodable | undefined };

export function content(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 29 + seed * 13 + (i >> 8)) & 0xff;
  return b;
}

/** A v2 (or hybrid) torrent; `single` makes a one-file torrent named after the file. */
export function buildV2(
  name: string,
  files: TestFile[],
  pieceLength: number,
  opts: { hybrid?: boolean; single?: boolean; top?: Dict; info?: Dict; mutateTree?: (tree: Dict) => void } = {},
): Uint8Array {
  const tree: Dict = Object.create(null) as Dict;
  const layers = new Map<string, Encodable>();
  const v1Files: Encodable[] = [];
  const v1Data: Uint8Array[] = [];
  for (const f of files) {
    const props: Dict = { length: f.data.length };
    if (f.data.length > 0) {
      const leaves = leafHashes(f.data);
      const root = fileRoot(leaves);
      props['pieces root'] = root;
      if (f.data.length > pieceLength) layers.set(bytesToKey(root), pieceLayer(leaves, pieceLength / BLOCK_SIZE));
    }
    let node = tree;
    for (const p of f.path) node = (node[p] ??= Object.create(null) as Dict) as Dict;
    node[''] = props;
    v1Files.push({ length: f.data.length, path: f.path });
    v1Data.push(f.data);
    const gap = (pieceLength - (f.data.length % pieceLength)) % pieceLength;
    if (!opts.single && f.data.length > 0 && gap > 0) {
      v1Files.push({ attr: 'p', length: gap, path: ['.pad', String(gap)] });
      v1Data.push(new Uint8Array(gap));
    }
  }
  opts.mutateTree?.(tree);
  const info: Dict = { 'file tree': tree, 'meta version': 2, name, 'piece length': pieceLength, ...opts.info };
  if (opts.hybrid) {
    const all = Buffer.concat(v1Data);
    const pieces: Buffer[] = [];
    for (let o = 0; o < all.length; o += pieceLength) pieces.push(createHash('sha1').update(all.subarray(o, o + pieceLength)).digest());
    info.pieces = Buffer.concat(pieces);
    if (opts.single) info.length = files[0].data.length;
    else info.files = v1Files;
    Object.assign(info, opts.info);
  }
  return encode({ ...opts.top, info, 'piece layers': layers });
}
