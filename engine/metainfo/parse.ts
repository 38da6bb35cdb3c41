import { createHash } from 'node:crypto';
import {
  BencodeError,
  bytesToKey,
  bytesToText,
  decodeWithInfoSpan,
  getBytes,
  getDict,
  getInt,
  getList,
  isBytes,
  isDict,
  isInt,
  isList,
  type BDict,
  type BValue,
} from '../bencode/index.js';
import { toHex } from '../common/hex.js';
import { MetainfoError } from './errors.js';
import { resolveDuplicates, sanitizeElement, sanitizePath, TooManyDuplicatesError } from './sanitize.js';

export interface MetaFile {
  /** Sanitised components; for multi-file torrents the first is the torrent name. */
  path: string[];
  length: number;
  /** Byte offset of the file in the torrent's concatenated data. */
  offset: number;
  /** BEP 47 pad file (attr 'p', or BitComet's '_____padding_file_' naming): never written to disk. */
  padding: boolean;
  /** Raw BEP 47 attr letters ('' if none): 'p' pad, 'l' symlink, 'x' executable, 'h' hidden. */
  attr: string;
  /** BEP 47 symlink target, sanitised like paths and relative to the save folder (includes the name). */
  symlink?: string[];
}

/** Everything that comes from the info dict (what ut_metadata delivers for a magnet). */
export interface InfoMetainfo {
  /** SHA-1 over the exact bytes of the info dict. */
  infoHash: Uint8Array;
  infoHashHex: string;
  /** Sanitised torrent name (the info-hash in hex when nothing usable remains). */
  name: string;
  pieceLength: number;
  pieceCount: number;
  totalLength: number;
  /** 20 * pieceCount bytes of SHA-1 piece hashes. */
  pieces: Uint8Array;
  files: MetaFile[];
  private: boolean;
  /** The raw info dict bytes, exactly as received (for ut_metadata and write-back). */
  infoBytes: Uint8Array;
  multiFile: boolean;
  /** Hybrid v1+v2 torrent (parsed by its v1 part). */
  hybrid: boolean;
  warnings: string[];
}

export interface Metainfo extends InfoMetainfo {
  /** Tracker tiers: announce-list if present, else [[announce]]; trimmed, deduplicated, empties dropped. */
  announce: string[][];
  /** BEP 19 web seeds. */
  urlList: string[];
  comment?: string;
  createdBy?: string;
  creationDate?: number;
}

/** libtorrent's largest accepted piece size: (2^15 - 1) * 16 KiB. */
export const MAX_PIECE_LENGTH = 32767 * 16384;
/** libtorrent's load_torrent_limits.max_pieces. */
export const MAX_PIECES = 0x200000;
/** Largest file size / total size we accept (libtorrent's max file offset, 2^48 - 1). */
export const MAX_TOTAL_LENGTH = 2 ** 48 - 1;
/** Maximum number of path elements in a file path. */
export const MAX_PATH_DEPTH = 100;
/** Maximum number of collisions while renaming duplicate file names. */
export const MAX_DUPLICATE_PROBES = 500;

function fail(msg: string): never {
  throw new MetainfoError(`torrent: ${msg}`);
}

function bencodeFail(e: unknown): never {
  if (e instanceof BencodeError) {
    const m = e.message.replace(/^bencode: /, '');
    if (/not a dict/.test(m)) fail('file is not a bencoded dictionary');
    throw new MetainfoError(`torrent: invalid bencoding: ${m}`, { cause: e });
  }
  throw e;
}

/** Parses a .torrent file. Throws MetainfoError with a one-line reason. */
export function parseTorrent(buf: Uint8Array): Metainfo {
  let decoded;
  try {
    decoded = decodeWithInfoSpan(buf, { maxDepth: 100 });
  } catch (e) {
    bencodeFail(e);
  }
  const top = decoded.value;
  const info = top.get('info');
  if (!isDict(info) || decoded.infoSpan === undefined) fail("missing or invalid 'info' dictionary");
  const infoBytes = buf.subarray(decoded.infoSpan.start, decoded.infoSpan.end);
  const meta = parseInfoValue(info, infoBytes, decoded.warnings);

  const announce = parseTrackers(top);
  const urlList = parseUrlList(top.get('url-list'), meta.multiFile && meta.files.length > 1);
  const text = (k: string): string | undefined => {
    const b = getBytes(top, `${k}.utf-8`) ?? getBytes(top, k);
    return b === undefined || b.length === 0 ? undefined : bytesToText(b);
  };
  const creationDate = getInt(top, 'creation date');
  const result: Metainfo = { ...meta, announce, urlList };
  const comment = text('comment');
  const createdBy = text('created by');
  if (comment !== undefined) result.comment = comment;
  if (createdBy !== undefined) result.createdBy = createdBy;
  if (creationDate !== undefined && creationDate > 0) result.creationDate = creationDate;
  return result;
}

/** Parses a bare info dict (e.g. received through ut_metadata). */
export function parseInfoDict(infoBytes: Uint8Array): InfoMetainfo {
  let decoded;
  try {
    decoded = decodeWithInfoSpan(infoBytes, { maxDepth: 100 });
  } catch (e) {
    bencodeFail(e);
  }
  return parseInfoValue(decoded.value, infoBytes, decoded.warnings);
}

function trimUrl(b: BValue): string | undefined {
  if (!isBytes(b)) return undefined;
  const s = bytesToText(b).trim();
  return s === '' ? undefined : s;
}

function parseTrackers(top: BDict): string[][] {
  const seen = new Set<string>();
  const tiers: string[][] = [];
  const al = getList(top, 'announce-list');
  if (al) {
    for (const tierV of al) {
      const tier: string[] = [];
      for (const u of isList(tierV) ? tierV : [tierV]) {
        const s = trimUrl(u);
        if (s === undefined || seen.has(s)) continue;
        seen.add(s);
        tier.push(s);
      }
      if (tier.length > 0) tiers.push(tier);
    }
  }
  if (tiers.length === 0) {
    const a = top.get('announce');
    const s = a === undefined ? undefined : trimUrl(a);
    if (s !== undefined) tiers.push([s]);
  }
  return tiers;
}

function escapeUrl(u: string): string {
  // escape what may not appear raw in a URL, leave existing escapes alone
  return u.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

function parseUrlList(v: BValue | undefined, appendSlash: boolean): string[] {
  const items = v === undefined ? [] : isList(v) ? v : [v];
  const out: string[] = [];
  for (const it of items) {
    let s = trimUrl(it);
    if (s === undefined) continue;
    s = escapeUrl(s);
    if (appendSlash && !s.endsWith('/')) s += '/';
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

interface RawFile {
  raw: Uint8Array[]; // raw path elements (without the torrent name)
  length: number;
  attr: string;
  padding: boolean;
  symlink?: Uint8Array[];
  synthesised: boolean;
}

function bytesList(v: BValue | undefined, what: string): Uint8Array[] {
  if (!isList(v)) fail(`invalid ${what}`);
  return v.map((e) => {
    if (!isBytes(e)) fail(`invalid ${what}: element is not a string`);
    return e;
  });
}

const PAD_PREFIX = '_____padding_file_';

function parseFileEntry(e: BValue, index: number): RawFile {
  if (!isDict(e)) fail(`file ${index} is not a dictionary`);
  const attrB = getBytes(e, 'attr');
  const attr = attrB ? bytesToKey(attrB) : '';
  const isLink = attr.includes('l');
  const lv = e.get('length');
  let length: number;
  if (lv !== undefined && (!isInt(lv) || lv < 0)) fail(`invalid length of file ${index}`);
  if (lv === undefined && !isLink) fail(`invalid length of file ${index}`);
  // a symlink holds no data, whatever its 'length' says (as libtorrent)
  length = isLink ? 0 : (lv as number);
  if (length > MAX_TOTAL_LENGTH) fail(`file ${index} is too large`);
  const pathV = e.has('path.utf-8') && isList(e.get('path.utf-8')) ? e.get('path.utf-8') : e.get('path');
  let raw: Uint8Array[];
  let synthesised = false;
  if (pathV === undefined) {
    if (!attr.includes('p')) fail(`missing path of file ${index}`);
    raw = [Buffer.from('.pad'), Buffer.from(String(length))];
    synthesised = true;
  } else {
    raw = bytesList(pathV, `path of file ${index}`);
  }
  if (raw.length > MAX_PATH_DEPTH) fail(`path of file ${index} is deeper than ${MAX_PATH_DEPTH} levels`);
  const lastName = raw.length > 0 ? bytesToKey(raw[raw.length - 1]) : '';
  const padding = attr.includes('p') || lastName.startsWith(PAD_PREFIX);
  const f: RawFile = { raw, length, attr, padding, synthesised };
  if (isLink) {
    const sp = e.get('symlink path');
    if (sp === undefined) fail(`symlink file ${index} has no 'symlink path'`);
    f.symlink = bytesList(sp, `symlink path of file ${index}`);
  }
  return f;
}

function parseInfoValue(info: BDict, infoBytes: Uint8Array, warnings: string[]): InfoMetainfo {
  const metaVersion = getInt(info, 'meta version');
  const hasPieces = info.has('pieces');
  if (!hasPieces && (metaVersion === 2 || info.has('file tree'))) {
    fail('v2-only torrents (meta version 2 without v1 piece hashes) are not supported');
  }

  const pieceLength = info.get('piece length');
  if (!isInt(pieceLength) || pieceLength <= 0) fail("invalid or missing 'piece length'");
  if (pieceLength > MAX_PIECE_LENGTH) fail(`'piece length' ${pieceLength} exceeds the maximum ${MAX_PIECE_LENGTH}`);

  const nameB = getBytes(info, 'name.utf-8') ?? getBytes(info, 'name');
  if (nameB === undefined || nameB.every((x) => x === 0)) fail("missing or invalid 'name'");

  const infoHash = new Uint8Array(createHash('sha1').update(infoBytes).digest());
  const infoHashHex = toHex(infoHash);

  // files
  const raws: RawFile[] = [];
  const filesV = info.get('files');
  const multiFile = filesV !== undefined;
  if (multiFile) {
    if (!isList(filesV)) fail("invalid 'files' list");
    if (filesV.length === 0) fail('no files in torrent');
    filesV.forEach((e, i) => raws.push(parseFileEntry(e, i)));
  } else {
    const len = info.get('length');
    if (!isInt(len) || len < 0) fail('invalid or missing length of torrent');
    if (len > MAX_TOTAL_LENGTH) fail('torrent is too large');
    raws.push({ raw: [nameB], length: len, attr: '', padding: false, synthesised: false });
  }

  let total = 0;
  for (const f of raws) total += f.length;
  if (total === 0) fail('invalid length of torrent: total size is 0');
  if (total > MAX_TOTAL_LENGTH) fail('torrent is too large');
  const pieceCount = Math.ceil(total / pieceLength);
  if (pieceCount > MAX_PIECES) fail(`too many pieces in torrent (${pieceCount}, limit ${MAX_PIECES})`);

  const pieces = info.get('pieces');
  if (!isBytes(pieces)) fail("invalid or missing 'pieces'");
  if (pieces.length % 20 !== 0) fail(`'pieces' length ${pieces.length} is not a multiple of 20`);
  if (pieces.length / 20 !== pieceCount) {
    fail(`incorrect number of piece hashes: ${pieces.length / 20}, expected ${pieceCount}`);
  }

  const hybrid = hasPieces && metaVersion === 2 && isDict(info.get('file tree'));
  if (hybrid) checkHybrid(info, raws, nameB, multiFile, pieceLength);

  // names
  let name = sanitizeElement(nameB);
  if (name === null) {
    warnings.push('torrent name is unusable after sanitising; using the info-hash');
    name = infoHashHex;
  }
  const files: MetaFile[] = [];
  let offset = 0;
  for (const f of raws) {
    const mf: MetaFile = {
      path: multiFile ? [name, ...sanitizePath(f.raw)] : [name],
      length: f.length,
      offset,
      padding: f.padding,
      attr: f.attr,
    };
    offset += f.length;
    files.push(mf);
  }
  if (multiFile) {
    resolveSymlinks(files, raws, name);
    try {
      const view = files.map((f) => ({ path: f.path, skip: f.padding }));
      for (const i of resolveDuplicates(view, MAX_DUPLICATE_PROBES)) {
        warnings.push(`file ${i} renamed to '${view[i].path.join('/')}' (duplicate name)`);
        files[i].path = view[i].path;
      }
    } catch (e) {
      if (e instanceof TooManyDuplicatesError) fail('too many duplicate file names');
      throw e;
    }
  }

  return {
    infoHash,
    infoHashHex,
    name,
    pieceLength,
    pieceCount,
    totalLength: total,
    pieces,
    files,
    private: getInt(info, 'private') === 1,
    infoBytes,
    multiFile,
    hybrid,
    warnings,
  };
}

/** Hybrid torrents: the v1 file list must describe the same files as the v2 file tree. */
function checkHybrid(info: BDict, raws: RawFile[], nameB: Uint8Array, multiFile: boolean, pieceLength: number): void {
  const tree = getDict(info, 'file tree')!;
  const v2: { path: string; length: number }[] = [];
  const walk = (node: BDict, prefix: string[], depth: number): void => {
    if (depth > MAX_PATH_DEPTH) fail('v2 file tree is too deep');
    for (const [k, v] of node) {
      if (!isDict(v)) fail('failed to parse the v2 file tree');
      const leaf = v.get('');
      if (k !== '' && isDict(leaf)) {
        const len = getInt(leaf, 'length');
        if (len === undefined || len < 0) fail('failed to parse the v2 file tree');
        v2.push({ path: [...prefix, k].join('/'), length: len });
      } else {
        if (k === '') fail('failed to parse the v2 file tree');
        walk(v, [...prefix, k], depth + 1);
      }
    }
  };
  walk(tree, [], 0);
  const v1 = raws
    .filter((f) => !f.padding)
    .map((f) => ({ path: (multiFile ? f.raw : [nameB]).map(bytesToKey).join('/'), length: f.length }));
  const same = v1.length === v2.length && v1.every((f, i) => f.path === v2[i].path && f.length === v2[i].length);
  if (!same) fail('the v1 and v2 file metadata do not match');
  let offset = 0;
  for (const f of raws) {
    if (!f.padding && f.length > 0 && offset % pieceLength !== 0) {
      fail('the v1 and v2 file metadata do not match (file not aligned to a piece boundary)');
    }
    offset += f.length;
  }
}

/**
 * BEP 47 symlink targets are relative to the torrent root. Some creators write them relative to
 * the link's own folder instead (e.g. Versions/Current -> 'A'): if the root-relative target names
 * nothing in the torrent but the folder-relative one does, use that. Targets are sanitised like
 * file paths, so they point at the sanitised files.
 */
function resolveSymlinks(files: MetaFile[], raws: RawFile[], name: string): void {
  const known = new Set<string>();
  for (const f of files) {
    for (let i = 1; i <= f.path.length; i++) known.add(f.path.slice(0, i).join('/'));
  }
  files.forEach((f, i) => {
    const target = raws[i].symlink;
    if (!target) return;
    const rel = sanitizePath(target);
    const fromRoot = [name, ...rel];
    const fromDir = [...f.path.slice(0, -1), ...rel];
    f.symlink = !known.has(fromRoot.join('/')) && known.has(fromDir.join('/')) ? fromDir : fromRoot;
  });
}
