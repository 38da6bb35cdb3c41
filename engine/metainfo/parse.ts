import { createHash } from 'node:crypto';
import {
  BencodeError,
  bytesToKey,
  bytesToText,
  decodeWithInfoSpan,
  encode,
  getBytes,
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
import { BLOCK_SIZE, equalBytes, isPow2, sha256 } from './merkle.js';
import { crossCheckHybrid, isSingleFileTree, layoutV2, parseFileTree, parsePieceLayers, type V2File } from './v2.js';
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
  /** BEP 52 merkle root of the file (v2 and hybrid torrents; absent for empty files, symlinks, pads). */
  piecesRoot?: Uint8Array;
  /**
   * The path's components as the torrent's bytes spell them, unsanitised and undecoded (the torrent
   * name first, as in `path`): what a web seed's URLs are built from (BEP 19), since the server
   * names its files so. Absent for pad files synthesised from a v2 tree.
   */
  rawPath?: Uint8Array[];
}

/** 1: BEP 3 only; 2: BEP 52 only (no v1 piece hashes); 'hybrid': both, describing the same data. */
export type MetaVersion = 1 | 2 | 'hybrid';

/** Everything that comes from the info dict (what ut_metadata delivers for a magnet). */
export interface InfoMetainfo {
  /**
   * The 20-byte id used on the wire, with trackers and the DHT: SHA-1 over the exact bytes of the
   * info dict (v1, hybrid), or for v2-only torrents their SHA-256 truncated to 20 bytes (BEP 52).
   */
  infoHash: Uint8Array;
  /** Hex of `infoHash`: the torrent id (for v2-only torrents, the first 40 hex digits of infoHashV2). */
  infoHashHex: string;
  version: MetaVersion;
  /** SHA-256 over the exact bytes of the info dict (v2 and hybrid torrents only). */
  infoHashV2?: Uint8Array;
  infoHashV2Hex?: string;
  /** Sanitised torrent name (the info-hash in hex when nothing usable remains). */
  name: string;
  pieceLength: number;
  pieceCount: number;
  totalLength: number;
  /**
   * 20 * pieceCount bytes of SHA-1 piece hashes. EMPTY for v2-only torrents (`version === 2`):
   * their pieces are checked against the files' merkle trees (`piecesRoot`, piece layers) instead.
   */
  pieces: Uint8Array;
  files: MetaFile[];
  private: boolean;
  /** The raw info dict bytes, exactly as received (for ut_metadata and write-back). */
  infoBytes: Uint8Array;
  multiFile: boolean;
  /** Hybrid v1+v2 torrent (`version === 'hybrid'`): its v1 file list was checked against the v2 tree. */
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
  /** BEP 52 piece layers by hex pieces root (v2 and hybrid), each checked against its root. Files may lack one. */
  pieceLayers?: Map<string, Uint8Array>;
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
  const { meta, v2Files } = parseInfoValue(info, infoBytes, decoded.warnings);

  const announce = parseTrackers(top);
  const urlList = parseUrlList(top.get('url-list'), meta.multiFile && meta.files.length > 1);
  const text = (k: string): string | undefined => {
    const b = getBytes(top, `${k}.utf-8`) ?? getBytes(top, k);
    return b === undefined || b.length === 0 ? undefined : bytesToText(b);
  };
  const creationDate = getInt(top, 'creation date');
  const result: Metainfo = { ...meta, announce, urlList };
  if (v2Files) result.pieceLayers = parsePieceLayers(top.get('piece layers'), v2Files, meta.pieceLength);
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
  return parseInfoValue(decoded.value, infoBytes, decoded.warnings).meta;
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
  /** The matching v2 file tree entry (v2 and hybrid torrents). */
  v2?: V2File;
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

interface ParsedInfo {
  meta: InfoMetainfo;
  /** The v2 file tree (v2 and hybrid torrents), for checking the piece layers. */
  v2Files?: V2File[];
}

/** The v1 file entries: `files` (multi-file) or `length` (single file). */
function parseV1Files(info: BDict, nameB: Uint8Array): { raws: RawFile[]; multiFile: boolean } {
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
  return { raws, multiFile };
}

/** v2-only: the file list in piece address space (pads synthesised as libtorrent lists them). */
function rawsFromV2(v2: V2File[], pieceLength: number, single: boolean): RawFile[] {
  return layoutV2(v2, pieceLength, single).map((f) => {
    const r: RawFile = { raw: f.raw, length: f.length, attr: f.attr, padding: f.pad, synthesised: f.pad, v2: f.pad ? undefined : f };
    if (f.symlink) r.symlink = f.symlink;
    return r;
  });
}

function parseInfoValue(info: BDict, infoBytes: Uint8Array, warnings: string[]): ParsedInfo {
  // BEP 52: look at 'meta version' before anything else
  const metaVersion = info.get('meta version');
  if (metaVersion !== undefined && (!isInt(metaVersion) || metaVersion < 1)) fail("invalid 'meta version'");
  if (isInt(metaVersion) && metaVersion > 2) fail(`meta version ${metaVersion} is newer than this client supports (2)`);
  const hasV2 = metaVersion === 2;
  const hasV1 = info.has('pieces');

  const pieceLength = info.get('piece length');
  if (!isInt(pieceLength) || pieceLength <= 0) fail("invalid or missing 'piece length'");
  if (pieceLength > MAX_PIECE_LENGTH) fail(`'piece length' ${pieceLength} exceeds the maximum ${MAX_PIECE_LENGTH}`);
  if (hasV2 && (pieceLength < BLOCK_SIZE || !isPow2(pieceLength))) {
    fail(`invalid or missing 'piece length': ${pieceLength} (v2 needs a power of two of at least 16 KiB)`);
  }

  const nameB = getBytes(info, 'name.utf-8') ?? getBytes(info, 'name');
  if (nameB === undefined || nameB.every((x) => x === 0)) fail("missing or invalid 'name'");

  let v2Files: V2File[] | undefined;
  let infoHashV2: Uint8Array | undefined;
  if (hasV2) {
    // BEP 52: the v2 info-hash is only defined over canonical bencoding
    if (!equalBytes(encode(info), infoBytes)) fail('invalid bencoding: the v2 info dict is not canonical (unsorted or duplicate keys)');
    v2Files = parseFileTree(info.get('file tree'));
    infoHashV2 = sha256(infoBytes);
  }
  const infoHash = infoHashV2 && !hasV1 ? infoHashV2.slice(0, 20) : new Uint8Array(createHash('sha1').update(infoBytes).digest());
  const infoHashHex = toHex(infoHash);

  let raws: RawFile[];
  let multiFile: boolean;
  if (hasV1 || !v2Files) {
    ({ raws, multiFile } = parseV1Files(info, nameB));
  } else {
    multiFile = !isSingleFileTree(v2Files);
    raws = rawsFromV2(v2Files, pieceLength, !multiFile);
  }

  let total = 0;
  for (const f of raws) total += f.length;
  if (total === 0) fail('invalid length of torrent: total size is 0');
  if (total > MAX_TOTAL_LENGTH) fail('torrent is too large');
  const pieceCount = Math.ceil(total / pieceLength);
  if (pieceCount > MAX_PIECES) fail(`too many pieces in torrent (${pieceCount}, limit ${MAX_PIECES})`);

  // before counting v1 pieces, so that a layout mismatch is reported as such
  const hybrid = hasV1 && v2Files !== undefined;
  if (hybrid) {
    const views = raws.map((f) => ({ raw: multiFile ? f.raw : [nameB], length: f.length, padding: f.padding }));
    crossCheckHybrid(views, v2Files!, pieceLength).forEach((g, i) => {
      if (g) raws[i].v2 = g;
    });
  }

  let pieces: Uint8Array = new Uint8Array(0);
  if (hasV1 || !v2Files) {
    const p = info.get('pieces');
    if (!isBytes(p)) fail("invalid or missing 'pieces'");
    if (p.length % 20 !== 0) fail(`'pieces' length ${p.length} is not a multiple of 20`);
    if (p.length / 20 !== pieceCount) fail(`incorrect number of piece hashes: ${p.length / 20}, expected ${pieceCount}`);
    pieces = p;
  }

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
    if (!f.synthesised) mf.rawPath = multiFile ? [nameB, ...f.raw] : [nameB];
    if (f.v2?.piecesRoot) mf.piecesRoot = f.v2.piecesRoot;
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

  const meta: InfoMetainfo = {
    infoHash,
    infoHashHex,
    version: hybrid ? 'hybrid' : v2Files ? 2 : 1,
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
  if (infoHashV2) {
    meta.infoHashV2 = infoHashV2;
    meta.infoHashV2Hex = toHex(infoHashV2);
  }
  return v2Files ? { meta, v2Files } : { meta };
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
