/**
 * File priorities -> piece priorities, and per-file progress. Pure functions: no I/O, no state.
 *
 * A file covers the pieces [floor(offset / pieceLength), floor((offset + length - 1) / pieceLength)].
 * A piece shared by several files gets the highest priority of the files it touches, so a piece
 * is downloaded whenever any wanted file needs it (the bytes it holds of a skipped neighbour are
 * written too: storage writes whole pieces). Padding files (BEP 47) and zero-length files hold no
 * data anyone wants and do not count; a piece that only holds skipped files, or padding, gets 0.
 */
import type { FilePriority } from '../api/types.js';
import type { Bitfield } from '../common/bitfield.js';
import type { PiecePriority } from '../picker/picker.js';

/** The part of a file these functions need (MetaFile, StorageFileSpec and StoredFile all fit). */
export interface FileExtent {
  /** Byte offset of the file in the torrent's concatenated data. */
  readonly offset: number;
  readonly length: number;
  readonly padding: boolean;
}

export interface PiecePriorityOptions {
  /** The first and last piece of every wanted file get priority 7 (previews, media container indexes). */
  readonly firstLastPiecesFirst?: boolean;
}

/** Picker priority of each file priority: skip never downloads, high is picked before everything else. */
export const PIECE_PRIORITY: Readonly<Record<FilePriority, PiecePriority>> = Object.freeze({
  skip: 0,
  low: 1,
  normal: 4,
  high: 7,
});

/**
 * One picker priority (0..7) per piece, for `PiecePicker.setPiecePriorities`.
 * Throws RangeError when the lists disagree in length, a priority is unknown, or a file lies
 * outside the pieces.
 */
export function piecePrioritiesFor(
  files: readonly FileExtent[],
  pieceLength: number,
  pieceCount: number,
  filePriorities: readonly FilePriority[],
  opts: PiecePriorityOptions = {},
): Uint8Array {
  checkGeometry(pieceLength, pieceCount);
  if (filePriorities.length !== files.length) {
    throw new RangeError(`${filePriorities.length} file priorities for ${files.length} files`);
  }
  const out = new Uint8Array(pieceCount);
  const firstLast = opts.firstLastPiecesFirst === true;
  for (let i = 0; i < files.length; i++) {
    const prio = priorityOf(filePriorities[i]);
    const f = files[i];
    if (f.padding || f.length === 0 || prio === 0) continue;
    const [first, last] = pieceRange(f, pieceLength, pieceCount, i);
    for (let p = first; p <= last; p++) if (out[p] < prio) out[p] = prio;
    if (firstLast) {
      out[first] = 7;
      out[last] = 7;
    }
  }
  return out;
}

/** Bytes of the files that are not skipped (padding excluded): the size of the wanted download. */
export function wantedBytes(files: readonly FileExtent[], filePriorities: readonly FilePriority[]): number {
  if (filePriorities.length !== files.length) {
    throw new RangeError(`${filePriorities.length} file priorities for ${files.length} files`);
  }
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    if (priorityOf(filePriorities[i]) === 0 || files[i].padding) continue;
    total += files[i].length;
  }
  return total;
}

/**
 * Verified bytes per file: the bytes of each file that lie in pieces set in `have`. Exact at file
 * edges (a piece shared with a neighbour counts only its overlap with the file). Padding files are
 * computed the same way (their bytes are "verified" with the pieces holding them); zero-length
 * files report 0. O(files + pieces / 8).
 */
export function fileProgress(files: readonly FileExtent[], pieceLength: number, have: Bitfield): number[] {
  const pieceCount = have.length;
  checkGeometry(pieceLength, pieceCount);
  const out = new Array<number>(files.length);
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (f.length === 0) {
      out[i] = 0;
      continue;
    }
    const [first, last] = pieceRange(f, pieceLength, pieceCount, i);
    const end = f.offset + f.length;
    if (first === last) {
      out[i] = have.has(first) ? f.length : 0;
      continue;
    }
    let bytes = 0;
    if (have.has(first)) bytes += (first + 1) * pieceLength - f.offset;
    if (have.has(last)) bytes += end - last * pieceLength;
    if (last - first > 1) bytes += countSet(have, first + 1, last) * pieceLength;
    out[i] = bytes;
  }
  return out;
}

/** Indices of the files (padding and zero-length files excluded) that hold bytes of `piece`. */
export function filesInPiece(files: readonly FileExtent[], pieceLength: number, piece: number): number[] {
  const start = piece * pieceLength;
  const end = start + pieceLength;
  const out: number[] = [];
  // Files are sorted by offset: binary search for the last file starting at or before `start`.
  let lo = 0;
  let hi = files.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (files[mid].offset <= start) lo = mid;
    else hi = mid - 1;
  }
  while (lo > 0 && files[lo - 1].offset === files[lo].offset) lo--;
  for (let i = lo; i < files.length && files[i].offset < end; i++) {
    const f = files[i];
    if (f.padding || f.length === 0 || f.offset + f.length <= start) continue;
    out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------- helpers

function priorityOf(p: FilePriority): PiecePriority {
  const v = Object.prototype.hasOwnProperty.call(PIECE_PRIORITY, p) ? PIECE_PRIORITY[p] : undefined;
  if (v === undefined) throw new RangeError(`unknown file priority ${JSON.stringify(p)}`);
  return v;
}

function checkGeometry(pieceLength: number, pieceCount: number): void {
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`bad piece length ${pieceLength}`);
  if (!Number.isSafeInteger(pieceCount) || pieceCount < 0) throw new RangeError(`bad piece count ${pieceCount}`);
}

/** First and last piece of a non-empty file. */
function pieceRange(f: FileExtent, pieceLength: number, pieceCount: number, index: number): [number, number] {
  if (!(f.offset >= 0) || !(f.length > 0) || f.offset + f.length > pieceCount * pieceLength) {
    throw new RangeError(`file ${index} (offset ${f.offset}, length ${f.length}) lies outside ${pieceCount} pieces`);
  }
  return [Math.floor(f.offset / pieceLength), Math.floor((f.offset + f.length - 1) / pieceLength)];
}

const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1];
  return t;
})();

/** Set bits in [from, to). */
function countSet(bits: Bitfield, from: number, to: number): number {
  let n = 0;
  let i = from;
  while (i < to && (i & 7) !== 0) n += bits.has(i++) ? 1 : 0;
  const bytes = bits.bytes;
  for (; i + 8 <= to; i += 8) n += POPCOUNT[bytes[i >> 3]];
  while (i < to) n += bits.has(i++) ? 1 : 0;
  return n;
}
