/**
 * Fast resume: which pieces can be trusted from a resume record without hashing,
 * and which must be hashed. Pure: the caller stats the files and passes the result.
 *
 * ## Why a kill -9 loses no verified piece
 * Storage writes only pieces that already verified. The session records, per
 * torrent, the verified bitfield `have` and each file's size and mtime, and it
 * captures them in this order, in one synchronous step on the event loop:
 *   1. `fileStatsAt = Date.now()`, then stat each file that has no write in flight
 *      (a file with a write in flight is recorded as null: unknown);
 *   2. snapshot `have`, which is set when a piece's write has completed.
 * So every piece whose write completed before its file was stat'ed is in `have`,
 * and a piece is in `have` only once its bytes are in the file.
 * If the process dies after more pieces were written but before the next record
 * reached the disk, those writes changed the files' mtime (and maybe size); on
 * start, `planResume` rechecks every piece touching a changed file, so the new
 * pieces are found by hashing. Pieces whose every file is unchanged are taken
 * from `have` without reading a byte. Nothing verified is lost; nothing
 * unverified is trusted (a piece is trusted only if it is in `have` AND no byte
 * of its files changed since).
 *
 * ## mtime granularity
 * "Changed" is detected by (size, mtimeMs) inequality. A write does not always
 * move the mtime: Linux stamps inodes with a coarse clock (one jiffy, 1-10 ms,
 * even on ext4/xfs/btrfs with their ns fields), HFS+ keeps seconds and FAT two
 * seconds. A write landing in the same tick as the last write before the stat
 * leaves mtime and (for an in-place write into a preallocated or already grown
 * file) size unchanged, and that piece would be neither trusted nor rechecked:
 * re-downloaded, never corrupt. To close that gap a file's recorded mtime is
 * trusted only when it is at least MTIME_SLACK_MS older than `fileStatsAt`:
 * any later write happens after `fileStatsAt` and gets an mtime within one tick
 * (< MTIME_SLACK_MS) of its time, hence a different one. Files written moments
 * before the stat ("fresh") are rechecked after a crash; the session re-captures
 * stats once they have settled (`needsRecapture`), and at shutdown it captures
 * with `fileStatsFinal` (no write can follow in this process), which trusts
 * equal mtimes outright. Residual risk: a clock step backwards, or a network
 * file system whose server clock is off by more than MTIME_SLACK_MS, can hide a
 * later write; the cost is again a re-download, never bad data.
 *
 * Power loss (rather than a killed process) additionally needs the data files
 * fsynced before a record that trusts them is written; that is the session's
 * job (sync the storage's written files before capturing).
 */
import { Bitfield } from '../../common/bitfield.js';
import type { FileStat, ResumeRecord } from './resume-record.js';

/** Greater than the coarsest mtime tick we meet (FAT: 2 s) plus clock jitter. */
export const MTIME_SLACK_MS = 3000;

export interface LayoutFile {
  readonly offset: number;
  readonly length: number;
  readonly padding: boolean;
}

export interface ResumeLayout {
  readonly files: readonly LayoutFile[];
  readonly pieceLength: number;
  readonly pieceCount: number;
}

export interface ResumePlan {
  /** Verified pieces taken from the record without hashing. */
  readonly trusted: Bitfield;
  /** Pieces to hash, ascending: their files changed and their bytes may all be present. */
  readonly recheck: number[];
  /** File indexes whose size or mtime differ from the record (or were never recorded). */
  readonly changedFiles: number[];
  readonly reason: string;
}

export type FileVerdict = 'unchanged' | 'changed' | 'missing';

/** Compares one file's current stat with the recorded one. */
export function fileVerdict(
  recorded: FileStat | null | undefined,
  current: FileStat,
  fileStatsAt: number,
  final: boolean,
): FileVerdict {
  if (current.size < 0) return 'missing';
  if (!recorded || recorded.size !== current.size || recorded.mtimeMs !== current.mtimeMs) return 'changed';
  if (!final && !(recorded.mtimeMs <= fileStatsAt - MTIME_SLACK_MS)) return 'changed';
  return 'unchanged';
}

/**
 * True when the record has a file whose stats cannot be trusted after a crash
 * (unknown, or written less than MTIME_SLACK_MS before the capture) although
 * they could be now: capture again when the torrent's storage is idle.
 */
export function needsRecapture(record: ResumeRecord, now: number): boolean {
  if (record.fileStats === null || record.fileStatsFinal) return false;
  if (now - record.fileStatsAt < MTIME_SLACK_MS) return false;
  return record.fileStats.some((s) => s === null || (s.size >= 0 && !(s.mtimeMs <= record.fileStatsAt - MTIME_SLACK_MS)));
}

const OK = 0;
const RECHECK = 1;
const MISSING = 2;

/**
 * Plans a resume. `current[i]` is file i's stat now (size -1 when missing; the
 * entry for a padding file is ignored).
 */
export function planResume(record: ResumeRecord, current: readonly FileStat[], layout: ResumeLayout): ResumePlan {
  const { files, pieceLength, pieceCount } = layout;
  if (current.length !== files.length) throw new RangeError(`planResume: ${current.length} stats for ${files.length} files`);
  const trusted = new Bitfield(pieceCount);
  if (pieceCount === 0) return { trusted, recheck: [], changedFiles: [], reason: 'no pieces' };
  let totalLength = 0;
  for (const f of files) totalLength = Math.max(totalLength, f.offset + f.length);

  // Whole-record problems: trust nothing, hash whatever is present.
  let distrust: string | null = null;
  if (record.fileStats === null) distrust = 'no file stats in the resume record';
  else if (record.fileStats.length !== files.length) distrust = `resume record lists ${record.fileStats.length} files, torrent has ${files.length}`;
  else if (record.have === null) distrust = 'no verified pieces recorded';
  else if (record.have.length !== pieceCount) distrust = `resume record has ${record.have.length} pieces, torrent has ${pieceCount}`;

  const state = new Uint8Array(pieceCount);
  const changedFiles: number[] = [];
  let missingFiles = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (f.padding || f.length === 0) continue;
    const verdict: FileVerdict =
      distrust === null ? fileVerdict(record.fileStats?.[i], current[i], record.fileStatsAt, record.fileStatsFinal) : current[i].size < 0 ? 'missing' : 'changed';
    if (verdict !== 'unchanged') changedFiles.push(i);
    if (verdict === 'missing') missingFiles++;
    const fileEnd = f.offset + f.length;
    const first = Math.floor(f.offset / pieceLength);
    const lastPiece = Math.min(pieceCount - 1, Math.floor((fileEnd - 1) / pieceLength));
    const size = current[i].size;
    for (let p = first; p <= lastPiece; p++) {
      // The piece's bytes in this file end at `need` (file-relative); a shorter file lacks them.
      const pieceEnd = Math.min((p + 1) * pieceLength, totalLength);
      const need = Math.min(pieceEnd, fileEnd) - f.offset;
      if (verdict === 'missing' || size < need) state[p] = MISSING;
      else if (verdict === 'changed' && state[p] === OK) state[p] = RECHECK;
    }
  }

  const recheck: number[] = [];
  const have = distrust === null ? record.have : null;
  for (let p = 0; p < pieceCount; p++) {
    if (state[p] === RECHECK) recheck.push(p);
    else if (state[p] === OK && have !== null && have.has(p)) trusted.set(p);
  }

  let reason: string;
  if (distrust !== null) reason = `${distrust}: rechecking ${recheck.length} of ${pieceCount} pieces`;
  else if (changedFiles.length === 0) reason = `files unchanged: ${trusted.count} verified pieces trusted without hashing`;
  else {
    const changed = changedFiles.length - missingFiles;
    const parts = [changed > 0 ? `${changed} changed` : '', missingFiles > 0 ? `${missingFiles} missing` : ''].filter(Boolean).join(', ');
    reason = `${changedFiles.length} of ${files.length} files differ from the resume record (${parts}): rechecking ${recheck.length} pieces, ${trusted.count} trusted`;
  }
  return { trusted, recheck, changedFiles, reason };
}
