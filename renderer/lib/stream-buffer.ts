/**
 * Which parts of a file are downloaded, from the torrent's piece map: the file's byte range mapped onto
 * pieces, and runs of verified pieces mapped back to fractions of the file (the player's buffered bar).
 */
import type { PieceMap } from '../../engine/api/types.js';
import { hasBit } from './piece-map.js';

interface FileLike {
  index: number;
  length: number;
}

/**
 * The byte offset of file `index` in the torrent. The file list leaves out BEP 47 padding files (their
 * index is skipped); a padding file fills up to the next piece boundary, so a skipped index means the
 * next file starts on one.
 */
export function fileOffset(files: readonly FileLike[], index: number, pieceLength: number): number | null {
  const sorted = [...files].sort((a, b) => a.index - b.index);
  let offset = 0;
  let expected = 0;
  for (const f of sorted) {
    if (f.index !== expected && pieceLength > 0) offset = Math.ceil(offset / pieceLength) * pieceLength;
    if (f.index === index) return offset;
    offset += f.length;
    expected = f.index + 1;
  }
  return null;
}

/** Fractions [start, end) of the file, 0..1, merged and in order. */
export type Span = readonly [number, number];

/** The downloaded parts of the file at [offset, offset + length), as fractions of it. */
export function bufferedSpans(map: PieceMap, offset: number, length: number): Span[] {
  if (length <= 0 || map.pieceLength <= 0) return [];
  const first = Math.floor(offset / map.pieceLength);
  const last = Math.min(map.pieceCount - 1, Math.floor((offset + length - 1) / map.pieceLength));
  const spans: [number, number][] = [];
  let runStart = -1;
  const close = (endPiece: number): void => {
    const from = Math.max(offset, runStart * map.pieceLength) - offset;
    const to = Math.min(offset + length, endPiece * map.pieceLength) - offset;
    spans.push([from / length, to / length]);
    runStart = -1;
  };
  for (let p = first; p <= last; p++) {
    if (hasBit(map.have, p)) {
      if (runStart < 0) runStart = p;
    } else if (runStart >= 0) close(p);
  }
  if (runStart >= 0) close(last + 1);
  return spans;
}

/** Share of the file downloaded, 0..1, from its spans. */
export function spansTotal(spans: readonly Span[]): number {
  let t = 0;
  for (const [a, b] of spans) t += b - a;
  return t;
}

/** The fraction of the file downloaded contiguously from `at` (0..1) on: how far playback can run without waiting. */
export function bufferedAhead(spans: readonly Span[], at: number): number {
  for (const [a, b] of spans) if (a <= at && at < b) return b - at;
  return 0;
}
