/** The application menu as a plain template (built by Menu.buildFromTemplate in app.ts). */
import type { MenuItemSpec } from './electron-api.js';
import type { UiSettings } from './ui-settings.js';

export interface MenuActions {
  addTorrentFile(): void;
  pasteMagnet(): void;
  setSetting(key: keyof UiSettings, value: boolean): void;
  quit(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  dev: boolean;
  settings: UiSettings;
}

export function appMenuTemplate(opts: MenuOptions, actions: MenuActions): MenuItemSpec[] {
  const mac = opts.platform === 'darwin';
  const s = opts.settings;
  const toggle = (key: keyof UiSettings, label: string, enabled = true): MenuItemSpec => ({
    label,
    type: 'checkbox',
    checked: s[key],
    enabled,
    click: () => actions.setSetting(key, !s[key]),
  });
  const menu: MenuItemSpec[] = [];
  if (mac) {
    menu.push({
      label: 'Tessera',
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { label: 'Quit Tessera', accelerator: 'Cmd+Q', click: actions.quit }],
    });
  }
  menu.push({
    label: 'File',
    submenu: [
      { label: 'Add Torrent File…', accelerator: 'CmdOrCtrl+O', click: actions.addTorrentFile },
      { label: 'Add Magnet Link from Clipboard', accelerator: 'CmdOrCtrl+Shift+V', click: actions.pasteMagnet },
      ...(mac ? [] : [{ type: 'separator' } as MenuItemSpec, { label: 'Quit', accelerator: 'Ctrl+Q', click: actions.quit }]),
    ],
  });
  menu.push({ label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] });
  menu.push({
    label: 'Options',
    submenu: [
      toggle('addWithoutAsking', 'Add Torrents Without Asking'),
      toggle('registerMagnetHandler', 'Open Magnet Links with Tessera'),
      { type: 'separator' },
      toggle('openAtLogin', 'Open at Login'),
      toggle('startMinimised', 'Start Minimised at Login', s.openAtLogin),
      toggle('closeToTray', 'Close to Tray'),
    ],
  });
  menu.push({
    label: 'View',
    submenu: [
      ...(opts.dev ? [{ role: 'reload' } as MenuItemSpec, { role: 'toggleDevTools' } as MenuItemSpec, { type: 'separator' } as MenuItemSpec] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  menu.push({ label: 'Window', submenu: mac ? [{ role: 'minimize' }, { role: 'close' }, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }] });
  return menu;
}
