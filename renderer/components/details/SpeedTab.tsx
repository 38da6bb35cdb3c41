/**
 * Download and upload rates over the last 5 minutes, for this torrent or the whole session. The ring
 * buffers are read on speedTick through a transient subscription (and once a second, so the time axis
 * keeps moving when batches pause); React renders only when the toggle changes.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatRate } from '../../lib/format.js';
import { latest, peakSince, rateAxis, seriesPoints, timeTicks, type PlotRect, type RateSeries } from '../../lib/speed-graph.js';
import { useStoreApi } from '../../store/context.js';
import { cssColor, rgbaString, useCanvas } from './canvas.js';

const WINDOW_MS = 5 * 60_000;
type Scope = 'torrent' | 'session';

export function SpeedTab(): ReactNode {
  const store = useStoreApi();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const nowRef = useRef<HTMLSpanElement>(null);
  const [scope, setScope] = useState<Scope>('torrent');
  const scopeRef = useRef(scope);
  scopeRef.current = scope;

  const requestDraw = useCanvas(canvasRef, (f) => {
    const s = store.getState();
    const h: RateSeries = scopeRef.current === 'torrent' ? s.torrentSpeed : s.sessionSpeed;
    const ctx = f.canvas.getContext('2d');
    if (!ctx || f.width === 0 || f.height === 0) return;
    const el = f.canvas;
    const fg = rgbaString(cssColor(el, '--fg-muted'));
    const grid = rgbaString(cssColor(el, '--border'));
    const down = rgbaString(cssColor(el, '--down'));
    const up = rgbaString(cssColor(el, '--up'));
    const now = Date.now();
    const axis = rateAxis(peakSince(h, now - WINDOW_MS));
    const dpr = f.dpr;
    const font = `${Math.round(11 * dpr)}px ${getComputedStyle(el).fontFamily || 'sans-serif'}`;
    ctx.clearRect(0, 0, f.width, f.height);
    ctx.font = font;
    const labelWidth = Math.max(...axis.ticks.map((t) => ctx.measureText(t.label).width));
    const rect: PlotRect = { left: Math.ceil(labelWidth + 10 * dpr), top: Math.round(8 * dpr), width: 0, height: 0 };
    rect.width = Math.max(1, f.width - rect.left - Math.round(10 * dpr));
    rect.height = Math.max(1, f.height - rect.top - Math.round(20 * dpr));

    ctx.lineWidth = Math.max(1, Math.round(dpr));
    ctx.strokeStyle = grid;
    ctx.fillStyle = fg;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (const t of axis.ticks) {
      const y = Math.round(rect.top + rect.height - (t.value / axis.max) * rect.height) + 0.5;
      ctx.beginPath();
      ctx.moveTo(rect.left, y);
      ctx.lineTo(rect.left + rect.width, y);
      ctx.stroke();
      ctx.fillText(t.label, rect.left - 5 * dpr, y);
    }
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    for (const t of timeTicks(WINDOW_MS)) {
      const x = rect.left + ((t.value + WINDOW_MS) / WINDOW_MS) * rect.width;
      ctx.textAlign = t.value === 0 ? 'right' : t.value === -WINDOW_MS ? 'left' : 'center';
      ctx.fillText(t.label, x, rect.top + rect.height + 5 * dpr);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left, rect.top, rect.width, rect.height);
    ctx.clip();
    drawSeries(ctx, seriesPoints(h, 'down', now, WINDOW_MS, rect, axis.max), down, rect, 2 * dpr, true);
    drawSeries(ctx, seriesPoints(h, 'up', now, WINDOW_MS, rect, axis.max), up, rect, 2 * dpr, false);
    ctx.restore();

    const last = latest(h);
    const peak = peakSince(h, now - WINDOW_MS);
    const who = scopeRef.current === 'torrent' ? 'This torrent' : 'Session';
    const summary = h.length === 0 ? `${who}: no samples yet` : `${who}: download ${formatRate(last.down, '0 B/s')}, upload ${formatRate(last.up, '0 B/s')} now; peak ${formatRate(peak, '0 B/s')} over the last 5 minutes`;
    el.setAttribute('aria-label', `Speed graph. ${summary}`);
    if (nowRef.current) nowRef.current.textContent = h.length === 0 ? '' : `↓ ${formatRate(last.down, '0 B/s')}  ↑ ${formatRate(last.up, '0 B/s')}`;
  });

  useEffect(() => {
    const off = store.subscribe((s, prev) => {
      if (s.speedTick !== prev.speedTick) requestDraw();
    });
    const timer = window.setInterval(requestDraw, 1000);
    return () => {
      off();
      window.clearInterval(timer);
    };
  }, [store, requestDraw]);
  useEffect(() => requestDraw(), [scope, requestDraw]);

  return (
    <div className="dt-speed">
      <div className="dt-speed-bar">
        <div role="radiogroup" aria-label="Rates of" className="dt-segmented">
          <label>
            <input type="radio" name="dt-speed-scope" checked={scope === 'torrent'} onChange={() => setScope('torrent')} />
            This torrent
          </label>
          <label>
            <input type="radio" name="dt-speed-scope" checked={scope === 'session'} onChange={() => setScope('session')} />
            Session
          </label>
        </div>
        <ul className="dt-legend" aria-label="Speed graph legend">
          <li>
            <span className="dt-swatch dt-sw-down" aria-hidden="true" />
            Download
          </li>
          <li>
            <span className="dt-swatch dt-sw-up" aria-hidden="true" />
            Upload
          </li>
        </ul>
        <span ref={nowRef} className="dt-speed-now" />
      </div>
      <div className="dt-speed-canvas">
        <canvas ref={canvasRef} role="img" aria-label="Speed graph" />
      </div>
    </div>
  );
}

function drawSeries(ctx: CanvasRenderingContext2D, pts: Float64Array, color: string, rect: PlotRect, width: number, fill: boolean): void {
  if (pts.length < 2) return;
  ctx.beginPath();
  ctx.moveTo(pts[0], pts[1]);
  for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i], pts[i + 1]);
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.stroke();
  if (fill) {
    ctx.lineTo(pts[pts.length - 2], rect.top + rect.height);
    ctx.lineTo(pts[0], rect.top + rect.height);
    ctx.closePath();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
}
