/**
 * The virtualised torrent list: a role="grid" scroller with a sticky header and a spacer as tall as all
 * rows; only the rows in view (plus overscan) are mounted, each placed with a transform. Mouse events
 * are delegated from the grid, so rows carry no handlers. Keyboard: arrows, Home/End, PageUp/PageDown
 * (Shift extends), Space toggles the cursor row (with Ctrl), Enter opens details, the context-menu key
 * or Shift+F10 opens the menu.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { isMod } from '../../lib/dom.js';
import { useStoreApi, useTessera } from '../../store/context.js';
import { useCommands } from '../commands.js';
import { ContextMenu } from '../ContextMenu.js';
import { rowWindow } from '../virtual.js';
import { gridTemplate } from '../../lib/list-layout.js';
import { mediaTypeOf } from '../../lib/media.js';
import { openPlayer } from '../player/open-player.js';
import { COLUMNS, ROW_HEIGHT, rowDomId, useVisibleColumns } from './columns.js';
import { ListHeader } from './ListHeader.js';
import { TorrentRow } from './TorrentRow.js';

const OVERSCAN = 10;

interface Range {
  start: number;
  end: number;
}

function rangeFor(scrollTop: number, height: number, count: number): Range {
  const { start, end } = rowWindow(count, ROW_HEIGHT, scrollTop, height, OVERSCAN);
  return { start, end };
}

export function TorrentList(): ReactNode {
  const ids = useTessera((s) => s.visibleIds);
  const lead = useTessera((s) => s.lead);
  const loaded = useTessera((s) => s.loaded);
  const total = useTessera((s) => s.torrents.size);
  const layout = useTessera((s) => s.listLayout);
  const columnCount = useVisibleColumns().length;
  const store = useStoreApi();
  const commands = useCommands();
  const scroller = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<Range>({ start: 0, end: 60 });
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const headHeight = useRef(ROW_HEIGHT);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const next = rangeFor(el.scrollTop, el.clientHeight, store.getState().visibleIds.length);
    setRange((r) => (r.start === next.start && r.end === next.end ? r : next));
  }, [store]);

  useLayoutEffect(measure, [ids.length, measure]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    headHeight.current = el.querySelector('.list-head')?.getBoundingClientRect().height ?? ROW_HEIGHT;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);

  // Keep the cursor row in view when the keyboard moves it.
  useEffect(() => {
    const el = scroller.current;
    if (!el || lead === null) return;
    const index = store.getState().visibleIds.indexOf(lead);
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const viewTop = el.scrollTop;
    const viewBottom = viewTop + el.clientHeight - headHeight.current;
    if (top < viewTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > viewBottom) el.scrollTop = top + ROW_HEIGHT - (el.clientHeight - headHeight.current);
  }, [lead, store]);

  const rowAt = (e: MouseEvent): string | null => (e.target as Element).closest<HTMLElement>('[role="row"][data-id]')?.dataset.id ?? null;

  const onMouseDown = (e: MouseEvent): void => {
    const id = rowAt(e);
    if (id === null) return;
    const s = store.getState();
    if (e.button === 2) {
      if (!s.selection.has(id)) s.select(id, 'only', s.visibleIds);
      return;
    }
    if (e.button !== 0) return;
    if (e.shiftKey) e.preventDefault(); // no text selection on shift-click
    s.select(id, e.shiftKey ? 'range' : isMod(e) ? 'toggle' : 'only', s.visibleIds);
    if (!e.shiftKey && !isMod(e)) s.showDetails(id);
  };

  const onDoubleClick = (e: MouseEvent): void => {
    const id = rowAt(e);
    if (id === null) return;
    // A single-file video torrent is named after its file: double-click plays it, as a file manager would.
    if (mediaTypeOf(store.getState().torrents.get(id)?.name ?? '')?.kind === 'video') openPlayer(store, id, null);
    else commands.openDetails(id);
  };

  const onContextMenu = (e: MouseEvent): void => {
    e.preventDefault();
    if (rowAt(e) === null || store.getState().selection.size === 0) return;
    setMenu({ x: e.clientX, y: e.clientY });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget) return; // header buttons handle their own keys
    const s = store.getState();
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const move = (delta: number): void => {
      e.preventDefault();
      s.moveCursor(delta, { extend: e.shiftKey, keepSelection: false });
    };
    if (isMod(e) && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) return; // queue moves, handled by the window
    switch (e.key) {
      case 'ArrowDown':
        return move(1);
      case 'ArrowUp':
        return move(-1);
      case 'PageDown':
        return move(page);
      case 'PageUp':
        return move(-page);
      case 'Home':
        return move(Number.NEGATIVE_INFINITY);
      case 'End':
        return move(Number.POSITIVE_INFINITY);
      case ' ':
        if (s.lead !== null) {
          e.preventDefault();
          s.select(s.lead, isMod(e) ? 'toggle' : 'only', s.visibleIds);
        }
        return;
      case 'Enter':
        if (s.lead !== null) {
          e.preventDefault();
          commands.openDetails(s.lead);
        }
        return;
      case 'ContextMenu':
      case 'F10':
        if (e.key === 'F10' && !e.shiftKey) return;
        e.preventDefault();
        openMenuAtCursor();
        return;
    }
  };

  const openMenuAtCursor = (): void => {
    const s = store.getState();
    if (s.selection.size === 0 && s.lead !== null) s.select(s.lead, 'only', s.visibleIds);
    if (store.getState().selection.size === 0) return;
    const row = s.lead !== null ? document.getElementById(rowDomId(s.lead)) : null;
    const box = (row ?? scroller.current)?.getBoundingClientRect();
    if (box) setMenu({ x: box.left + 40, y: box.top + (row ? ROW_HEIGHT : 0) });
  };

  const rows: ReactNode[] = [];
  // Keyed by slot, not by id: scrolling reuses the mounted rows with new props instead of remounting them.
  const slots = Math.max(1, range.end - range.start);
  for (let i = range.start; i < Math.min(range.end, ids.length); i++) rows.push(<TorrentRow key={i % slots} id={ids[i]} index={i} />);

  return (
    <div className="list-wrap">
      <div
        ref={scroller}
        className="torrent-list"
        role="grid"
        aria-label="Torrents"
        aria-rowcount={ids.length + 1}
        aria-colcount={columnCount}
        aria-multiselectable="true"
        aria-activedescendant={lead !== null && ids.includes(lead) ? rowDomId(lead) : undefined}
        tabIndex={0}
        style={{ ['--cols' as string]: gridTemplate(COLUMNS, layout) }}
        onScroll={measure}
        onMouseDown={onMouseDown}
        onDoubleClick={onDoubleClick}
        onContextMenu={onContextMenu}
        onKeyDown={onKeyDown}
      >
        <ListHeader />
        <div role="rowgroup" className="list-body" style={{ height: ids.length * ROW_HEIGHT }}>
          {rows}
        </div>
      </div>
      {/* Outside the grid: a grid holds only rows. */}
      {ids.length === 0 ? <EmptyList loaded={loaded} total={total} /> : null}
      {menu ? <ContextMenu x={menu.x} y={menu.y} onClose={() => setMenu(null)} /> : null}
    </div>
  );
}

function EmptyList({ loaded, total }: { loaded: boolean; total: number }): ReactNode {
  let text: string;
  if (!loaded) text = 'Connecting to the engine…';
  else if (total === 0) text = 'No torrents yet. Drop .torrent files or magnet links here, paste a magnet link, or use Add torrent file.';
  else text = 'No torrents match this filter or search.';
  return <p className="list-empty" role="status">{text}</p>;
}
