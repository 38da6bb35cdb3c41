/**
 * The header row: one sort button per column (aria-sort on the sorted one), a resize handle on each
 * column's right edge (drag, or arrow keys when focused; double-click restores the default width), and
 * a context menu to show or hide columns.
 */
import { createPortal } from 'react-dom';
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import { MAX_COLUMN_PX, MIN_COLUMN_PX, resetColumnWidths, resizeColumn, toggleColumn } from '../../lib/list-layout.js';
import { useStoreApi, useTessera } from '../../store/context.js';
import { Menu, type MenuItem } from '../Menu.js';
import { COLUMNS, useVisibleColumns, type Column } from './columns.js';
import { SortIcon } from '../icons.js';

const KEY_STEP_PX = 16;

export function ListHeader(): ReactNode {
  const sort = useTessera((s) => s.sort);
  const setSort = useTessera((s) => s.setSort);
  const columns = useVisibleColumns();
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);

  const onContextMenu = (e: MouseEvent): void => {
    e.preventDefault();
    e.stopPropagation();
    setMenu({ x: e.clientX, y: e.clientY });
  };

  return (
    <div role="rowgroup" className="list-head" onContextMenu={onContextMenu}>
      <div role="row" aria-rowindex={1} className="row head">
        {columns.map((c) => {
          const sorted = sort.key === c.key;
          return (
            <div key={c.key} role="columnheader" aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : 'none'} className={c.align === 'end' ? 'num' : undefined}>
              <button type="button" onClick={() => setSort(c.key)} aria-label={sortLabel(c)} title={sortLabel(c)}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">{sorted ? <SortIcon descending={sort.descending} /> : null}</span>
              </button>
              <ResizeHandle column={c} />
            </div>
          );
        })}
      </div>
      {/* In the body, not in the grid, which may hold only rows. */}
      {menu ? createPortal(<ColumnsMenu x={menu.x} y={menu.y} onClose={() => setMenu(null)} />, document.body) : null}
    </div>
  );
}

/** "Sort by size"; a terse header keeps its visible word in the name: "Sort by ETA (time remaining)". */
function sortLabel(c: Column): string {
  const title = c.title.toLowerCase();
  const saysIt = title.split(' ').includes(c.label.toLowerCase()) || !/\w/.test(c.label);
  return saysIt ? `Sort by ${title}` : `Sort by ${c.label} (${title})`;
}

function ResizeHandle({ column }: { column: Column }): ReactNode {
  const store = useStoreApi();
  const width = useTessera((s) => s.listLayout.widths[column.key]);
  const drag = useRef<{ x: number; width: number } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  // The column's rendered width, for screen readers and as the start of a keyboard resize.
  const [shown, setShown] = useState(0);
  useEffect(() => {
    const cell = ref.current?.parentElement;
    if (!cell) return;
    const ro = new ResizeObserver(() => setShown(Math.round(cell.getBoundingClientRect().width)));
    ro.observe(cell);
    return () => ro.disconnect();
  }, []);

  const currentWidth = (el: HTMLElement): number => width ?? el.parentElement?.getBoundingClientRect().width ?? 100;
  const setWidth = (px: number): void => {
    const s = store.getState();
    s.setListLayout(resizeColumn(s.listLayout, column.key, px));
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    drag.current = { x: e.clientX, width: currentWidth(e.currentTarget) };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag.current) setWidth(drag.current.width + e.clientX - drag.current.x);
  };
  const onPointerUp = (): void => {
    drag.current = null;
  };
  const onDoubleClick = (): void => {
    const s = store.getState();
    s.setListLayout(resetColumnWidths(s.listLayout, column.key));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.key === 'ArrowLeft' ? -KEY_STEP_PX : e.key === 'ArrowRight' ? KEY_STEP_PX : 0;
    if (step === 0) return;
    e.preventDefault();
    e.stopPropagation();
    setWidth(currentWidth(e.currentTarget) + step);
  };

  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize the ${column.title.toLowerCase()} column`}
      ref={ref}
      aria-valuenow={shown}
      aria-valuemin={MIN_COLUMN_PX}
      aria-valuemax={MAX_COLUMN_PX}
      aria-valuetext={`${shown} pixels`}
      title="Drag to resize; double-click for the default width"
      tabIndex={0}
      className="col-resize"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={onDoubleClick}
      onClick={(e) => e.stopPropagation()}
      onKeyDown={onKeyDown}
    />
  );
}

function ColumnsMenu(props: { x: number; y: number; onClose(): void }): ReactNode {
  const store = useStoreApi();
  const layout = useTessera((s) => s.listLayout);
  const update = (next: (l: typeof layout) => typeof layout): void => {
    const s = store.getState();
    s.setListLayout(next(s.listLayout));
  };
  const toggles: MenuItem[] = COLUMNS.filter((c) => !c.required).map((c) => ({
    label: c.title,
    checked: !layout.hidden.includes(c.key),
    run: () => update((l) => toggleColumn(COLUMNS, l, c.key)),
  }));
  const reset: MenuItem[] = [{ label: 'Default column widths', run: () => update((l) => resetColumnWidths(l)) }];
  return <Menu x={props.x} y={props.y} label="Columns" groups={[toggles, reset]} onClose={props.onClose} />;
}
