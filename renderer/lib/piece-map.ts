/**
 * The piece map's pure part: pieces → cells on a pixel grid, a colour per cell, and the cells painted
 * into a Uint32Array that backs an ImageData. No DOM, so it is unit-tested and fast to reason about.
 *
 * Bitfields are in BitTorrent order: piece 0 is the most significant bit of byte 0.
 * Colours are opaque 32-bit words in the platform's ImageData byte order (see packColor); the functions
 * here only copy them around or mix them byte by byte, so they do not care which order that is.
 */
import type { PieceMap } from '../../engine/api/types.js';

export interface PieceMapLayout {
  pieceCount: number;
  /** 1 when every piece gets its own cell; more when the map is too big for the canvas. */
  piecesPerCell: number;
  cellCount: number;
  cols: number;
  rows: number;
  /** Cell size plus gap, in device pixels. */
  pitch: number;
  gap: number;
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Smallest cell pitch in device pixels before pieces are aggregated. */
  minPitch: number;
  /** Largest cell pitch, so a 10-piece torrent does not draw ten billboards. */
  maxPitch: number;
  /** Gap between cells once the pitch reaches gapFrom pixels. */
  gap: number;
  gapFrom: number;
}

export function defaultLayoutOptions(devicePixelRatio: number): LayoutOptions {
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  return {
    minPitch: Math.max(2, Math.round(2 * dpr)),
    maxPitch: Math.max(4, Math.round(18 * dpr)),
    gap: Math.max(1, Math.round(dpr)),
    gapFrom: Math.round(5 * dpr),
  };
}

/** The largest pitch at which every piece has a cell; failing that, the smallest pitch with several pieces per cell. */
export function layoutPieceMap(pieceCount: number, width: number, height: number, opts: LayoutOptions): PieceMapLayout {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  const n = Math.max(0, Math.floor(pieceCount));
  const gapFor = (pitch: number): number => (pitch >= opts.gapFrom ? Math.min(opts.gap, pitch - 1) : 0);
  const empty = { pieceCount: n, piecesPerCell: 1, cellCount: 0, cols: 0, rows: 0, pitch: opts.minPitch, gap: 0, width: w, height: h };
  if (n === 0 || w < opts.minPitch || h < opts.minPitch) return empty;
  for (let pitch = opts.maxPitch; pitch >= opts.minPitch; pitch--) {
    const cols = Math.floor(w / pitch);
    if (cols * Math.floor(h / pitch) >= n) {
      return { pieceCount: n, piecesPerCell: 1, cellCount: n, cols, rows: Math.ceil(n / cols), pitch, gap: gapFor(pitch), width: w, height: h };
    }
  }
  const pitch = opts.minPitch;
  const cols = Math.floor(w / pitch);
  const fit = cols * Math.floor(h / pitch);
  const piecesPerCell = Math.ceil(n / fit);
  const cellCount = Math.ceil(n / piecesPerCell);
  return { pieceCount: n, piecesPerCell, cellCount, cols, rows: Math.ceil(cellCount / cols), pitch, gap: gapFor(pitch), width: w, height: h };
}

export function hasBit(bits: Uint8Array, i: number): boolean {
  const byte = bits[i >> 3];
  return byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0;
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Set bits among the first n; spare bits in the last byte are ignored. */
export function countBits(bits: Uint8Array, n: number): number {
  const full = Math.min(bits.length, n >> 3);
  let c = 0;
  for (let i = 0; i < full; i++) c += POPCOUNT[bits[i]];
  for (let i = full * 8; i < n; i++) if (hasBit(bits, i)) c++;
  return c;
}

/** ImageData's byte order is the platform's; a Uint32 view of [r, g, b, a] reads back as that word. */
export function packColor(r: number, g: number, b: number, a = 255): number {
  const bytes = new Uint8Array([r, g, b, a]);
  return new Uint32Array(bytes.buffer)[0];
}

/** Byte-wise linear mix of two packed colours (t = 0 → a, 1 → b). */
export function mixColor(a: number, b: number, t: number): number {
  let out = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const x = (a >>> shift) & 0xff;
    const y = (b >>> shift) & 0xff;
    out |= Math.round(x + (y - x) * t) << shift;
  }
  return out >>> 0;
}

/** steps+1 colours from a to b. */
export function colorRamp(a: number, b: number, steps: number): Uint32Array {
  const out = new Uint32Array(steps + 1);
  for (let i = 0; i <= steps; i++) out[i] = mixColor(a, b, i / steps);
  return out;
}

export interface PiecePalette {
  background: number;
  missing: number;
  have: number;
  downloading: number;
  /** Missing pieces no connected peer has: the reason a torrent cannot finish. */
  unavailable: number;
  /** Availability heat, hottest (rarest: one peer) first. At least one colour. */
  heat: Uint32Array;
}

const SHADES = 16;

/**
 * One colour per cell. A cell with any downloading piece shows as downloading; otherwise its share of
 * pieces we have picks a shade between missing and have (a partial cell never rounds to either end).
 * With `heat`, cells with missing pieces are coloured by the rarest missing piece instead.
 */
export function cellColors(layout: PieceMapLayout, map: PieceMap, palette: PiecePalette, heat: boolean, out?: Uint32Array): Uint32Array {
  const colors = out && out.length >= layout.cellCount ? out : new Uint32Array(layout.cellCount);
  const { piecesPerCell: k, pieceCount: n } = layout;
  const shades = colorRamp(palette.missing, palette.have, SHADES);
  const heatColors = heat ? heatTable(maxOf(map.availability, n), palette) : null;
  const haveBits = map.have;
  const downloadingBits = map.downloading;
  const availability = map.availability;
  // Counts past the end of a short availability array read as 0 (a typed array gives undefined there).
  const availableUpTo = Math.min(n, availability.length);
  for (let c = 0; c < layout.cellCount; c++) {
    const first = c * k;
    const end = Math.min(n, first + k);
    let have = 0;
    let downloading = 0;
    let rarest = 0xffff;
    for (let i = first; i < end; i++) {
      const byte = i >> 3;
      const bit = 0x80 >> (i & 7);
      if (haveBits[byte] & bit) {
        have++;
        continue;
      }
      downloading |= downloadingBits[byte] & bit;
      if (heatColors) {
        const a = i < availableUpTo ? availability[i] : 0;
        if (a < rarest) rarest = a;
      }
    }
    const size = end - first;
    let color: number;
    if (have === size) color = palette.have;
    else if (downloading !== 0) color = palette.downloading;
    else if (heatColors) color = heatColors[rarest];
    else if (have === 0) color = palette.missing;
    else color = shades[Math.min(SHADES - 1, Math.max(1, Math.round((have / size) * SHADES)))];
    colors[c] = color;
  }
  return colors;
}

/** The heat colour for each availability 0..maxAvail: unavailable, then rarest to commonest on a log scale. */
function heatTable(maxAvail: number, palette: PiecePalette): Uint32Array {
  const hot = palette.heat;
  const table = new Uint32Array(maxAvail + 1);
  table[0] = palette.unavailable;
  const logMax = Math.log(Math.max(2, maxAvail));
  for (let a = 1; a <= maxAvail; a++) {
    const t = maxAvail <= 1 ? 0 : Math.log(a) / logMax;
    table[a] = hot[Math.min(hot.length - 1, Math.round(t * (hot.length - 1)))];
  }
  return table;
}

function maxOf(a: Uint16Array, n: number): number {
  let m = 0;
  const end = Math.min(n, a.length);
  for (let i = 0; i < end; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Pixel rows [top, bottom) that a paint changed. */
export interface DirtyRows {
  top: number;
  bottom: number;
}

/**
 * Paints cells row-major into `pixels` (width × height, one word per pixel), cell gaps and the space
 * after the last cell in `background`. Each cell row's first pixel row is written and the rest copied,
 * so the cost is about one write per pixel.
 *
 * With `previous` (the colours painted last time with this same layout and background), only the cell
 * rows with a changed colour are painted. Returns the pixel rows that changed, or null when none did.
 */
export function paintCells(layout: PieceMapLayout, colors: Uint32Array, pixels: Uint32Array, background: number, previous?: Uint32Array): DirtyRows | null {
  const { width: w, height: h, cols, pitch, cellCount } = layout;
  const incremental = previous !== undefined && previous.length >= cellCount;
  let top = h;
  let bottom = 0;
  let y = 0;
  for (let r = 0; r < layout.rows && y < h; r++, y = r * pitch) {
    const firstCell = r * cols;
    const lastCell = Math.min(cellCount, firstCell + cols);
    if (incremental && sameRange(colors, previous, firstCell, lastCell)) continue;
    paintCellRow(layout, colors, firstCell, lastCell, y, pixels, background);
    if (y < top) top = y;
    bottom = Math.min(h, y + pitch);
  }
  if (!incremental && y < h) {
    pixels.fill(background, y * w, h * w);
    if (y < top) top = y;
    bottom = h;
  }
  return bottom > top ? { top, bottom } : null;
}

/** Pixel rows [top, bottom) that a paint changed. */
export interface DirtyRows {
  top: number;
  bottom: number;
}

function paintCellRow(layout: PieceMapLayout, colors: Uint32Array, firstCell: number, lastCell: number, y: number, pixels: Uint32Array, background: number): void {
  const { width: w, height: h, pitch, gap } = layout;
  const cell = pitch - gap;
  const rowStart = y * w;
  let x = 0;
  for (let c = firstCell; c < lastCell; c++) {
    const color = colors[c];
    const cellEnd = Math.min(w, x + cell);
    const pitchEnd = Math.min(w, x + pitch);
    let i = rowStart + x;
    for (; x < cellEnd; x++) pixels[i++] = color;
    for (; x < pitchEnd; x++) pixels[i++] = background;
  }
  if (x < w) pixels.fill(background, rowStart + x, rowStart + w);
  const cellRows = Math.min(cell, h - y);
  for (let dy = 1; dy < cellRows; dy++) pixels.copyWithin(rowStart + dy * w, rowStart, rowStart + w);
  const pitchRows = Math.min(pitch, h - y);
  if (pitchRows > cellRows) pixels.fill(background, rowStart + cellRows * w, rowStart + pitchRows * w);
}

function sameRange(a: Uint32Array, b: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The cell under a device-pixel position, or -1 (a gap counts as its cell, so the tooltip does not flicker). */
export function cellAt(layout: PieceMapLayout, x: number, y: number): number {
  if (x < 0 || y < 0) return -1;
  const col = Math.floor(x / layout.pitch);
  const row = Math.floor(y / layout.pitch);
  if (col >= layout.cols) return -1;
  const cell = row * layout.cols + col;
  return cell < layout.cellCount ? cell : -1;
}

export interface CellSummary {
  first: number;
  /** Inclusive. */
  last: number;
  have: number;
  downloading: number;
  minAvailability: number;
  maxAvailability: number;
}

export function summarizeCell(layout: PieceMapLayout, map: PieceMap, cell: number): CellSummary {
  const first = cell * layout.piecesPerCell;
  const end = Math.min(layout.pieceCount, first + layout.piecesPerCell);
  let have = 0;
  let downloading = 0;
  let min = Infinity;
  let max = 0;
  for (let i = first; i < end; i++) {
    if (hasBit(map.have, i)) have++;
    else if (hasBit(map.downloading, i)) downloading++;
    const a = map.availability[i] ?? 0;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  return { first, last: end - 1, have, downloading, minAvailability: end > first ? min : 0, maxAvailability: max };
}

/**
 * Distributed copies, as BitTorrent clients show "availability": the number of complete copies among
 * peers plus the fraction of pieces seen more often than the rarest one.
 */
export function distributedCopies(availability: Uint16Array, pieceCount: number): number {
  const n = Math.min(pieceCount, availability.length);
  if (n === 0) return 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) if (availability[i] < min) min = availability[i];
  let above = 0;
  for (let i = 0; i < n; i++) if (availability[i] > min) above++;
  return min + above / n;
}

/** Missing pieces no peer has: the pieces that keep a torrent from finishing. */
export function countUnavailable(map: PieceMap): number {
  let c = 0;
  for (let i = 0; i < map.pieceCount; i++) if ((map.availability[i] ?? 0) === 0 && !hasBit(map.have, i)) c++;
  return c;
}

/** Whether two maps would draw the same (the engine resends the map with every batch). */
export function samePieceMap(a: PieceMap | null, b: PieceMap | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.pieceCount !== b.pieceCount || a.pieceLength !== b.pieceLength) return false;
  return sameArray(a.have, b.have) && sameArray(a.downloading, b.downloading) && sameArray(a.availability, b.availability);
}

function sameArray(a: Uint8Array | Uint16Array, b: Uint8Array | Uint16Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
