/**
 * A vertical split: the top pane takes the rest, the bottom pane has a height the user drags (or sets
 * with arrow keys on the separator), remembered in localStorage. Collapsing hides the bottom pane.
 */
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { localStore, writeItem } from '../lib/local-store.js';
import { useTessera } from '../store/context.js';

const KEY = 'tessera.detailsHeight';
const MIN = 120;

function initialHeight(): number {
  const v = Number(localStore()?.getItem(KEY));
  return Number.isFinite(v) && v >= MIN ? v : 280;
}

export function SplitPane(props: { top: ReactNode; bottom: ReactNode; bottomLabel: string }): ReactNode {
  const [height, setHeight] = useState(initialHeight);
  const collapsed = useTessera((s) => s.detailsCollapsed);
  const setCollapsed = useTessera((s) => s.setDetailsCollapsed);
  const root = useRef<HTMLDivElement>(null);
  const drag = useRef<{ y: number; h: number } | null>(null);

  const clamp = (h: number): number => {
    const total = root.current?.clientHeight ?? 800;
    return Math.round(Math.max(MIN, Math.min(total - MIN, h)));
  };
  const commit = (h: number): void => {
    const v = clamp(h);
    setHeight(v);
    writeItem(localStore(), KEY, String(v));
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (collapsed) setCollapsed(false);
    drag.current = { y: e.clientY, h: height };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag.current) setHeight(clamp(drag.current.h + drag.current.y - e.clientY));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    if (!drag.current) return;
    commit(drag.current.h + drag.current.y - e.clientY);
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.shiftKey ? 100 : 20;
    if (e.key === 'ArrowUp') commit(height + step);
    else if (e.key === 'ArrowDown') commit(height - step);
    else if (e.key === 'Enter') setCollapsed(!collapsed);
    else return;
    e.preventDefault();
  };

  return (
    <div className="split" ref={root}>
      <div className="split-top">{props.top}</div>
      <div
        className="split-handle"
        role="separator"
        aria-orientation="horizontal"
        aria-label={`Resize ${props.bottomLabel.toLowerCase()} (Enter shows or hides it)`}
        aria-valuenow={collapsed ? 0 : height}
        aria-valuemin={0}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onDoubleClick={() => setCollapsed(!collapsed)}
        onKeyDown={onKeyDown}
      />
      {collapsed ? null : (
        <section className="split-bottom" aria-label={props.bottomLabel} style={{ height }}>
          {props.bottom}
        </section>
      )}
    </div>
  );
}
