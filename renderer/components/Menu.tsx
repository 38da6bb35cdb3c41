/**
 * A popup menu at a point: role="menu", arrow keys move, Enter/Space activate, Esc or Tab close, focus
 * returns to where it was. A click outside, leaving the window or resizing it closes it. An item with a
 * submenu ("Category ▸") opens it in place (click, Enter, Space or →); ← or its "Back" item returns.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { CheckIcon } from './icons.js';

export interface MenuItem {
  label: string;
  shortcut?: string;
  /** Shown as a check mark; makes the item a menuitemcheckbox. */
  checked?: boolean;
  danger?: boolean;
  /** Not called for an item with a submenu. */
  run(): void;
  /** Opens in place of the menu's items. */
  submenu?: readonly (readonly MenuItem[])[];
}

export function Menu(props: { x: number; y: number; label: string; groups: readonly (readonly MenuItem[])[]; onClose(): void }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: props.x, top: props.y });
  /** The open submenus, innermost last: [] shows props.groups. */
  const [path, setPath] = useState<readonly MenuItem[]>([]);
  const open = path.length > 0 ? path[path.length - 1] : null;
  const back: MenuItem = { label: '◂ Back', run: () => setPath(path.slice(0, -1)) };
  const groups = open?.submenu ? [[back], ...open.submenu] : props.groups;

  useEffect(() => {
    // A submenu opened or closed: the keyboard stays in the menu, on its first item.
    if (path.length > 0 || ref.current?.contains(document.activeElement)) ref.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
  }, [path]);
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
      case 'ArrowRight': {
        const item = itemByLabel(groups, (document.activeElement as HTMLElement | null)?.dataset.label);
        if (item?.submenu) {
          e.preventDefault();
          setPath([...path, item]);
        }
        return;
      }
      case 'ArrowLeft':
        if (path.length > 0) {
          e.preventDefault();
          setPath(path.slice(0, -1));
        }
        return;
      case 'Escape':
      case 'Tab':
        e.preventDefault();
        e.stopPropagation();
        props.onClose();
        return;
    }
  };

  const activate = (item: MenuItem): void => {
    if (item.submenu) {
      setPath([...path, item]);
      return;
    }
    if (item === back) {
      item.run();
      return;
    }
    props.onClose();
    item.run();
  };

  return (
    <div ref={ref} role="menu" aria-label={props.label} className="menu" style={{ left: pos.left, top: pos.top }} onKeyDown={onKeyDown} onContextMenu={(e) => {
        e.preventDefault();
        e.stopPropagation();
      }}>
      {groups.map((g, gi) => (
        <div key={gi} role="group" className="menu-group">
          {g.map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.checked !== undefined ? 'menuitemcheckbox' : 'menuitem'}
              aria-checked={item.checked}
              aria-haspopup={item.submenu ? 'menu' : undefined}
              data-label={item.label}
              tabIndex={-1}
              className={item.danger ? 'danger' : undefined}
              onClick={() => activate(item)}
              aria-keyshortcuts={item.shortcut?.replace('Ctrl', 'Control').replace('↑', 'ArrowUp').replace('↓', 'ArrowDown')}
            >
              <span className="check" aria-hidden="true">{item.checked ? <CheckIcon /> : null}</span>
              <span className="label">{item.label}</span>
              {item.submenu ? <span className="submenu-arrow" aria-hidden="true">▸</span> : null}
              {item.shortcut ? <kbd aria-hidden="true">{item.shortcut}</kbd> : null}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}

function itemByLabel(groups: readonly (readonly MenuItem[])[], label: string | undefined): MenuItem | undefined {
  for (const g of groups) for (const item of g) if (item.label === label) return item;
  return undefined;
}
