/**
 * The piece map on a canvas. Batches reach it through a transient store subscription and a redraw in the
 * next animation frame, never through a React render; the pixels are built in a Uint32Array and put
 * once. Hovering a cell shows what it holds.
 */
import { useEffect, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import type { PieceMap } from '../../../engine/api/types.js';
import { formatBytes, formatPercent } from '../../lib/format.js';
import {
  cellAt,
  cellColors,
  colorRamp,
  countBits,
  countUnavailable,
  defaultLayoutOptions,
  distributedCopies,
  layoutPieceMap,
  mixColor,
  packColor,
  paintCells,
  summarizeCell,
  type CellSummary,
  type PieceMapLayout,
  type PiecePalette,
} from '../../lib/piece-map.js';
import { useStoreApi, useTessera } from '../../store/context.js';
import { cssColor, useCanvas, type Rgba } from './canvas.js';

const HEAT_STEPS = 12;

function pack(c: Rgba): number {
  return packColor(c[0], c[1], c[2], 255);
}

function readPalette(el: Element, heat: boolean): PiecePalette {
  const background = pack(cssColor(el, '--piece-bg'));
  const have = pack(cssColor(el, '--piece-have'));
  const missing = pack(cssColor(el, '--piece-missing'));
  const rare = pack(cssColor(el, '--heat-rare'));
  return {
    background,
    missing,
    // Under the heat overlay, pieces we have step back so rarity stands out.
    have: heat ? mixColor(have, background, 0.6) : have,
    downloading: pack(cssColor(el, '--piece-downloading')),
    unavailable: pack(cssColor(el, '--piece-unavailable')),
    // From rarest (one peer) towards the plain missing colour: the more copies, the calmer.
    heat: colorRamp(rare, mixColor(rare, missing, 0.8), HEAT_STEPS - 1),
  };
}

/** "812 of 1,024 pieces, 3 downloading, 12 nobody has". */
export function pieceSummary(map: PieceMap | null): string {
  if (!map) return 'No piece map yet';
  if (map.pieceCount === 0) return 'No pieces: the metadata has not arrived yet';
  const have = countBits(map.have, map.pieceCount);
  const downloading = countBits(map.downloading, map.pieceCount);
  const unavailable = countUnavailable(map);
  const parts = [`${have.toLocaleString('en-US')} of ${map.pieceCount.toLocaleString('en-US')} pieces`, `${downloading.toLocaleString('en-US')} downloading`];
  if (unavailable > 0) parts.push(`${unavailable.toLocaleString('en-US')} missing that no peer has`);
  return parts.join(', ');
}

interface Hover {
  x: number;
  y: number;
  cell: CellSummary;
  perCell: number;
}

interface DrawState {
  layout: PieceMapLayout | null;
  map: PieceMap | null;
  heat: boolean;
  palette: PiecePalette | null;
  /** Cell colours being computed, and the ones on the canvas now (swapped after each paint). */
  colors: Uint32Array;
  painted: Uint32Array;
  image: ImageData | null;
}

function sameLayout(a: PieceMapLayout, b: PieceMapLayout): boolean {
  return a.width === b.width && a.height === b.height && a.pitch === b.pitch && a.gap === b.gap && a.cols === b.cols && a.cellCount === b.cellCount && a.piecesPerCell === b.piecesPerCell;
}

export function PiecesTab(): ReactNode {
  const store = useStoreApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const summaryRef = useRef<HTMLSpanElement>(null);
  const [heat, setHeat] = useState(false);
  const [hover, setHover] = useState<Hover | null>(null);
  const hasMap = useTessera((s) => s.pieces !== null);
  const pieceLength = useTessera((s) => s.pieces?.pieceLength ?? 0);
  const pieceCount = useTessera((s) => s.pieces?.pieceCount ?? 0);
  const drawn = useRef<DrawState>({ layout: null, map: null, heat: false, palette: null, colors: new Uint32Array(0), painted: new Uint32Array(0), image: null });
  const heatRef = useRef(heat);
  heatRef.current = heat;

  const requestDraw = useCanvas(canvasRef, (f) => {
    const map = store.getState().pieces;
    const d = drawn.current;
    const wantHeat = heatRef.current;
    // The store replaces the map only when the engine sent a different one.
    if (!f.invalidated && d.heat === wantHeat && d.map === map) return;
    const ctx = f.canvas.getContext('2d');
    if (!ctx || f.width === 0 || f.height === 0) return;
    const repaint = f.invalidated || d.heat !== wantHeat || !d.palette;
    if (repaint || !d.palette) d.palette = readPalette(f.canvas, wantHeat);
    const layout = layoutPieceMap(map?.pieceCount ?? 0, f.width, f.height, defaultLayoutOptions(f.dpr));
    if (!d.image || d.image.width !== f.width || d.image.height !== f.height) d.image = ctx.createImageData(f.width, f.height);
    const sameCells = !repaint && d.layout !== null && sameLayout(d.layout, layout) && d.painted.length >= layout.cellCount;
    if (d.colors.length < layout.cellCount) d.colors = new Uint32Array(layout.cellCount);
    const pixels = new Uint32Array(d.image.data.buffer);
    if (map) cellColors(layout, map, d.palette, wantHeat, d.colors);
    else d.colors.fill(d.palette.background);
    // Only the cells whose colour changed since the last paint are written and uploaded.
    const dirty = paintCells(layout, d.colors, pixels, d.palette.background, sameCells ? d.painted : undefined);
    if (dirty) ctx.putImageData(d.image, 0, 0, 0, dirty.top, f.width, dirty.bottom - dirty.top);
    [d.painted, d.colors] = [d.colors, d.painted];
    d.layout = layout;
    d.map = map;
    d.heat = wantHeat;
    const text = pieceSummary(map);
    f.canvas.setAttribute('aria-label', `Piece map: ${text}${layout.piecesPerCell > 1 ? ` (${layout.piecesPerCell} pieces per cell)` : ''}`);
    if (summaryRef.current) summaryRef.current.textContent = map ? `${text}${map.pieceCount > 0 ? ` · availability ${distributedCopies(map.availability, map.pieceCount).toFixed(2)}` : ''}` : '';
  });

  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.pieces !== prev.pieces) requestDraw();
      }),
    [store, requestDraw],
  );
  useEffect(() => requestDraw(), [heat, hasMap, requestDraw]);

  const onMove = (e: PointerEvent<HTMLCanvasElement>): void => {
    const d = drawn.current;
    const map = store.getState().pieces;
    if (!d.layout || !map) return setHover(null);
    const dpr = window.devicePixelRatio || 1;
    const cell = cellAt(d.layout, e.nativeEvent.offsetX * dpr, e.nativeEvent.offsetY * dpr);
    if (cell < 0) return setHover(null);
    setHover({ x: e.nativeEvent.offsetX, y: e.nativeEvent.offsetY, cell: summarizeCell(d.layout, map, cell), perCell: d.layout.piecesPerCell });
  };

  return (
    <div className="dt-pieces">
      <div className="dt-pieces-bar">
        <span ref={summaryRef} className="dt-pieces-summary" aria-live="off" />
        {pieceCount > 0 ? <span className="dt-muted">{`${pieceCount.toLocaleString('en-US')} × ${formatBytes(pieceLength)}`}</span> : null}
        <label className="dt-check">
          <input type="checkbox" checked={heat} onChange={(e) => setHeat(e.target.checked)} />
          Availability heat
        </label>
      </div>
      <div className="dt-pieces-canvas">
        <canvas ref={canvasRef} role="img" aria-label="Piece map" onPointerMove={onMove} onPointerLeave={() => setHover(null)} />
        {hover ? <PieceTooltip hover={hover} /> : null}
        {!hasMap ? <p className="dt-empty dt-overlay">Waiting for the piece map…</p> : null}
      </div>
      <Legend heat={heat} />
    </div>
  );
}

function PieceTooltip(props: { hover: Hover }): ReactNode {
  const { cell, perCell, x, y } = props.hover;
  const count = cell.last - cell.first + 1;
  const single = perCell === 1;
  const state = cell.have === count ? 'have' : cell.downloading > 0 ? 'downloading' : cell.have > 0 ? 'partly had' : 'missing';
  return (
    <div className="dt-tooltip" role="tooltip" style={{ left: x + 14, top: y + 14 }}>
      <div className="dt-tooltip-title">{single ? `Piece ${cell.first.toLocaleString('en-US')}` : `Pieces ${cell.first.toLocaleString('en-US')}–${cell.last.toLocaleString('en-US')}`}</div>
      {single ? (
        <div>{state}</div>
      ) : (
        <div>
          {`${cell.have} of ${count} had (${formatPercent(cell.have / count)})`}
          {cell.downloading > 0 ? `, ${cell.downloading} downloading` : ''}
        </div>
      )}
      <div>
        {single
          ? availabilityText(cell.minAvailability)
          : `availability ${cell.minAvailability}–${cell.maxAvailability} peers${cell.minAvailability === 0 ? ' (some pieces nobody has)' : ''}`}
      </div>
    </div>
  );
}

function availabilityText(a: number): string {
  return a === 0 ? 'no connected peer has it' : a === 1 ? '1 peer has it' : `${a} peers have it`;
}

function Legend(props: { heat: boolean }): ReactNode {
  return (
    <ul className="dt-legend" aria-label="Piece map legend">
      <li>
        <span className={`dt-swatch dt-sw-have${props.heat ? ' dt-sw-dim' : ''}`} aria-hidden="true" />
        Have
      </li>
      <li>
        <span className="dt-swatch dt-sw-downloading" aria-hidden="true" />
        Downloading
      </li>
      {props.heat ? (
        <>
          <li>
            <span className="dt-swatch dt-sw-heat" aria-hidden="true" />
            Missing: rare (1 peer) → common
          </li>
          <li>
            <span className="dt-swatch dt-sw-unavailable" aria-hidden="true" />
            Missing, no peer has it
          </li>
        </>
      ) : (
        <li>
          <span className="dt-swatch dt-sw-missing" aria-hidden="true" />
          Missing (shaded by share had when cells hold several pieces)
        </li>
      )}
    </ul>
  );
}
