/**
 * Strict validation of what crosses the UI -> engine boundary. Pure functions, no Node APIs (the
 * renderer imports this too). Nothing here throws on any input: every entry point returns a result.
 *
 * Errors name the field: `{ name: 'InvalidCommand', message: 'command.ids[2] must be a 40-character
 * lowercase hex info hash' }` (shown to people as `InvalidCommand: command.ids[2] ...`, see
 * formatApiError).
 *
 * Validated values are fresh copies holding only the known fields (a Uint8Array torrent file is passed
 * through by reference, not copied), so a caller can never see a field change after validation.
 */
import type {
  AddSource,
  ApiErrorShape,
  Command,
  CommandType,
  DetailTopic,
  EncryptionPolicy,
  FilePriority,
  QueueMove,
  Request,
  Settings,
  TorrentId,
  TorrentOptions,
  WeeklySchedule,
} from './types.js';

/** The bounds the validators enforce. */
export const LIMITS = {
  /** Ids in one command. */
  maxIds: 10_000,
  /** Rate limits in bytes/s (null means unlimited). */
  maxRate: 2 ** 40,
  /** Paths, in UTF-16 code units. */
  maxPathLength: 4096,
  /** A .torrent file handed to 'add'. */
  maxTorrentBytes: 64 * 1024 * 1024,
  /** A magnet URI, in UTF-16 code units. */
  maxMagnetLength: 64 * 1024,
  /** File indices in one setFilePriority, and entries in add.filePriorities. */
  maxFiles: 1_000_000,
  /** maxActiveDownloads, maxActiveSeeds. */
  maxQueueSize: 10_000,
  uploadSlotsMax: 10_000,
  /** maxConnections (global, per torrent, per-torrent option). */
  maxConnections: 65_535,
  maxMinutes: 1_000_000,
  maxRatio: 10_000,
  /** Minutes in a day, minus one: WeeklySchedule.from/to. */
  maxMinuteOfDay: 1439,
} as const;

export const COMMAND_TYPES: readonly CommandType[] = [
  'add',
  'inspect',
  'remove',
  'pause',
  'resume',
  'forceStart',
  'recheck',
  'queueMove',
  'setFilePriority',
  'setTorrentOptions',
  'renameFile',
  'moveStorage',
  'getInfo',
  'getSettings',
  'setSettings',
  'subscribe',
  'addPeers',
  'snapshot',
];
/** host:port with a port 1..65535, or [v6]:port. */
const PEER_RE = /^(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9.-]{1,253}):(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$/;

export const FILE_PRIORITIES: readonly FilePriority[] = ['skip', 'low', 'normal', 'high'];
export const QUEUE_MOVES: readonly QueueMove[] = ['up', 'down', 'top', 'bottom'];
export const DETAIL_TOPICS: readonly DetailTopic[] = ['peers', 'files', 'trackers', 'pieces'];
export const SEED_GOAL_ACTIONS: readonly Settings['seedGoalAction'][] = ['pause', 'remove'];
export const ENCRYPTION_POLICIES: readonly EncryptionPolicy[] = ['prefer', 'require', 'disable'];

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  downloadDir: '', // the OS default, filled in by the session
  listenPort: 6881,
  maxActiveDownloads: 3,
  maxActiveSeeds: 5,
  stalledAfterMinutes: 5,
  downloadLimit: null,
  uploadLimit: null,
  altDownloadLimit: null,
  altUploadLimit: null,
  altLimitsEnabled: false,
  altSchedule: null,
  maxConnections: 500,
  maxConnectionsPerTorrent: 100,
  uploadSlotsPerTorrent: 4,
  ratioLimit: null,
  seedTimeLimitMinutes: null,
  seedGoalAction: 'pause',
  dht: true,
  pex: true,
  lsd: true,
  encryption: 'prefer',
});

export type ParseResult =
  | { ok: true; request: Request }
  | { ok: false; requestId: number | null; error: ApiErrorShape };

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

/** `InvalidCommand: command.ids[2] must be ...` */
export function formatApiError(e: ApiErrorShape): string {
  return `${e.name}: ${e.message}`;
}

export function isTorrentId(v: unknown): v is TorrentId {
  return typeof v === 'string' && INFO_HASH.test(v);
}

export function isRequestId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function isCommandType(v: unknown): v is CommandType {
  return typeof v === 'string' && (COMMAND_TYPES as readonly string[]).includes(v);
}

/** Validates a request from a UI. Never throws. */
export function parseRequest(raw: unknown): ParseResult {
  let requestId: number | null = null;
  try {
    if (!isPlainObject(raw)) fail('request', 'must be an object');
    const rid = own(raw, 'requestId');
    if (isRequestId(rid)) requestId = rid;
    if (own(raw, 'kind') !== 'request') fail('kind', "must be 'request'");
    if (!isRequestId(rid)) fail('requestId', 'must be a non-negative safe integer');
    knownKeys(raw, '', REQUEST_KEYS);
    const command = parseCommand(own(raw, 'command'), 'command');
    return { ok: true, request: { kind: 'request', requestId: rid, command } };
  } catch (e) {
    return { ok: false, requestId, error: toApiError(e, 'InvalidCommand') };
  }
}

/** Validates a command on its own (the path in messages starts with `command`). Never throws. */
export function validateCommand(raw: unknown): Validated<Command> {
  return attempt('InvalidCommand', () => parseCommand(raw, 'command'));
}

/** Validates complete settings (e.g. loaded from disk): every key present, no unknown keys. Never throws. */
export function validateSettings(raw: unknown): Validated<Settings> {
  return attempt('InvalidSettings', () => parseSettings(raw, 'settings'));
}

/**
 * Validates a partial settings object (only known keys, each valid). Never throws. To load settings
 * persisted by an older version, validate as a patch and merge onto DEFAULT_SETTINGS.
 */
export function validateSettingsPatch(raw: unknown): Validated<Partial<Settings>> {
  return attempt('InvalidSettings', () => parseSettingsPatch(raw, 'settings'));
}

/** A new Settings: base with the patch's defined keys applied. */
export function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
  const out: Settings = { ...base };
  for (const k of SETTINGS_KEYS) copyKey(out, patch, k);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Internals

const INFO_HASH = /^[0-9a-f]{40}$/;
const REQUEST_KEYS = ['kind', 'requestId', 'command'] as const;

class Invalid {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {}
}

function fail(path: string, reason: string): never {
  throw new Invalid(path, reason);
}

function toApiError(e: unknown, name: string): ApiErrorShape {
  if (e instanceof Invalid) return { name, message: e.path === '' ? e.reason : `${e.path} ${e.reason}` };
  // A Proxy trap or getter that throws, or a stack overflow: report without echoing the input.
  return { name, message: 'the value could not be read' };
}

function attempt<T>(name: string, f: () => T): Validated<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: toApiError(e, name) };
  }
}

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  // Object.prototype of this or another realm (structured clone from a worker), or a null prototype.
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function keyPath(base: string, key: string): string {
  const shown = /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 64 ? key.slice(0, 64) + '…' : key)}]`;
  if (base === '') return shown.startsWith('.') ? shown.slice(1) : shown;
  return base + shown;
}

function knownKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(keyPath(path, k), 'is not a known field');
}

function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  knownKeys(v, path, allowed);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v;
}

function optBool(v: unknown, path: string): boolean | undefined {
  return v === undefined ? undefined : bool(v, path);
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `must be an integer from ${min} to ${max}`);
  return v;
}

function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(path, `must be a number from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, set: readonly T[]): T {
  if (typeof v !== 'string' || !(set as readonly string[]).includes(v)) fail(path, `must be one of ${set.map((s) => `'${s}'`).join(', ')}`);
  return v as T;
}

function array(v: unknown, path: string, maxLength: number, minLength = 0): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if (v.length < minLength || v.length > maxLength) {
    fail(path, minLength > 0 ? `must have ${minLength} to ${maxLength} entries` : `must have at most ${maxLength} entries`);
  }
  return v;
}

function torrentId(v: unknown, path: string): TorrentId {
  if (!isTorrentId(v)) fail(path, 'must be a 40-character lowercase hex info hash');
  return v;
}

function torrentIds(v: unknown, path: string): TorrentId[] {
  const a = array(v, path, LIMITS.maxIds, 1);
  const out: TorrentId[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < a.length; i++) {
    const id = torrentId(a[i], `${path}[${i}]`);
    if (seen.has(id)) fail(`${path}[${i}]`, 'repeats an earlier id');
    seen.add(id);
    out.push(id);
  }
  return out;
}

function idsOrAll(v: unknown, path: string): TorrentId[] | 'all' {
  if (v === 'all') return 'all';
  if (!Array.isArray(v)) fail(path, "must be 'all' or an array of info hashes");
  return torrentIds(v, path);
}

/** A filesystem path: a string of at most 4096 code units without NUL; `allowEmpty` for downloadDir. */
function fsPath(v: unknown, path: string, allowEmpty: boolean): string {
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (!allowEmpty && v.length === 0) fail(path, 'must not be empty');
  if (v.length > LIMITS.maxPathLength) fail(path, `must be at most ${LIMITS.maxPathLength} characters`);
  if (v.includes('\0')) fail(path, 'must not contain NUL');
  return v;
}

/** A path inside the torrent: relative, '/'-separated, no empty, '.' or '..' components, no '\' or drive letter. */
function relativePath(v: unknown, path: string): string {
  const s = fsPath(v, path, false);
  if (s.startsWith('/')) fail(path, "must be relative (no leading '/')");
  if (s.includes('\\')) fail(path, "must use '/' as the separator (no '\\')");
  if (/^[A-Za-z]:/.test(s)) fail(path, 'must be relative (no drive letter)');
  for (const part of s.split('/')) {
    if (part === '..') fail(path, "must not contain a '..' component");
    if (part === '' || part === '.') fail(path, "must not contain empty or '.' components");
  }
  return s;
}

function rate(v: unknown, path: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > LIMITS.maxRate) {
    fail(path, `must be null (unlimited) or an integer from 0 to ${LIMITS.maxRate} bytes/s`);
  }
  return v;
}

function nullable<T>(check: (v: unknown, path: string) => T): (v: unknown, path: string) => T | null {
  return (v, path) => (v === null ? null : check(v, path));
}

function isU8(v: unknown): v is Uint8Array {
  if (!ArrayBuffer.isView(v)) return false;
  // The typed array's real kind (its internal slot), robust across realms and against a faked Symbol.toStringTag.
  return typedArrayName(v) === 'Uint8Array';
}

const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag)?.get;

function typedArrayName(v: ArrayBufferView): string | undefined {
  const name: unknown = typedArrayTag?.call(v);
  return typeof name === 'string' ? name : undefined;
}

function addSource(v: unknown, path: string): AddSource {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  const kind = own(v, 'kind');
  if (kind === 'torrent') {
    knownKeys(v, path, ['kind', 'data']);
    const data = own(v, 'data');
    if (!isU8(data)) fail(`${path}.data`, 'must be a Uint8Array holding the .torrent file');
    if (data.byteLength === 0) fail(`${path}.data`, 'must not be empty');
    if (data.byteLength > LIMITS.maxTorrentBytes) fail(`${path}.data`, `must be at most ${LIMITS.maxTorrentBytes} bytes`);
    return { kind: 'torrent', data };
  }
  if (kind === 'magnet') {
    knownKeys(v, path, ['kind', 'uri']);
    const uri = own(v, 'uri');
    if (typeof uri !== 'string' || uri.slice(0, 7).toLowerCase() !== 'magnet:') fail(`${path}.uri`, "must be a string starting with 'magnet:'");
    if (uri.length > LIMITS.maxMagnetLength) fail(`${path}.uri`, `must be at most ${LIMITS.maxMagnetLength} characters`);
    if (uri.includes('\0')) fail(`${path}.uri`, 'must not contain NUL');
    return { kind: 'magnet', uri };
  }
  return fail(`${path}.kind`, "must be 'torrent' or 'magnet'");
}

function schedule(v: unknown, path: string): WeeklySchedule {
  const o = object(v, path, ['days', 'from', 'to']);
  const rawDays = array(own(o, 'days'), `${path}.days`, 7);
  const days: number[] = [];
  for (let i = 0; i < rawDays.length; i++) {
    const d = int(rawDays[i], `${path}.days[${i}]`, 0, 6);
    if (days.includes(d)) fail(`${path}.days[${i}]`, 'repeats an earlier day');
    days.push(d);
  }
  return {
    days,
    from: int(own(o, 'from'), `${path}.from`, 0, LIMITS.maxMinuteOfDay),
    to: int(own(o, 'to'), `${path}.to`, 0, LIMITS.maxMinuteOfDay),
  };
}

type Check<T> = (v: unknown, path: string) => T;

const SETTING_CHECKS: { [K in keyof Settings]-?: Check<Settings[K]> } = {
  downloadDir: (v, p) => fsPath(v, p, true),
  listenPort: (v, p) => int(v, p, 0, 65_535),
  maxActiveDownloads: (v, p) => int(v, p, 1, LIMITS.maxQueueSize),
  maxActiveSeeds: (v, p) => int(v, p, 1, LIMITS.maxQueueSize),
  stalledAfterMinutes: (v, p) => int(v, p, 0, LIMITS.maxMinutes),
  downloadLimit: rate,
  uploadLimit: rate,
  altDownloadLimit: rate,
  altUploadLimit: rate,
  altLimitsEnabled: bool,
  altSchedule: nullable(schedule),
  maxConnections: (v, p) => int(v, p, 1, LIMITS.maxConnections),
  maxConnectionsPerTorrent: (v, p) => int(v, p, 1, LIMITS.maxConnections),
  uploadSlotsPerTorrent: (v, p) => int(v, p, 1, LIMITS.uploadSlotsMax),
  ratioLimit: nullable((v, p) => num(v, p, 0, LIMITS.maxRatio)),
  seedTimeLimitMinutes: nullable((v, p) => int(v, p, 0, LIMITS.maxMinutes)),
  seedGoalAction: (v, p) => oneOf(v, p, SEED_GOAL_ACTIONS),
  dht: bool,
  pex: bool,
  lsd: bool,
  encryption: (v, p) => oneOf(v, p, ENCRYPTION_POLICIES),
};

/** Every Settings key, in declaration order. */
export const SETTINGS_KEYS = Object.keys(SETTING_CHECKS) as readonly (keyof Settings)[];

function setChecked<T, K extends keyof T>(out: Partial<T>, checks: { [P in keyof T]-?: Check<T[P]> }, k: K, v: unknown, path: string): void {
  out[k] = checks[k](v, path);
}

function copyKey<K extends keyof Settings>(out: Settings, patch: Partial<Settings>, k: K): void {
  const v = patch[k];
  if (v !== undefined) out[k] = v as Settings[K];
}

function parseSettingsPatch(v: unknown, path: string): Partial<Settings> {
  const o = object(v, path, SETTINGS_KEYS);
  const out: Partial<Settings> = {};
  for (const k of SETTINGS_KEYS) {
    const x = own(o, k);
    if (x !== undefined) setChecked(out, SETTING_CHECKS, k, x, `${path}.${k}`);
  }
  return out;
}

function parseSettings(v: unknown, path: string): Settings {
  const o = object(v, path, SETTINGS_KEYS);
  for (const k of SETTINGS_KEYS) if (own(o, k) === undefined) fail(`${path}.${k}`, 'is missing');
  return parseSettingsPatch(o, path) as Settings;
}

const OPTION_CHECKS: { [K in keyof TorrentOptions]-?: Check<TorrentOptions[K]> } = {
  downloadLimit: rate,
  uploadLimit: rate,
  sequential: optBool,
  firstLastPiecesFirst: optBool,
  ratioLimit: nullable((v, p) => num(v, p, 0, LIMITS.maxRatio)),
  seedTimeLimitMinutes: nullable((v, p) => int(v, p, 0, LIMITS.maxMinutes)),
  maxConnections: nullable((v, p) => int(v, p, 1, LIMITS.maxConnections)),
};
const OPTION_KEYS = Object.keys(OPTION_CHECKS) as readonly (keyof TorrentOptions)[];

function torrentOptions(v: unknown, path: string): TorrentOptions {
  const o = object(v, path, OPTION_KEYS);
  const out: TorrentOptions = {};
  for (const k of OPTION_KEYS) {
    const x = own(o, k);
    if (x !== undefined) setChecked(out, OPTION_CHECKS, k, x, `${path}.${k}`);
  }
  return out;
}

function fileIndex(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'must be a non-negative integer file index');
  return v;
}

function fileIndices(v: unknown, path: string): number[] {
  const a = array(v, path, LIMITS.maxFiles, 1);
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) {
    const f = fileIndex(a[i], `${path}[${i}]`);
    if (seen.has(f)) fail(`${path}[${i}]`, 'repeats an earlier file index');
    seen.add(f);
    out.push(f);
  }
  return out;
}

function priorities(v: unknown, path: string): FilePriority[] {
  const a = array(v, path, LIMITS.maxFiles);
  const out: FilePriority[] = [];
  for (let i = 0; i < a.length; i++) out.push(oneOf(a[i], `${path}[${i}]`, FILE_PRIORITIES));
  return out;
}

function topics(v: unknown, path: string): DetailTopic[] {
  const a = array(v, path, DETAIL_TOPICS.length);
  const out: DetailTopic[] = [];
  for (let i = 0; i < a.length; i++) {
    const t = oneOf(a[i], `${path}[${i}]`, DETAIL_TOPICS);
    if (out.includes(t)) fail(`${path}[${i}]`, 'repeats an earlier topic');
    out.push(t);
  }
  return out;
}

const COMMAND_KEYS: { [K in CommandType]: readonly string[] } = {
  add: ['source', 'savePath', 'paused', 'filePriorities', 'queueTop', 'stopAfterMetadata'],
  inspect: ['source'],
  remove: ['ids', 'deleteData'],
  addPeers: ['id', 'peers'],
  pause: ['ids'],
  resume: ['ids'],
  forceStart: ['ids', 'enabled'],
  recheck: ['ids'],
  queueMove: ['ids', 'to'],
  setFilePriority: ['id', 'files', 'priority'],
  setTorrentOptions: ['id', 'options'],
  renameFile: ['id', 'file', 'newPath'],
  moveStorage: ['id', 'savePath'],
  getInfo: ['id'],
  getSettings: [],
  setSettings: ['settings'],
  subscribe: ['id', 'topics'],
  snapshot: [],
};

function parseCommand(v: unknown, path: string): Command {
  if (!isPlainObject(v)) fail(path, 'must be an object');
  const type = own(v, 'type');
  if (!isCommandType(type)) {
    fail(`${path}.type`, typeof type === 'string' ? 'is not a known command' : 'must be a command name string');
  }
  knownKeys(v, path, ['type', ...COMMAND_KEYS[type]]);
  const f = (k: string): unknown => own(v, k);
  const p = (k: string): string => `${path}.${k}`;
  switch (type) {
    case 'add': {
      const cmd: Extract<Command, { type: 'add' }> = { type, source: addSource(f('source'), p('source')) };
      if (f('savePath') !== undefined) cmd.savePath = fsPath(f('savePath'), p('savePath'), false);
      if (f('paused') !== undefined) cmd.paused = bool(f('paused'), p('paused'));
      if (f('filePriorities') !== undefined) cmd.filePriorities = priorities(f('filePriorities'), p('filePriorities'));
      if (f('queueTop') !== undefined) cmd.queueTop = bool(f('queueTop'), p('queueTop'));
      if (f('stopAfterMetadata') !== undefined) cmd.stopAfterMetadata = bool(f('stopAfterMetadata'), p('stopAfterMetadata'));
      return cmd;
    }
    case 'inspect':
      return { type, source: addSource(f('source'), p('source')) };
    case 'remove':
      return { type, ids: torrentIds(f('ids'), p('ids')), deleteData: bool(f('deleteData'), p('deleteData')) };
    case 'pause':
    case 'resume':
      return { type, ids: idsOrAll(f('ids'), p('ids')) };
    case 'forceStart':
      return { type, ids: torrentIds(f('ids'), p('ids')), enabled: bool(f('enabled'), p('enabled')) };
    case 'recheck':
      return { type, ids: torrentIds(f('ids'), p('ids')) };
    case 'queueMove':
      return { type, ids: torrentIds(f('ids'), p('ids')), to: oneOf(f('to'), p('to'), QUEUE_MOVES) };
    case 'setFilePriority':
      return {
        type,
        id: torrentId(f('id'), p('id')),
        files: fileIndices(f('files'), p('files')),
        priority: oneOf(f('priority'), p('priority'), FILE_PRIORITIES),
      };
    case 'setTorrentOptions':
      return { type, id: torrentId(f('id'), p('id')), options: torrentOptions(f('options'), p('options')) };
    case 'renameFile':
      return {
        type,
        id: torrentId(f('id'), p('id')),
        file: fileIndex(f('file'), p('file')),
        newPath: relativePath(f('newPath'), p('newPath')),
      };
    case 'moveStorage':
      return { type, id: torrentId(f('id'), p('id')), savePath: fsPath(f('savePath'), p('savePath'), false) };
    case 'getInfo':
      return { type, id: torrentId(f('id'), p('id')) };
    case 'getSettings':
    case 'snapshot':
      return { type };
    case 'setSettings':
      return { type, settings: parseSettingsPatch(f('settings'), p('settings')) };
    case 'subscribe': {
      const id = f('id');
      if (id !== null && !isTorrentId(id)) fail(p('id'), 'must be null or a 40-character lowercase hex info hash');
      return { type, id, topics: topics(f('topics'), p('topics')) };
    }
    case 'addPeers': {
      const id = f('id');
      if (!isTorrentId(id)) fail(p('id'), 'must be a 40-character lowercase hex info hash');
      const peers = f('peers');
      if (!Array.isArray(peers) || peers.length === 0 || peers.length > 1000) fail(p('peers'), 'must be a list of 1 to 1000 "host:port" strings');
      const out: string[] = [];
      (peers as unknown[]).forEach((peer, i) => {
        if (typeof peer !== 'string' || !PEER_RE.test(peer)) fail(`${p('peers')}[${i}]`, 'must look like host:port or [v6]:port');
        out.push(peer as string);
      });
      return { type, id: id as string, peers: out };
    }
  }
}
