/**
 * A torrent's resume record: everything the session needs to list a torrent and
 * to restart it without rehashing, except the metainfo itself (kept beside it as
 * `<id>.torrent`, parsed only when the torrent starts).
 *
 * Encoding: one JSON object per record, `v` first. The bitfield travels as base64;
 * file stats as `[size, mtimeMs]` pairs. Decoding never throws: a corrupt or
 * foreign record gives `{ record: null, reason }` so one bad file costs one
 * torrent, not the session.
 */
import type { FilePriority, TorrentOptionValues } from '../../api/types.js';
import { Bitfield } from '../../common/bitfield.js';
import { MAX_PIECES } from '../../metainfo/parse.js';
import { CATEGORY_LIMITS, categoryProblem, sortedTags, tagProblem } from '../../api/categories.js';

export const RESUME_FORMAT_VERSION = 1;

/** Size and modification time of one file as `stat` saw it. Size -1: the file did not exist. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface FileRename {
  readonly file: number;
  /** Path components relative to the save folder, sanitised like metainfo paths. */
  readonly path: readonly string[];
}

/** Why the engine paused a torrent: a seeding goal it reached ("ratio goal 0.50 reached"). */
export interface GoalPause {
  readonly goal: 'ratio' | 'seedTime';
  readonly reason: string;
}

/** The torrent's own options (TORRENT_OPTION_FIELDS) are fields of the record too. */
export interface ResumeRecord extends Readonly<TorrentOptionValues> {
  /** v1 info hash, lowercase hex. */
  readonly id: string;
  readonly name: string;
  readonly savePath: string;
  /** Milliseconds since the epoch. */
  readonly addedAt: number;
  readonly completedAt: number | null;
  /** 0-based; -1 when complete and not queued. */
  readonly queuePosition: number;
  /** What the user asked for; the queue decides whether an 'active' torrent actually runs. */
  readonly intent: 'active' | 'paused';
  /**
   * Set when a seeding goal paused it (intent 'paused'), so after a restart it still says why and Resume
   * still offers to raise or ignore the goal; null when the user paused it, or it runs. Records written
   * before this field existed read as null.
   */
  readonly pausedFor: GoalPause | null;
  readonly forceStart: boolean;
  /** One per file; empty means every file 'normal' (also for magnets before metadata). */
  readonly filePriorities: readonly FilePriority[];
  readonly fileRenames: readonly FileRename[];
  readonly uploadedTotal: number;
  readonly downloadedTotal: number;
  readonly seedingSeconds: number;
  /** Verified pieces (length = piece count); null when never checked (or a magnet without metadata). */
  readonly have: Bitfield | null;
  /**
   * Per file, as observed when `have` was taken (see fast-resume.ts for the rules):
   * null for the whole array when never observed; a null entry for a file that had
   * a write in flight at the time (it will be rechecked).
   */
  readonly fileStats: readonly (FileStat | null)[] | null;
  /** Wall-clock ms taken just BEFORE the files were stat'ed. */
  readonly fileStatsAt: number;
  /**
   * True only when the stats were taken after this process stopped writing the
   * torrent's files for good (session shutdown): then equal mtimes are trusted even
   * when the last write was a moment before the stat.
   */
  readonly fileStatsFinal: boolean;
  /** For the torrent list without parsing the metainfo. */
  readonly totalBytes: number;
  readonly wantedBytes: number;
  readonly doneBytes: number;
  readonly error: string | null;
  /** Set while the metadata is unknown (added by magnet link); null once `<id>.torrent` exists. */
  readonly magnetUri: string | null;
  /** Host names of its trackers, so the list can filter by tracker without parsing the metainfo (issue 17). */
  readonly trackerHosts: readonly string[];
  /** The volume its save folder was on when it last ran (null: not known yet), so a start can tell an unmounted volume from missing files. */
  readonly saveVolume: SaveVolume | null;
}

/** What identifies the volume under a save folder: the folder's device number and the mount point above it. */
export interface SaveVolume {
  readonly dev: number;
  readonly mountPoint: string;
}

export type DecodeResult = { readonly record: ResumeRecord; readonly reason: null } | { readonly record: null; readonly reason: string };

/** Sensible defaults for a new torrent; the caller supplies what it knows. */
export function newResumeRecord(init: Pick<ResumeRecord, 'id' | 'name' | 'savePath' | 'addedAt'> & Partial<ResumeRecord>): ResumeRecord {
  return {
    completedAt: null,
    queuePosition: 0,
    intent: 'active',
    pausedFor: null,
    forceStart: false,
    filePriorities: [],
    fileRenames: [],
    ...DEFAULT_TORRENT_OPTIONS,
    uploadedTotal: 0,
    downloadedTotal: 0,
    seedingSeconds: 0,
    have: null,
    fileStats: null,
    fileStatsAt: 0,
    fileStatsFinal: false,
    totalBytes: 0,
    wantedBytes: 0,
    doneBytes: 0,
    error: null,
    magnetUri: null,
    trackerHosts: [],
    saveVolume: null,
    ...init,
  };
}

export const ID_RE = /^[0-9a-f]{40}$/;

export function isTorrentId(s: string): boolean {
  return ID_RE.test(s);
}

/** A magnet link that can fetch the torrent again when only its id survived. */
export function magnetForId(id: string, name?: string): string {
  return `magnet:?xt=urn:btih:${id}${name ? `&dn=${encodeURIComponent(name)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The torrent's own options

/** How one option is kept in the record: its value for a new torrent, and its check when read back. */
interface OptionField<T> {
  readonly initial: T;
  readonly decode: (o: Obj, key: string) => T;
  /** Records written before this option existed lack it: they read as `initial` (every other missing option is refused). */
  readonly addedLater?: true;
}

/**
 * One row per option of TorrentOptionValues (the compiler insists on every one), in the order
 * they are written. Entry, record and protocol copy options through this table's keys.
 */
export const TORRENT_OPTION_FIELDS: { readonly [K in keyof TorrentOptionValues]: OptionField<TorrentOptionValues[K]> } = {
  sequential: { initial: false, decode: (o, k) => bool(o, k) },
  firstLastPiecesFirst: { initial: false, decode: (o, k) => bool(o, k) },
  downloadLimit: { initial: null, decode: (o, k) => numOrNull(o, k, 0, false) },
  uploadLimit: { initial: null, decode: (o, k) => numOrNull(o, k, 0, false) },
  ratioLimit: { initial: null, decode: (o, k) => numOrNull(o, k, 0, false) },
  seedTimeLimitMinutes: { initial: null, decode: (o, k) => numOrNull(o, k, 0, false) },
  maxConnections: { initial: null, decode: (o, k) => numOrNull(o, k, 0, true) },
  trackers: { initial: null, decode: (o, k) => (field(o, k) === undefined ? null : trackerTiers(o, k)), addedLater: true },
  category: { initial: null, decode: (o, k) => (field(o, k) === undefined ? null : categoryOf(o, k)), addedLater: true },
  tags: { initial: [], decode: (o, k) => (field(o, k) === undefined ? [] : tagsOf(o, k)), addedLater: true },
};

function categoryOf(o: Obj, k: string): string | null {
  const v = field(o, k);
  if (v === null) return null;
  if (typeof v !== 'string' || categoryProblem(v) !== null) bad(`${k}: expected null or a category name`);
  return v;
}

function tagsOf(o: Obj, k: string): string[] {
  const v = field(o, k);
  if (!Array.isArray(v) || v.length > CATEGORY_LIMITS.maxTags || !v.every((t) => typeof t === 'string' && tagProblem(t) === null)) bad(`${k}: expected a list of up to ${CATEGORY_LIMITS.maxTags} tags`);
  return sortedTags(v as string[]);
}

const MAX_TIERS = 100;

function trackerTiers(o: Obj, k: string): string[][] | null {
  const v = field(o, k);
  if (v === null) return null;
  if (!Array.isArray(v) || v.length > MAX_TIERS) bad(`${k}: expected null or up to ${MAX_TIERS} tiers`);
  return (v as unknown[]).map((tier) => {
    if (!Array.isArray(tier) || tier.length === 0 || tier.length > MAX_TIERS || !tier.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 2048)) bad(`${k}: a tier must be a list of 1 to ${MAX_TIERS} URLs`);
    return [...(tier as string[])];
  });
}

/** The options of a torrent nobody has changed. */
export const DEFAULT_TORRENT_OPTIONS: Readonly<TorrentOptionValues> = Object.freeze(
  Object.fromEntries(Object.entries(TORRENT_OPTION_FIELDS).map(([k, f]) => [k, f.initial])) as unknown as TorrentOptionValues,
);

export const TORRENT_OPTION_KEYS = Object.keys(TORRENT_OPTION_FIELDS) as readonly (keyof TorrentOptionValues)[];

/** Copies one option; generic so that each key keeps its own value type. */
export function copyOption<K extends keyof TorrentOptionValues>(to: TorrentOptionValues, from: Readonly<TorrentOptionValues>, key: K): void {
  to[key] = from[key];
}

/** The options of anything that has them (an entry, a record), as a new object in table order. */
export function torrentOptionsOf(from: Readonly<TorrentOptionValues>): TorrentOptionValues {
  const out = { ...DEFAULT_TORRENT_OPTIONS };
  for (const k of TORRENT_OPTION_KEYS) copyOption(out, from, k);
  return out;
}

function decodeTorrentOptions(o: Obj): TorrentOptionValues {
  const out = { ...DEFAULT_TORRENT_OPTIONS };
  for (const k of TORRENT_OPTION_KEYS) decodeOption(out, o, k);
  return out;
}

function decodeOption<K extends keyof TorrentOptionValues>(to: TorrentOptionValues, o: Obj, key: K): void {
  to[key] = TORRENT_OPTION_FIELDS[key].decode(o, key);
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeResumeRecord(r: ResumeRecord): string {
  // Key order fixed: `v` first, small fields before the big ones.
  return JSON.stringify({
    v: RESUME_FORMAT_VERSION,
    id: r.id,
    name: r.name,
    savePath: r.savePath,
    addedAt: r.addedAt,
    completedAt: r.completedAt,
    queuePosition: r.queuePosition,
    intent: r.intent,
    pausedFor: r.pausedFor === null ? null : { goal: r.pausedFor.goal, reason: r.pausedFor.reason },
    forceStart: r.forceStart,
    ...torrentOptionsOf(r),
    uploadedTotal: r.uploadedTotal,
    downloadedTotal: r.downloadedTotal,
    seedingSeconds: r.seedingSeconds,
    totalBytes: r.totalBytes,
    wantedBytes: r.wantedBytes,
    doneBytes: r.doneBytes,
    error: r.error,
    magnetUri: r.magnetUri,
    trackerHosts: r.trackerHosts,
    saveVolume: r.saveVolume === null ? null : { dev: r.saveVolume.dev, mountPoint: r.saveVolume.mountPoint },
    pieceCount: r.have === null ? null : r.have.length,
    have: r.have === null ? null : Buffer.from(r.have.bytes.buffer, r.have.bytes.byteOffset, r.have.bytes.byteLength).toString('base64'),
    fileStatsAt: r.fileStatsAt,
    fileStatsFinal: r.fileStatsFinal,
    fileStats: r.fileStats === null ? null : r.fileStats.map((s) => (s === null ? null : [s.size, s.mtimeMs])),
    filePriorities: r.filePriorities,
    fileRenames: r.fileRenames.map((x) => [x.file, x.path]),
  });
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Larger than any real record (2M pieces = 350 KB of base64; 100k files of stats = 4 MB). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 1_000_000;
const MAX_TEXT = 64 * 1024;
const PRIORITIES: ReadonlySet<string> = new Set<FilePriority>(['skip', 'low', 'normal', 'high']);
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class Invalid extends Error {}

function bad(msg: string): never {
  throw new Invalid(msg);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Obj, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function str(o: Obj, k: string, opts: { nonEmpty?: boolean; max?: number } = {}): string {
  const v = field(o, k);
  if (typeof v !== 'string') bad(`${k}: expected a string`);
  if (opts.nonEmpty && v.length === 0) bad(`${k}: empty`);
  if (v.length > (opts.max ?? MAX_TEXT)) bad(`${k}: too long`);
  return v;
}

function strOrNull(o: Obj, k: string, max = MAX_TEXT): string | null {
  return field(o, k) === null ? null : str(o, k, { max });
}

function bool(o: Obj, k: string): boolean {
  const v = field(o, k);
  if (typeof v !== 'boolean') bad(`${k}: expected true or false`);
  return v;
}

/** A finite number; `int` requires a safe integer. */
function num(o: Obj, k: string, min: number, int: boolean): number {
  const v = field(o, k);
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${k}: expected a number`);
  if (int && !Number.isSafeInteger(v)) bad(`${k}: expected an integer`);
  if (v < min) bad(`${k}: below ${min}`);
  return v;
}

function numOrNull(o: Obj, k: string, min: number, int: boolean): number | null {
  return field(o, k) === null ? null : num(o, k, min, int);
}

function pathComponentOk(c: unknown): c is string {
  return (
    typeof c === 'string' &&
    c.length > 0 &&
    c.length <= 1024 &&
    c !== '.' &&
    c !== '..' &&
    !c.includes('/') &&
    !c.includes('\\') &&
    !c.includes('\0')
  );
}

function decodeHave(o: Obj): Bitfield | null {
  const count = field(o, 'pieceCount');
  const have = field(o, 'have');
  if (count === null && have === null) return null;
  const n = num(o, 'pieceCount', 0, true);
  if (n > MAX_PIECES) bad('pieceCount: too large');
  if (typeof have !== 'string' || !BASE64_RE.test(have)) bad('have: expected base64');
  const bytes = Buffer.from(have, 'base64');
  if (bytes.length !== Math.ceil(n / 8)) bad(`have: ${bytes.length} bytes for ${n} pieces`);
  if (!Bitfield.spareBitsClear(n, bytes)) bad('have: bits set past the last piece');
  return new Bitfield(n, bytes);
}

function decodeFileStats(o: Obj): (FileStat | null)[] | null {
  const v = field(o, 'fileStats');
  if (v === null) return null;
  if (!Array.isArray(v) || v.length > MAX_FILES) bad('fileStats: expected a list');
  return v.map((e: unknown, i): FileStat | null => {
    if (e === null) return null;
    if (!Array.isArray(e) || e.length !== 2) bad(`fileStats[${i}]: expected [size, mtimeMs]`);
    const [size, mtimeMs] = e as unknown[];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < -1) bad(`fileStats[${i}]: bad size`);
    if (typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) bad(`fileStats[${i}]: bad mtime`);
    return { size, mtimeMs };
  });
}

function decodePriorities(o: Obj): FilePriority[] {
  const v = field(o, 'filePriorities');
  if (!Array.isArray(v) || v.length > MAX_FILES) bad('filePriorities: expected a list');
  for (const p of v) if (typeof p !== 'string' || !PRIORITIES.has(p)) bad(`filePriorities: unknown priority ${JSON.stringify(p)}`);
  return v as FilePriority[];
}

function decodeRenames(o: Obj): FileRename[] {
  const v = field(o, 'fileRenames');
  if (!Array.isArray(v) || v.length > MAX_FILES) bad('fileRenames: expected a list');
  const seen = new Set<number>();
  return v.map((e: unknown): FileRename => {
    if (!Array.isArray(e) || e.length !== 2) bad('fileRenames: expected [file, path] pairs');
    const [file, path] = e as unknown[];
    if (typeof file !== 'number' || !Number.isSafeInteger(file) || file < 0 || file >= MAX_FILES) bad('fileRenames: bad file index');
    if (seen.has(file)) bad(`fileRenames: file ${file} renamed twice`);
    seen.add(file);
    if (!Array.isArray(path) || path.length === 0 || path.length > 100 || !path.every(pathComponentOk)) {
      bad(`fileRenames: unsafe path for file ${file}`);
    }
    return { file, path: path as string[] };
  });
}

const GOALS: ReadonlySet<string> = new Set<GoalPause['goal']>(['ratio', 'seedTime']);

function decodePausedFor(o: Obj): GoalPause | null {
  const v = field(o, 'pausedFor');
  if (v === undefined || v === null) return null;
  if (!isObj(v)) bad('pausedFor: expected null or { goal, reason }');
  const goal = field(v, 'goal');
  if (typeof goal !== 'string' || !GOALS.has(goal)) bad("pausedFor.goal: expected 'ratio' or 'seedTime'");
  const reason = field(v, 'reason');
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > 1024) bad('pausedFor.reason: expected 1 to 1024 characters');
  return { goal: goal as GoalPause['goal'], reason };
}

function decodeObject(o: Obj): ResumeRecord {
  const v = field(o, 'v');
  if (v !== RESUME_FORMAT_VERSION) {
    if (typeof v === 'number' && v > RESUME_FORMAT_VERSION) bad(`written by a newer Tessera (format ${v}, this one reads ${RESUME_FORMAT_VERSION})`);
    bad('not a resume record (bad version)');
  }
  const id = str(o, 'id');
  if (!ID_RE.test(id)) bad('id: expected 40 lowercase hex digits');
  const intent = field(o, 'intent');
  if (intent !== 'active' && intent !== 'paused') bad("intent: expected 'active' or 'paused'");
  const magnetUri = strOrNull(o, 'magnetUri', 1024 * 1024);
  if (magnetUri !== null && !magnetUri.startsWith('magnet:?')) bad('magnetUri: not a magnet link');
  const have = decodeHave(o);
  const fileStats = decodeFileStats(o);
  const filePriorities = decodePriorities(o);
  if (fileStats !== null && filePriorities.length > 0 && fileStats.length !== filePriorities.length) {
    bad(`filePriorities: ${filePriorities.length} for ${fileStats.length} files`);
  }
  return {
    id,
    name: str(o, 'name'),
    savePath: str(o, 'savePath', { nonEmpty: true }),
    addedAt: num(o, 'addedAt', 0, false),
    completedAt: numOrNull(o, 'completedAt', 0, false),
    queuePosition: num(o, 'queuePosition', -1, true),
    intent,
    pausedFor: decodePausedFor(o),
    forceStart: bool(o, 'forceStart'),
    filePriorities,
    fileRenames: decodeRenames(o),
    ...decodeTorrentOptions(o),
    uploadedTotal: num(o, 'uploadedTotal', 0, true),
    downloadedTotal: num(o, 'downloadedTotal', 0, true),
    seedingSeconds: num(o, 'seedingSeconds', 0, false),
    have,
    fileStats,
    fileStatsAt: num(o, 'fileStatsAt', -Infinity, false),
    fileStatsFinal: bool(o, 'fileStatsFinal'),
    totalBytes: num(o, 'totalBytes', 0, true),
    wantedBytes: num(o, 'wantedBytes', 0, true),
    doneBytes: num(o, 'doneBytes', 0, true),
    error: strOrNull(o, 'error'),
    magnetUri,
    trackerHosts: decodeTrackerHosts(o),
    saveVolume: decodeSaveVolume(o),
  };
}

/** Records written before the restart case of issue 15 lack it: not known until the torrent runs. */
function decodeSaveVolume(o: Obj): SaveVolume | null {
  const v = field(o, 'saveVolume');
  if (v === undefined || v === null) return null;
  if (!isObj(v)) bad('saveVolume: expected null or { dev, mountPoint }');
  return { dev: num(v, 'dev', 0, true), mountPoint: str(v, 'mountPoint', { nonEmpty: true }) };
}

/** Records written before issue 17 lack the hosts: none until the torrent runs (or its tiers change). */
function decodeTrackerHosts(o: Obj): string[] {
  const v = field(o, 'trackerHosts');
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_TIERS * MAX_TIERS || !v.every((h) => typeof h === 'string' && h.length > 0 && h.length <= 253)) bad('trackerHosts: expected a list of host names');
  return [...(v as string[])];
}

/** Validates every field. Never throws. */
export function decodeResumeRecord(input: string | Uint8Array): DecodeResult {
  if (input.length > MAX_RECORD_BYTES) return { record: null, reason: 'record too large' };
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { record: null, reason: text.length === 0 ? 'empty file' : 'not valid JSON (truncated or damaged)' };
  }
  if (!isObj(parsed)) return { record: null, reason: 'not a resume record (not an object)' };
  try {
    return { record: decodeObject(parsed), reason: null };
  } catch (err) {
    if (err instanceof Invalid) return { record: null, reason: err.message };
    throw err;
  }
}

/** Null when `r` encodes to a record that decodes again; else the reason (use before saving). */
export function checkResumeRecord(r: ResumeRecord): string | null {
  return decodeResumeRecord(encodeResumeRecord(r)).reason;
}
