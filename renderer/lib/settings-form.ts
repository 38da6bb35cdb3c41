/**
 * The Settings dialog's form model: Settings as editable text (rates in KiB/s, times as HH:MM), back to
 * a validated patch of the fields that changed. Pure; the engine validates again and has the last word.
 */
import type { Settings, WatchFolder, WeeklySchedule } from '../../engine/api/types.js';
import { LIMITS } from '../../engine/api/validate.js';
import { savePathProblem } from '../../engine/api/save-path.js';
import { formatMinuteOfDay, parseKiBps, parseMinuteOfDay, toKiBpsText } from './format.js';

export interface SettingsForm {
  downloadDir: string;
  listenPort: string;
  maxActiveDownloads: string;
  maxActiveSeeds: string;
  downloadLimit: string;
  uploadLimit: string;
  altDownloadLimit: string;
  altUploadLimit: string;
  altLimitsEnabled: boolean;
  scheduleEnabled: boolean;
  scheduleDays: number[];
  scheduleFrom: string;
  scheduleTo: string;
  maxConnections: string;
  maxConnectionsPerTorrent: string;
  uploadSlotsPerTorrent: string;
  ratioLimit: string;
  seedTimeLimitMinutes: string;
  seedGoalAction: Settings['seedGoalAction'];
  dht: boolean;
  pex: boolean;
  lsd: boolean;
  encryption: Settings['encryption'];
  portMapping: boolean;
  holepunch: boolean;
  utp: boolean;
  tcp: boolean;
  preferUtp: boolean;
  /** The pause schedule ("pause all downloads between … on …"), edited like the alternative limits' schedule. */
  pauseEnabled: boolean;
  pauseDays: number[];
  pauseFrom: string;
  pauseTo: string;
  watchFolders: WatchFolderRow[];
}

/** A watch folder as the form edits it: the category as text ('' for none). */
export interface WatchFolderRow {
  path: string;
  category: string;
  startPaused: boolean;
  afterAdd: WatchFolder['afterAdd'];
}

export const NEW_WATCH_FOLDER: Readonly<WatchFolderRow> = { path: '', category: '', startPaused: false, afterAdd: 'rename' };

/** Form fields, and the Settings key each one's errors belong to. */
export type FormField = keyof SettingsForm;

export function toForm(s: Settings): SettingsForm {
  return {
    downloadDir: s.downloadDir,
    listenPort: String(s.listenPort),
    maxActiveDownloads: String(s.maxActiveDownloads),
    maxActiveSeeds: String(s.maxActiveSeeds),
    downloadLimit: toKiBpsText(s.downloadLimit),
    uploadLimit: toKiBpsText(s.uploadLimit),
    altDownloadLimit: toKiBpsText(s.altDownloadLimit),
    altUploadLimit: toKiBpsText(s.altUploadLimit),
    altLimitsEnabled: s.altLimitsEnabled,
    scheduleEnabled: s.altSchedule !== null,
    scheduleDays: s.altSchedule?.days ?? [1, 2, 3, 4, 5],
    scheduleFrom: formatMinuteOfDay(s.altSchedule?.from ?? 8 * 60),
    scheduleTo: formatMinuteOfDay(s.altSchedule?.to ?? 20 * 60),
    maxConnections: String(s.maxConnections),
    maxConnectionsPerTorrent: String(s.maxConnectionsPerTorrent),
    uploadSlotsPerTorrent: String(s.uploadSlotsPerTorrent),
    ratioLimit: s.ratioLimit === null ? '' : String(s.ratioLimit),
    seedTimeLimitMinutes: s.seedTimeLimitMinutes === null ? '' : String(s.seedTimeLimitMinutes),
    seedGoalAction: s.seedGoalAction,
    dht: s.dht,
    pex: s.pex,
    lsd: s.lsd,
    encryption: s.encryption,
    portMapping: s.portMapping,
    holepunch: s.holepunch,
    utp: s.utp,
    tcp: s.tcp,
    preferUtp: s.preferUtp,
    pauseEnabled: s.pauseSchedule !== null,
    pauseDays: s.pauseSchedule?.days ?? [0, 1, 2, 3, 4, 5, 6],
    pauseFrom: formatMinuteOfDay(s.pauseSchedule?.from ?? 1 * 60),
    pauseTo: formatMinuteOfDay(s.pauseSchedule?.to ?? 7 * 60),
    watchFolders: s.watchFolders.map((f) => ({ path: f.path, category: f.category ?? '', startPaused: f.startPaused, afterAdd: f.afterAdd })),
  };
}

export type FormResult = { ok: true; settings: Settings } | { ok: false; field: FormField; message: string };

class FieldError {
  constructor(
    readonly field: FormField,
    readonly message: string,
  ) {}
}

function int(f: SettingsForm, field: FormField & keyof Settings, min: number, max: number): number {
  const text = String(f[field]).trim();
  if (!/^\d+$/.test(text)) throw new FieldError(field, `Enter a whole number from ${min} to ${max}.`);
  const v = Number(text);
  if (v < min || v > max) throw new FieldError(field, `Enter a whole number from ${min} to ${max}.`);
  return v;
}

function rate(f: SettingsForm, field: 'downloadLimit' | 'uploadLimit' | 'altDownloadLimit' | 'altUploadLimit'): number | null {
  const v = parseKiBps(f[field]);
  if (v === undefined || (v !== null && v > LIMITS.maxRate)) throw new FieldError(field, 'Enter KiB/s as a number, or leave empty for no limit.');
  return v;
}

function optional(f: SettingsForm, field: 'ratioLimit' | 'seedTimeLimitMinutes', max: number, integer: boolean): number | null {
  const text = f[field].trim();
  if (text === '') return null;
  const ok = integer ? /^\d+$/.test(text) : /^\d+(\.\d+)?$/.test(text);
  const v = Number(text);
  if (!ok || v > max) throw new FieldError(field, `Enter ${integer ? 'a whole number' : 'a number'} up to ${max}, or leave empty for none.`);
  return v;
}

function schedule(f: SettingsForm): WeeklySchedule | null {
  if (!f.scheduleEnabled) return null;
  return weekly(f.scheduleDays, f.scheduleFrom, f.scheduleTo, ['scheduleDays', 'scheduleFrom', 'scheduleTo']);
}

function pauseSchedule(f: SettingsForm): WeeklySchedule | null {
  if (!f.pauseEnabled) return null;
  return weekly(f.pauseDays, f.pauseFrom, f.pauseTo, ['pauseDays', 'pauseFrom', 'pauseTo']);
}

function weekly(days: readonly number[], fromText: string, toText: string, fields: readonly [FormField, FormField, FormField]): WeeklySchedule {
  if (days.length === 0) throw new FieldError(fields[0], 'Pick at least one day, or turn the schedule off.');
  const from = parseMinuteOfDay(fromText);
  if (from === null) throw new FieldError(fields[1], 'Enter a time as HH:MM, for example 08:00.');
  const to = parseMinuteOfDay(toText);
  if (to === null) throw new FieldError(fields[2], 'Enter a time as HH:MM, for example 20:00.');
  return { days: [...days].sort((a, b) => a - b), from, to };
}

/** The rows as settings: each folder absolute and listed once; the engine then checks it exists or can be created. */
function watchFolders(f: SettingsForm): WatchFolder[] {
  const out: WatchFolder[] = [];
  f.watchFolders.forEach((row, i) => {
    const path = row.path.trim();
    const problem = savePathProblem(path);
    if (problem) throw new FieldError('watchFolders', `Watch folder ${i + 1}: ${problem}`);
    if (out.some((o) => o.path === path)) throw new FieldError('watchFolders', `Watch folder ${i + 1}: "${path}" is listed twice; remove one.`);
    const category = row.category.trim();
    out.push({ path, category: category === '' ? null : category, startPaused: row.startPaused, afterAdd: row.afterAdd });
  });
  return out;
}

export function fromForm(f: SettingsForm, base: Settings): FormResult {
  try {
    const settings: Settings = {
      ...base,
      downloadDir: f.downloadDir.trim(),
      listenPort: int(f, 'listenPort', 0, 65_535),
      maxActiveDownloads: int(f, 'maxActiveDownloads', 0, LIMITS.maxQueueSize),
      maxActiveSeeds: int(f, 'maxActiveSeeds', 0, LIMITS.maxQueueSize),
      downloadLimit: rate(f, 'downloadLimit'),
      uploadLimit: rate(f, 'uploadLimit'),
      altDownloadLimit: rate(f, 'altDownloadLimit'),
      altUploadLimit: rate(f, 'altUploadLimit'),
      altLimitsEnabled: f.altLimitsEnabled,
      altSchedule: schedule(f),
      maxConnections: int(f, 'maxConnections', 1, LIMITS.maxConnections),
      maxConnectionsPerTorrent: int(f, 'maxConnectionsPerTorrent', 1, LIMITS.maxConnections),
      uploadSlotsPerTorrent: int(f, 'uploadSlotsPerTorrent', 1, LIMITS.uploadSlotsMax),
      ratioLimit: optional(f, 'ratioLimit', LIMITS.maxRatio, false),
      seedTimeLimitMinutes: optional(f, 'seedTimeLimitMinutes', LIMITS.maxMinutes, true),
      seedGoalAction: f.seedGoalAction,
      dht: f.dht,
      pex: f.pex,
      lsd: f.lsd,
      encryption: f.encryption,
      portMapping: f.portMapping,
      holepunch: f.holepunch,
      utp: f.utp,
      tcp: f.tcp,
      preferUtp: f.preferUtp,
      pauseSchedule: pauseSchedule(f),
      watchFolders: watchFolders(f),
    };
    if (!settings.tcp && !settings.utp) throw new FieldError('tcp', 'Keep TCP or uTP on: peers cannot reach you with both off.');
    if (settings.downloadDir === '') throw new FieldError('downloadDir', 'Enter the folder new downloads go to.');
    return { ok: true, settings };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
}

/** The keys whose values differ (schedules compared by value). */
export function settingsPatch(base: Settings, next: Settings): Partial<Settings> {
  const patch: Partial<Settings> = {};
  for (const k of Object.keys(next) as (keyof Settings)[]) {
    if (JSON.stringify(base[k]) !== JSON.stringify(next[k])) Object.assign(patch, { [k]: next[k] });
  }
  return patch;
}

/** The form field an engine error names ("settings.listenPort must be …"), so it can be shown there. */
export function fieldOfError(message: string): FormField | null {
  const m = /settings\.(\w+)/.exec(message);
  if (!m) return null;
  const key = m[1];
  if (key === 'altSchedule') return 'scheduleDays';
  if (key === 'pauseSchedule') return 'pauseDays';
  const fields: readonly string[] = Object.keys(toFormKeys);
  return fields.includes(key) ? (key as FormField) : null;
}

const toFormKeys: Readonly<Record<Exclude<FormField, 'scheduleEnabled' | 'scheduleDays' | 'scheduleFrom' | 'scheduleTo' | 'pauseEnabled' | 'pauseDays' | 'pauseFrom' | 'pauseTo'>, true>> = {
  downloadDir: true,
  listenPort: true,
  maxActiveDownloads: true,
  maxActiveSeeds: true,
  downloadLimit: true,
  uploadLimit: true,
  altDownloadLimit: true,
  altUploadLimit: true,
  altLimitsEnabled: true,
  maxConnections: true,
  maxConnectionsPerTorrent: true,
  uploadSlotsPerTorrent: true,
  ratioLimit: true,
  seedTimeLimitMinutes: true,
  seedGoalAction: true,
  dht: true,
  pex: true,
  lsd: true,
  encryption: true,
  portMapping: true,
  holepunch: true,
  utp: true,
  tcp: true,
  preferUtp: true,
  watchFolders: true,
};
