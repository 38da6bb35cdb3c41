import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PieceMap } from '../../engine/api/types.js';
import {
  cellAt,
  cellColors,
  colorRamp,
  countBits,
  countUnavailable,
  distributedCopies,
  hasBit,
  layoutPieceMap,
  mixColor,
  packColor,
  paintCells,
  samePieceMap,
  summarizeCell,
  type LayoutOptions,
  type PiecePalette,
} from './piece-map.js';

const opts: LayoutOptions = { minPitch: 2, maxPitch: 10, gap: 1, gapFrom: 5 };
const palette: PiecePalette = { background: 0, missing: 1, have: 2, downloading: 3, unavailable: 4, heat: new Uint32Array([10, 11, 12]) };

/** "10.1" → have = pieces 0 and 2 ('.' is missing, 'd' downloading). */
function map(desc: string, availability?: number[]): PieceMap {
  const n = desc.length;
  const have = new Uint8Array(Math.ceil(n / 8));
  const downloading = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) {
    if (desc[i] === '1') have[i >> 3] |= 0x80 >> (i & 7);
    if (desc[i] === 'd') downloading[i >> 3] |= 0x80 >> (i & 7);
  }
  return { pieceCount: n, pieceLength: 16384, have, downloading, availability: Uint16Array.from(availability ?? Array.from({ length: n }, () => 1)) };
}

test('bits are read most significant first, as BitTorrent sends them', () => {
  const bits = new Uint8Array([0b1000_0001, 0b0100_0000]);
  assert.equal(hasBit(bits, 0), true);
  assert.equal(hasBit(bits, 1), false);
  assert.equal(hasBit(bits, 7), true);
  assert.equal(hasBit(bits, 9), true);
  assert.equal(hasBit(bits, 8), false);
  assert.equal(hasBit(bits, 100), false, 'past the end is missing, not a crash');
  assert.equal(countBits(bits, 10), 3);
  assert.equal(countBits(new Uint8Array([0xff, 0xff]), 10), 10, 'spare bits of the last byte are ignored');
  assert.equal(countBits(new Uint8Array([0xff, 0xff, 0xff]), 16), 16);
});

test('a small map gets the largest cells that fit, one piece each', () => {
  const l = layoutPieceMap(10, 200, 50, opts);
  assert.equal(l.piecesPerCell, 1);
  assert.equal(l.pitch, 10);
  assert.equal(l.cols, 20);
  assert.equal(l.rows, 1);
  assert.equal(l.gap, 1);
  assert.equal(l.cellCount, 10);
});

test('cells shrink until every piece fits, then pieces share cells', () => {
  const fits = layoutPieceMap(1000, 100, 100, opts); // 3 px: 33×33 = 1089 cells
  assert.equal(fits.pitch, 3);
  assert.equal(fits.piecesPerCell, 1);
  assert.equal(fits.gap, 0, 'no gap below gapFrom');
  const big = layoutPieceMap(100_000, 100, 100, opts); // 2 px: 50×50 = 2500 cells
  assert.equal(big.pitch, 2);
  assert.equal(big.piecesPerCell, 40);
  assert.equal(big.cellCount, 2500);
  assert.ok(big.rows * big.pitch <= 100);
  const odd = layoutPieceMap(2501, 100, 100, opts);
  assert.equal(odd.piecesPerCell, 2);
  assert.equal(odd.cellCount, 1251, 'the last cell holds the one piece left over');
});

test('zero pieces or no room lays out nothing', () => {
  assert.equal(layoutPieceMap(0, 100, 100, opts).cellCount, 0);
  assert.equal(layoutPieceMap(10, 1, 100, opts).cellCount, 0);
  assert.equal(layoutPieceMap(10, 100, 0, opts).cellCount, 0);
  const l = layoutPieceMap(0, 4, 4, opts);
  const pixels = new Uint32Array(16).fill(9);
  paintCells(l, cellColors(l, map(''), palette, false), pixels, 7);
  assert.deepEqual([...pixels], Array(16).fill(7));
});

test('one colour per piece: have, downloading, missing', () => {
  const m = map('1d..1');
  const l = layoutPieceMap(5, 100, 10, opts);
  assert.deepEqual([...cellColors(l, m, palette, false)], [2, 3, 1, 1, 2]);
});

test('aggregated cells shade by the share of pieces we have; a partial last cell counts its own pieces', () => {
  const m = map('1111' + '11..' + '....' + '1d..' + '1');
  const l = { ...layoutPieceMap(17, 100, 10, opts), piecesPerCell: 4, cellCount: 5 };
  const colors = cellColors(l, m, palette, false);
  const shades = colorRamp(1, 2, 16);
  assert.equal(colors[0], 2);
  assert.equal(colors[1], shades[8]);
  assert.equal(colors[2], 1);
  assert.equal(colors[3], 3, 'any downloading piece marks the cell');
  assert.equal(colors[4], 2, 'the last cell has one piece, and we have it');
  const nearlyAll = map('1'.repeat(99) + '.');
  const l2 = { ...l, pieceCount: 100, piecesPerCell: 100, cellCount: 1 };
  const grey = { ...palette, missing: packColor(0, 0, 0), have: packColor(160, 160, 160) };
  assert.notEqual(cellColors(l2, nearlyAll, grey, false)[0], grey.have, '99% is not shown as complete');
  assert.notEqual(cellColors(l2, map('1' + '.'.repeat(99)), grey, false)[0], grey.missing, '1% is not shown as nothing');
});

test('heat colours missing pieces by their rarest availability; zero is marked apart', () => {
  const m = map('1....', [0, 0, 1, 2, 4]);
  const l = layoutPieceMap(5, 100, 10, opts);
  const colors = cellColors(l, m, palette, true);
  assert.deepEqual([...colors], [2, 4, 10, 11, 12]);
  const agg = { ...l, piecesPerCell: 5, cellCount: 1 };
  assert.equal(cellColors(agg, m, palette, true)[0], 4, 'one unavailable piece makes the cell unavailable');
});

test('cells paint as squares with gaps, row after row', () => {
  const l = layoutPieceMap(3, 6, 6, { minPitch: 2, maxPitch: 3, gap: 1, gapFrom: 3 });
  assert.equal(l.pitch, 3);
  assert.equal(l.cols, 2);
  const pixels = new Uint32Array(36);
  paintCells(l, new Uint32Array([5, 6, 8]), pixels, 0);
  const rows = [];
  for (let y = 0; y < 6; y++) rows.push([...pixels.subarray(y * 6, y * 6 + 6)].join(''));
  assert.deepEqual(rows, ['550660', '550660', '000000', '880000', '880000', '000000']);
});

test('a full paint fills gaps and the space after the last cell with the background', () => {
  const l = layoutPieceMap(3, 7, 7, { minPitch: 2, maxPitch: 3, gap: 1, gapFrom: 3 });
  assert.equal(l.cols, 2);
  const pixels = new Uint32Array(49).fill(9);
  assert.deepEqual(paintCells(l, new Uint32Array([5, 6, 8]), pixels, 0), { top: 0, bottom: 7 });
  const rows = [];
  for (let y = 0; y < 7; y++) rows.push([...pixels.subarray(y * 7, y * 7 + 7)].join(''));
  assert.deepEqual(rows, ['5506600', '5506600', '0000000', '8800000', '8800000', '0000000', '0000000']);
});

test('with the previous colours only changed cells are repainted, and the dirty rows say where', () => {
  const l = layoutPieceMap(6, 6, 6, { minPitch: 2, maxPitch: 2, gap: 0, gapFrom: 3 });
  assert.equal(l.cols, 3);
  const before = new Uint32Array([1, 1, 1, 1, 1, 1]);
  const pixels = new Uint32Array(36);
  paintCells(l, before, pixels, 0);
  const full = new Uint32Array(36);
  const after = new Uint32Array([1, 1, 1, 1, 7, 1]);
  paintCells(l, after, full, 0);
  assert.deepEqual(paintCells(l, after, pixels, 0, before), { top: 2, bottom: 4 });
  assert.deepEqual([...pixels], [...full], 'the same pixels as a full paint');
  assert.equal(paintCells(l, after, pixels, 0, after), null, 'nothing changed, nothing to upload');
});

test('hit testing maps a pixel to its cell and summarises the pieces in it', () => {
  const l = { ...layoutPieceMap(10, 20, 20, opts) };
  const cell = cellAt(l, l.pitch * 1 + 1, 0);
  assert.equal(cell, 1);
  assert.equal(cellAt(l, -1, 0), -1);
  assert.equal(cellAt(l, 0, 1000), -1);
  const m = map('1d........', [3, 2, 0, 1, 1, 1, 1, 1, 1, 1]);
  const agg = { ...l, piecesPerCell: 4, cellCount: 3 };
  assert.deepEqual(summarizeCell(agg, m, 0), { first: 0, last: 3, have: 1, downloading: 1, minAvailability: 0, maxAvailability: 3 });
  assert.deepEqual(summarizeCell(agg, m, 2), { first: 8, last: 9, have: 0, downloading: 0, minAvailability: 1, maxAvailability: 1 });
});

test('distributed copies: the rarest count plus the share of pieces above it', () => {
  assert.equal(distributedCopies(new Uint16Array([2, 2, 3, 5]), 4), 2.5);
  assert.equal(distributedCopies(new Uint16Array([0, 1, 1, 1]), 4), 0.75);
  assert.equal(distributedCopies(new Uint16Array([]), 0), 0);
  assert.equal(countUnavailable(map('1...', [0, 0, 1, 0])), 2);
});

test('colours pack in ImageData order and mix byte by byte', () => {
  const c = packColor(1, 2, 3, 4);
  const bytes = new Uint8Array(new Uint32Array([c]).buffer);
  assert.deepEqual([...bytes], [1, 2, 3, 4]);
  const mid = mixColor(packColor(0, 0, 0, 255), packColor(200, 100, 50, 255), 0.5);
  assert.deepEqual([...new Uint8Array(new Uint32Array([mid]).buffer)], [100, 50, 25, 255]);
});

// How fast this is, is the UI benchmark's job (bench/ui.ts); here: that a big map fits and is fully drawn.
test('100,000 pieces fit the canvas by aggregating pieces per cell, and every cell is painted', () => {
  const n = 100_000;
  const m: PieceMap = {
    pieceCount: n,
    pieceLength: 1 << 20,
    have: new Uint8Array(n / 8).fill(0xff),
    downloading: new Uint8Array(n / 8),
    availability: new Uint16Array(n).fill(1),
  };
  const w = 1600;
  const h = 400;
  const l = layoutPieceMap(n, w, h, opts);
  assert.ok(l.cellCount * l.piecesPerCell >= n, 'every piece has a cell');
  assert.ok(l.cellCount <= w * h, 'no sub-pixel cells');
  const colors = new Uint32Array(l.cellCount);
  cellColors(l, m, palette, false, colors);
  assert.ok(colors.every((c) => c === colors[0]), 'a complete map is one colour');
  const pixels = new Uint32Array(w * h);
  paintCells(l, colors, pixels, 0);
  assert.ok(pixels.some((p) => p === colors[0]), 'the cells are painted');
});

test('maps that would draw the same are recognised, so an unchanged resend is not redrawn', () => {
  const a = map('1d..', [1, 2, 0, 3]);
  assert.equal(samePieceMap(a, map('1d..', [1, 2, 0, 3])), true);
  assert.equal(samePieceMap(a, map('11..', [1, 2, 0, 3])), false);
  assert.equal(samePieceMap(a, map('1...', [1, 2, 0, 3])), false);
  assert.equal(samePieceMap(a, map('1d..', [1, 2, 1, 3])), false);
  assert.equal(samePieceMap(a, null), false);
  assert.equal(samePieceMap(null, null), true);
});
