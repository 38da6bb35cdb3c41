/**
 * The Torrent options dialog's form model: one or more torrents' own options (speed limits, seeding
 * goals, connection limit, download order) as editable text, back to a setTorrentOptions patch of the
 * fields the user edited. Fields where the selected torrents differ start empty and are left alone
 * unless edited. Pure; the engine validates again.
 */
import type { TorrentOptions, TorrentSummary } from '../../engine/api/types.js';
import { LIMITS } from '../../engine/api/validate.js';
import { parseKiBps, toKiBpsText } from './format.js';

export interface TorrentOptionsForm {
  downloadLimit: string;
  uploadLimit: string;
  ratioLimit: string;
  seedTimeLimitMinutes: string;
  maxConnections: string;
  sequential: boolean;
  firstLastPiecesFirst: boolean;
}

export type OptionsRow = Pick<TorrentSummary, 'downloadLimit' | 'uploadLimit' | 'ratioLimit' | 'seedTimeLimitMinutes' | 'maxConnections' | 'sequential' | 'firstLastPiecesFirst'>;

export function optionsForm(rows: readonly OptionsRow[]): TorrentOptionsForm {
  const same = <K extends keyof OptionsRow>(k: K): OptionsRow[K] | undefined => (rows.length > 0 && rows.every((r) => r[k] === rows[0][k]) ? rows[0][k] : undefined);
  const num = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
  const rate = (v: number | null | undefined): string => (v === undefined ? '' : toKiBpsText(v));
  return {
    downloadLimit: rate(same('downloadLimit')),
    uploadLimit: rate(same('uploadLimit')),
    ratioLimit: num(same('ratioLimit')),
    seedTimeLimitMinutes: num(same('seedTimeLimitMinutes')),
    maxConnections: num(same('maxConnections')),
    sequential: same('sequential') ?? false,
    firstLastPiecesFirst: same('firstLastPiecesFirst') ?? false,
  };
}

export type OptionsResult = { ok: true; options: TorrentOptions } | { ok: false; field: keyof TorrentOptionsForm; message: string };

/** The patch for the fields that differ from `initial` (what the user edited). */
export function optionsPatch(form: TorrentOptionsForm, initial: TorrentOptionsForm): OptionsResult {
  const options: TorrentOptions = {};
  const edited = (k: keyof TorrentOptionsForm): boolean => form[k] !== initial[k];
  for (const k of ['downloadLimit', 'uploadLimit'] as const) {
    if (!edited(k)) continue;
    const v = parseKiBps(form[k]);
    if (v === undefined) return { ok: false, field: k, message: 'Enter a number of KiB/s, or leave the field empty for no limit.' };
    options[k] = v;
  }
  if (edited('ratioLimit')) {
    const t = form.ratioLimit.trim();
    const v = t === '' ? null : Number(t);
    if (v !== null && !(Number.isFinite(v) && v >= 0 && v <= LIMITS.maxRatio)) return { ok: false, field: 'ratioLimit', message: `Enter a ratio from 0 to ${LIMITS.maxRatio}, or leave it empty to use the one in Settings.` };
    options.ratioLimit = v;
  }
  if (edited('seedTimeLimitMinutes')) {
    const t = form.seedTimeLimitMinutes.trim();
    const v = t === '' ? null : Number(t);
    if (v !== null && !(Number.isInteger(v) && v >= 0 && v <= LIMITS.maxMinutes)) return { ok: false, field: 'seedTimeLimitMinutes', message: 'Enter whole minutes, or leave it empty to use the time in Settings.' };
    options.seedTimeLimitMinutes = v;
  }
  if (edited('maxConnections')) {
    const t = form.maxConnections.trim();
    const v = t === '' ? null : Number(t);
    if (v !== null && !(Number.isInteger(v) && v >= 1 && v <= 65535)) return { ok: false, field: 'maxConnections', message: 'Enter a whole number of connections from 1 to 65535, or leave it empty to use Settings.' };
    options.maxConnections = v;
  }
  if (edited('sequential')) options.sequential = form.sequential;
  if (edited('firstLastPiecesFirst')) options.firstLastPiecesFirst = form.firstLastPiecesFirst;
  return { ok: true, options };
}
