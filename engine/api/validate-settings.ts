/** Validation of the session settings (complete or as a patch) and of one torrent's options. Pure. */
import { LIMITS } from './limits.js';
import { trackerTiers } from './validate-trackers.js';
import type { EncryptionPolicy, Settings, TorrentOptions, WatchFolder, WeeklySchedule } from './types.js';
import { categoryList, categoryName, tagList } from './validate-categories.js';
import { absolutePath, array, bool, fail, int, nullable, num, object, oneOf, optBool, own, rate, setChecked, type Check } from './validate-primitives.js';

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
  portMapping: true,
  holepunch: true,
  partialPieceMemory: null,
  utp: true,
  tcp: true,
  preferUtp: true,
  watchFolders: [],
  pauseSchedule: null,
  categories: [],
});

export const WATCH_AFTER_ADD: readonly WatchFolder['afterAdd'][] = ['keep', 'delete', 'rename'];

/** Watch folders: absolute paths (normalised), none twice; whether each exists or can be created is the session's check. */
function watchFolders(v: unknown, path: string): WatchFolder[] {
  const raw = array(v, path, LIMITS.maxWatchFolders);
  const out: WatchFolder[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = `${path}[${i}]`;
    const o = object(raw[i], p, ['path', 'category', 'startPaused', 'afterAdd']);
    const folder: WatchFolder = {
      path: absolutePath(own(o, 'path'), `${p}.path`, false),
      category: nullable(category)(own(o, 'category'), `${p}.category`),
      startPaused: bool(own(o, 'startPaused'), `${p}.startPaused`),
      afterAdd: oneOf(own(o, 'afterAdd'), `${p}.afterAdd`, WATCH_AFTER_ADD),
    };
    if (out.some((f) => f.path === folder.path)) fail(`${p}.path`, `repeats ${JSON.stringify(folder.path)}: list each folder once`);
    out.push(folder);
  }
  return out;
}

function category(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > LIMITS.maxCategoryLength) fail(path, `must be a non-empty string of at most ${LIMITS.maxCategoryLength} characters`);
  return v;
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

const SETTING_CHECKS: { [K in keyof Settings]-?: Check<Settings[K]> } = {
  downloadDir: (v, p) => absolutePath(v, p, true),
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
  portMapping: bool,
  holepunch: bool,
  partialPieceMemory: nullable((v, p) => int(v, p, LIMITS.partialPieceMemoryMin, LIMITS.partialPieceMemoryMax)),
  utp: bool,
  tcp: bool,
  preferUtp: bool,
  watchFolders,
  pauseSchedule: nullable(schedule),
  categories: categoryList,
};

/** Why settings cannot apply together, or null: a peer must be reachable over at least one transport. */
export function settingsConflict(s: Pick<Settings, 'tcp' | 'utp'>): string | null {
  return !s.tcp && !s.utp ? 'tcp and utp cannot both be off: keep at least one transport on' : null;
}

/** Every Settings key, in declaration order. */
export const SETTINGS_KEYS = Object.keys(SETTING_CHECKS) as readonly (keyof Settings)[];

export function parseSettingsPatch(v: unknown, path: string): Partial<Settings> {
  const o = object(v, path, SETTINGS_KEYS);
  const out: Partial<Settings> = {};
  for (const k of SETTINGS_KEYS) {
    const x = own(o, k);
    if (x !== undefined) setChecked(out, SETTING_CHECKS, k, x, `${path}.${k}`);
  }
  if (out.tcp === false && out.utp === false) fail(path, settingsConflict({ tcp: false, utp: false })!);
  return out;
}

export function parseSettings(v: unknown, path: string): Settings {
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
  trackers: nullable(trackerTiers),
  category: nullable(categoryName),
  tags: tagList,
};
const OPTION_KEYS = Object.keys(OPTION_CHECKS) as readonly (keyof TorrentOptions)[];

export function torrentOptions(v: unknown, path: string): TorrentOptions {
  const o = object(v, path, OPTION_KEYS);
  const out: TorrentOptions = {};
  for (const k of OPTION_KEYS) {
    const x = own(o, k);
    if (x !== undefined) setChecked(out, OPTION_CHECKS, k, x, `${path}.${k}`);
  }
  return out;
}

/** A new Settings: base with the patch's defined keys applied. */
export function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
  const out: Settings = { ...base };
  for (const k of SETTINGS_KEYS) copyKey(out, patch, k);
  return out;
}

function copyKey<K extends keyof Settings>(out: Settings, patch: Partial<Settings>, k: K): void {
  const v = patch[k];
  if (v !== undefined) out[k] = v as Settings[K];
}
