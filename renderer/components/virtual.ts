/** Windowing for long tables with fixed-height rows: which rows to render for the scroll position. */
import { useEffect, useState, type RefObject } from 'react';

export interface RowWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

export function rowWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 8): RowWindow {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + overscan * 2;
  const start = Math.min(first, Math.max(0, count - 1));
  const end = Math.min(count, start + visible);
  return { start: count === 0 ? 0 : start, end, padTop: (count === 0 ? 0 : start) * rowHeight, padBottom: Math.max(0, count - end) * rowHeight };
}

/** The scroll position and height of a scrolling element, kept in state. */
export function useScrollBox(ref: RefObject<HTMLElement | null>): { scrollTop: number; height: number } {
  const [box, setBox] = useState({ scrollTop: 0, height: 400 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const read = (): void => {
      frame = 0;
      setBox((b) => (b.scrollTop === el.scrollTop && b.height === el.clientHeight ? b : { scrollTop: el.scrollTop, height: el.clientHeight }));
    };
    const schedule = (): void => {
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    el.addEventListener('scroll', schedule, { passive: true });
    const ro = new ResizeObserver(schedule);
    ro.observe(el);
    read();
    return () => {
      el.removeEventListener('scroll', schedule);
      ro.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [ref]);
  return box;
}
