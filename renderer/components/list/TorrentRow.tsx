/**
 * One list row. It selects only its own torrent and its own selected/cursor flags, so a batch that
 * changes 500 torrents re-renders just the visible rows among them.
 */
import { memo, type DragEvent, type ReactNode } from 'react';
import type { TorrentSummary } from '../../../engine/api/types.js';
import { formatBytes, formatDate, formatPercent, formatRatio } from '../../lib/format.js';
import { etaText, statusLine, statusText } from '../../lib/torrent-view.js';
import { useStoreApi, useTessera } from '../../store/context.js';
import { TORRENT_DRAG_TYPE } from '../../lib/sidebar-filters.js';
import { useShownRateText } from '../../store/shown-rates.js';
import type { SortKey } from '../../store/store.js';
import { ROW_HEIGHT, rowDomId, useVisibleColumns } from './columns.js';

const CELLS: Readonly<Record<SortKey, (t: TorrentSummary) => ReactNode>> = {
  queuePosition: (t) => (t.queuePosition >= 0 ? t.queuePosition + 1 : ''),
  name: (t) => t.name,
  totalBytes: (t) => (t.state === 'metadata' && t.totalBytes === 0 ? '' : formatBytes(t.totalBytes)),
  progress: (t) => <Progress t={t} />,
  state: (t) => <Status t={t} />,
  downRate: (t) => <ShownRate id={t.id} which="down" />,
  upRate: (t) => <ShownRate id={t.id} which="up" />,
  eta: (t) => etaText(t, ''),
  ratio: (t) => formatRatio(t.ratio),
  peers: (t) => t.peers,
  seeds: (t) => t.seeds,
  addedAt: (t) => formatDate(t.addedAt),
};

export const TorrentRow = memo(function TorrentRow(props: { id: string; index: number }): ReactNode {
  const t = useTessera((s) => s.torrents.get(props.id));
  const selected = useTessera((s) => s.selection.has(props.id));
  const cursor = useTessera((s) => s.lead === props.id);
  const columns = useVisibleColumns();
  const store = useStoreApi();
  if (!t) return null;
  // Dragged onto a sidebar category or tag: the selection when the row is part of it, else this row.
  const onDragStart = (e: DragEvent): void => {
    const { selection } = store.getState();
    const ids = selection.has(t.id) ? [...selection] : [t.id];
    e.dataTransfer.setData(TORRENT_DRAG_TYPE, ids.join('\n'));
    e.dataTransfer.effectAllowed = 'move';
  };
  const cls = `row${selected ? ' selected' : ''}${cursor ? ' cursor' : ''}${t.state === 'error' ? ' failed' : ''}`;
  return (
    <div
      role="row"
      id={rowDomId(t.id)}
      data-id={t.id}
      aria-rowindex={props.index + 2}
      aria-selected={selected}
      aria-label={t.name}
      className={cls}
      style={{ transform: `translateY(${props.index * ROW_HEIGHT}px)` }}
      draggable
      onDragStart={onDragStart}
    >
      {columns.map((c) => (
        <div key={c.key} role="gridcell" className={c.align === 'end' ? 'num' : c.key === 'name' ? 'name' : undefined} title={c.key === 'name' ? t.name : undefined}>
          {CELLS[c.key](t)}
        </div>
      ))}
    </div>
  );
});

/**
 * A rate cell selects its own shown (smoothed) rate: while a rate settles, its text changes on batches
 * that do not touch the row, and only this text re-renders, not the row.
 */
const ShownRate = memo(function ShownRate(props: { id: string; which: 'down' | 'up' }): ReactNode {
  return useShownRateText(props.id, props.which);
});

function Progress({ t }: { t: TorrentSummary }): ReactNode {
  const text = formatPercent(t.progress);
  return (
    <div className={`progress ${t.state}`} role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(t.progress * 1000) / 10} aria-valuetext={text}>
      <div className="progress-fill" style={{ transform: `scaleX(${Math.min(1, Math.max(0, t.progress))})` }} />
      <span className="progress-text">{text}</span>
    </div>
  );
}

function Status({ t }: { t: TorrentSummary }): ReactNode {
  const { label, detail } = statusText(t);
  return (
    <span className="status" title={statusLine(t)}>
      <span className={`state-${t.state}`}>{label}</span>
      {detail ? <span className={t.state === 'error' ? 'reason error-text' : 'reason'}>{detail}</span> : null}
    </span>
  );
}
