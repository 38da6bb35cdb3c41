/**
 * BitTorrent v2 (BEP 52) metainfo pieces: the `file tree`, the `piece layers` and the hybrid
 * cross-check between a v1 file list and a v2 file tree. Pure; every failure is a MetainfoError
 * with a one-line reason (libtorrent's wording first, where it has one, then the detail).
 */
import { bytesToKey, getBytes, isBytes, isDict, isInt, isList, keyToBytes, type BDict, type BValue } from '../bencode/index.js';
import { toHex } from '../common/hex.js';
import { MetainfoError } from './errors.js';
import { BLOCK_SIZE, HASH_SIZE, equalBytes, pieceLayerCount, rootFromPieceLayer } from './merkle.js';

/**
 * Largest v2 file: libtorrent indexes merkle nodes with 32-bit ints, so a file may have fewer than
 * 2^30 - 1 blocks (its tree then has under 2^31 nodes).
 */
export const MAX_V2_FILE_LENGTH = (2 ** 30 - 1) * BLOCK_SIZE - 1;
/** Deepest folder nesting accepted in a file tree (same as MAX_PATH_DEPTH for v1 paths). */
const MAX_TREE_DEPTH = 100;

export interface V2File {
  /** Raw path elements below the torrent (the file tree keys), unsanitised. */
  raw: Uint8Array[];
  length: number;
  /** SHA-256 merkle root; absent for empty files and symlinks. */
  piecesRoot?: Uint8Array;
  attr: string;
  symlink?: Uint8Array[];
}

function fail(msg: string): never {
  throw new MetainfoError(`torrent: ${msg}`);
}

const PARSE_FAILED = 'failed to parse files from torrent file';

function bytesList(v: BValue | undefined, what: string): Uint8Array[] {
  if (!isList(v)) fail(`${PARSE_FAILED}: invalid ${what}`);
  return v.map((e) => {
    if (!isBytes(e)) fail(`${PARSE_FAILED}: invalid ${what}: element is not a string`);
    return e;
  });
}

function parseLeaf(props: BDict, raw: Uint8Array[]): V2File {
  const name = raw.map(bytesToKey).join('/');
  const attrB = getBytes(props, 'attr');
  const attr = attrB ? bytesToKey(attrB) : '';
  if (attr.includes('p')) fail(`a file in the v2 metadata has the pad attribute set ('${name}')`);
  const length = props.get('length');
  if (!isInt(length) || length < 0) fail(`${PARSE_FAILED}: invalid length of '${name}'`);
  if (attr.includes('l')) {
    // a symlink holds no data, whatever its length says (as for v1)
    return { raw, length: 0, attr, symlink: bytesList(props.get('symlink path'), `symlink path of '${name}'`) };
  }
  if (length > MAX_V2_FILE_LENGTH) fail(`invalid length of torrent: '${name}' is larger than ${MAX_V2_FILE_LENGTH} bytes`);
  const file: V2File = { raw, length, attr };
  if (length > 0) {
    const root = props.get('pieces root');
    if (!isBytes(root) || root.length !== HASH_SIZE || root.every((b) => b === 0)) {
      fail(`a v2 file entry has no root hash ('${name}')`);
    }
    file.piecesRoot = root;
  }
  return file;
}

/**
 * Walks a `file tree` in its (sorted) key order. A key whose dict holds a '' entry is a file and
 * may have nothing else; any other key is a folder. Empty keys, empty folders and a root that is
 * itself a file are refused.
 */
export function parseFileTree(tree: BValue | undefined): V2File[] {
  if (!isDict(tree)) fail("missing or invalid 'file tree'");
  const files: V2File[] = [];
  const walk = (node: BDict, prefix: Uint8Array[]): void => {
    if (prefix.length > MAX_TREE_DEPTH) fail(`${PARSE_FAILED}: the file tree is deeper than ${MAX_TREE_DEPTH} levels`);
    if (node.size === 0) fail(prefix.length === 0 ? 'no files in torrent (empty file tree)' : `${PARSE_FAILED}: empty folder '${prefix.map(bytesToKey).join('/')}'`);
    for (const [k, v] of node) {
      if (k === '') fail(`${PARSE_FAILED}: ${prefix.length === 0 ? 'the file tree root is a file' : 'empty file or folder name'}`);
      if (!isDict(v)) fail(`${PARSE_FAILED}: entry '${[...prefix.map(bytesToKey), k].join('/')}' is not a dictionary`);
      const path = [...prefix, keyToBytes(k)];
      const props = v.get('');
      if (props === undefined) {
        walk(v, path);
        continue;
      }
      if (!isDict(props) || v.size !== 1) fail(`${PARSE_FAILED}: file '${path.map(bytesToKey).join('/')}' has sibling entries`);
      files.push(parseLeaf(props, path));
    }
  };
  walk(tree, []);
  return files;
}

/** True when the tree is a single file at its root (a single-file torrent). */
export function isSingleFileTree(files: V2File[]): boolean {
  return files.length === 1 && files[0].raw.length === 1;
}

/**
 * Checks the top-level `piece layers` against the files' roots: each key is a known pieces root,
 * each value holds exactly the file's piece-layer hashes and merkles up to that root. Files may
 * lack a layer (it can be fetched from peers later). Returns layers keyed by hex root.
 */
export function parsePieceLayers(v: BValue | undefined, files: V2File[], pieceLength: number): Map<string, Uint8Array> {
  const layers = new Map<string, Uint8Array>();
  if (v === undefined) return layers;
  if (!isDict(v)) fail("a piece layer is invalid: 'piece layers' is not a dictionary");
  const lengthByRoot = new Map<string, number>();
  for (const f of files) if (f.piecesRoot) lengthByRoot.set(toHex(f.piecesRoot), f.length);
  const blocksPerPiece = pieceLength / BLOCK_SIZE;
  for (const [k, layer] of v) {
    const root = keyToBytes(k);
    if (root.length !== HASH_SIZE) fail(`a piece layer is invalid: key of ${root.length} bytes, not ${HASH_SIZE}`);
    const hex = toHex(root);
    if (!isBytes(layer)) fail(`a piece layer is invalid: the layer for ${hex.slice(0, 16)}… is not a string`);
    const fileLength = lengthByRoot.get(hex);
    if (fileLength === undefined) fail(`a piece layer is invalid: ${hex.slice(0, 16)}… is no file's pieces root`);
    const want = pieceLayerCount(fileLength, pieceLength) * HASH_SIZE;
    if (layer.length !== want) fail(`a piece layer is invalid: ${layer.length} bytes for ${hex.slice(0, 16)}…, expected ${want}`);
    if (!equalBytes(rootFromPieceLayer(layer, blocksPerPiece), root)) {
      fail(`a piece layer is invalid: the layer for ${hex.slice(0, 16)}… does not hash to its pieces root`);
    }
    layers.set(hex, layer);
  }
  return layers;
}

/** The v1 view of one file entry, as the v1 parser read it. */
export interface V1FileView {
  /** Path elements below the torrent name (the name itself for a single-file torrent). */
  raw: Uint8Array[];
  length: number;
  padding: boolean;
}

const MISMATCH = 'the v1 and v2 file metadata do not match';

/**
 * Hybrid torrents: the v1 file list must describe the same files as the v2 tree, in the same
 * order, with pad files placing every non-empty file where the v2 layout puts it (on a piece
 * boundary), and the same number of pieces. Returns, for each v1 entry, its v2 file (undefined
 * for pad files).
 */
export function crossCheckHybrid(v1: V1FileView[], v2: V2File[], pieceLength: number): (V2File | undefined)[] {
  const real = v1.filter((f) => !f.padding);
  if (real.length !== v2.length) fail(`${MISMATCH}: v1 lists ${real.length} files, v2 ${v2.length}`);
  const out: (V2File | undefined)[] = [];
  let v1Offset = 0;
  let v2Offset = 0;
  let v2End = 0;
  let j = 0;
  for (const f of v1) {
    if (f.padding) {
      out.push(undefined);
      v1Offset += f.length;
      continue;
    }
    const g = v2[j++];
    const p1 = f.raw.map(bytesToKey).join('/');
    const p2 = g.raw.map(bytesToKey).join('/');
    if (p1 !== p2) fail(`${MISMATCH}: file ${j - 1} is '${p1}' in v1 but '${p2}' in v2`);
    if (f.length !== g.length) fail(`${MISMATCH}: '${p1}' is ${f.length} bytes in v1 but ${g.length} in v2`);
    if (g.length > 0) {
      v2Offset = Math.ceil(v2Offset / pieceLength) * pieceLength;
      if (v1Offset !== v2Offset) {
        fail(`${MISMATCH}: '${p1}' starts at byte ${v1Offset} in v1 but at ${v2Offset} (piece-aligned) in v2`);
      }
      v2End = v2Offset + g.length;
    }
    out.push(g);
    v1Offset += f.length;
    v2Offset += g.length;
  }
  const v1Pieces = Math.ceil(v1Offset / pieceLength);
  const v2Pieces = Math.ceil(v2End / pieceLength);
  if (v1Pieces !== v2Pieces) fail(`${MISMATCH}: v1 spans ${v1Pieces} pieces, the v2 layout ${v2Pieces}`);
  return out;
}

/**
 * The v2-only file list in the shared piece address space: every non-empty file starts on a piece
 * boundary, so a multi-file torrent gets a pad entry after each non-empty file that does not end
 * on one (the last included), as libtorrent lists them. Pads have `pad` set.
 */
export function layoutV2(files: V2File[], pieceLength: number, single: boolean): (V2File & { pad: boolean })[] {
  const out: (V2File & { pad: boolean })[] = [];
  for (const f of files) {
    out.push({ ...f, pad: false });
    const tail = f.length % pieceLength;
    if (!single && f.length > 0 && tail !== 0) {
      const gap = pieceLength - tail;
      out.push({ raw: [keyToBytes('.pad'), keyToBytes(String(gap))], length: gap, attr: 'p', pad: true });
    }
  }
  return out;
}
