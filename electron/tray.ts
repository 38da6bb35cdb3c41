/** The tray icon: global rates in the tooltip and menu, pause/resume all, show and quit. */
import type { GlobalStats } from '../engine/api/types.js';
import type { MenuItemSpec, MenuLike, TrayLike } from './electron-api.js';

export function formatRate(bytesPerSecond: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let v = Math.max(0, Number.isFinite(bytesPerSecond) ? bytesPerSecond : 0);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function ratesText(g: Pick<GlobalStats, 'downRate' | 'upRate'>): string {
  return `↓ ${formatRate(g.downRate)}  ↑ ${formatRate(g.upRate)}`;
}

export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

export function trayMenuTemplate(rates: string, actions: TrayActions): MenuItemSpec[] {
  return [
    { label: rates, enabled: false },
    { type: 'separator' },
    { label: 'Show Tessera', click: actions.show },
    { label: 'Pause All', click: actions.pauseAll },
    { label: 'Resume All', click: actions.resumeAll },
    { type: 'separator' },
    { label: 'Quit Tessera', click: actions.quit },
  ];
}

/** Keeps the tray in step with the rates; the menu is rebuilt only when its text changes, at most once a second. */
export class TrayController {
  private text = '';
  private menuText = '';
  private menuBuiltAt = -Infinity;

  constructor(
    private readonly tray: TrayLike,
    private readonly buildMenu: (template: MenuItemSpec[]) => MenuLike,
    private readonly actions: TrayActions,
    private readonly now: () => number = Date.now,
  ) {
    tray.on('click', () => actions.show());
    this.update({ downRate: 0, upRate: 0 });
  }

  update(g: Pick<GlobalStats, 'downRate' | 'upRate'>): void {
    const text = ratesText(g);
    if (text !== this.text) {
      this.text = text;
      this.tray.setToolTip(`Tessera\n${text}`);
    }
    if (text !== this.menuText && this.now() - this.menuBuiltAt >= 1000) {
      this.menuText = text;
      this.menuBuiltAt = this.now();
      this.tray.setContextMenu(this.buildMenu(trayMenuTemplate(text, this.actions)));
    }
  }

  destroy(): void {
    this.tray.destroy();
  }
}
