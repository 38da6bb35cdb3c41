/**
 * A popup menu at a point: role="menu", arrow keys move, Enter/Space activate, Esc or Tab close, focus
 * returns to where it was. A click outside, leaving the window or resizing it closes it.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { CheckIcon } from './icons.js';

export interface MenuItem {
  label: string;
  shortcut?: string;
  /** Shown as a check mark; makes the item a menuitemcheckbox. */
  checked?: boolean;
  danger?: boolean;
  run(): void;
}

export function Menu(props: { x: number; y: number; label: string; groups: readonly (readonly MenuItem[])[]; onClose(): void }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: props.x, top: props.y });
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    setPos({
      left: Math.max(4, Math.min(props.x, window.innerWidth - box.width - 4)),
      top: Math.max(4, Math.min(props.y, window.innerHeight - box.height - 4)),
    });
  }, [props.x, props.y]);

  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
    const away = (e: Event): void => {
      if (!ref.current?.contains(e.target as Node)) onClose.current();
    };
    window.addEventListener('mousedown', away, true);
    window.addEventListener('blur', () => onClose.current(), { once: true });
    window.addEventListener('resize', () => onClose.current(), { once: true });
    return () => {
      window.removeEventListener('mousedown', away, true);
      if (returnTo?.isConnected) returnTo.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number): void => {
      e.preventDefault();
      items[(i + items.length) % items.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return focus(at + 1);
      case 'ArrowUp':
        return focus(at - 1);
      case 'Home':
        return focus(0);
      case 'End':
        return focus(items.length - 1);
      case 'Escape':
      case 'Tab':
        e.preventDefault();
        e.stopPropagation();
        props.onClose();
        return;
    }
  };

  const activate = (item: MenuItem): void => {
    props.onClose();
    item.run();
  };

  return (
    <div ref={ref} role="menu" aria-label={props.label} className="menu" style={{ left: pos.left, top: pos.top }} onKeyDown={onKeyDown} onContextMenu={(e) => {
        e.preventDefault();
        e.stopPropagation();
      }}>
      {props.groups.map((g, gi) => (
        <div key={gi} role="group" className="menu-group">
          {g.map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.checked !== undefined ? 'menuitemcheckbox' : 'menuitem'}
              aria-checked={item.checked}
              tabIndex={-1}
              className={item.danger ? 'danger' : undefined}
              onClick={() => activate(item)}
              aria-keyshortcuts={item.shortcut?.replace('Ctrl', 'Control').replace('↑', 'ArrowUp').replace('↓', 'ArrowDown')}
            >
              <span className="check" aria-hidden="true">{item.checked ? <CheckIcon /> : null}</span>
              <span className="label">{item.label}</span>
              {item.shortcut ? <kbd aria-hidden="true">{item.shortcut}</kbd> : null}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
