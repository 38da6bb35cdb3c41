// The Electron entry: hands the real electron module to app.ts. Bundled to dist/electron/main.js.
import * as electron from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngineWorker } from '../engine/worker/host.js';
import type { ElectronApi } from './electron-api.js';
import { startTessera } from './app.js';
import { launchPlayer } from './player.js';
import { APP_SCHEME } from './security.js';

const here = dirname(fileURLToPath(import.meta.url));

// Before ready: app:// is a standard, secure origin, so 'self' in the CSP and fetch work as on https.
electron.protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
electron.app.enableSandbox();
// Windows shows notifications only for an app with this id (the installer's appId, electron-builder.json).
if (process.platform === 'win32') electron.app.setAppUserModelId('org.tessera.app');
// A throw-away profile and download folder for end-to-end tests (e2e/fixtures/electron.ts).
if (process.env.TESSERA_USER_DATA) electron.app.setPath('userData', process.env.TESSERA_USER_DATA);
if (process.env.TESSERA_DOWNLOAD_DIR) electron.app.setPath('downloads', process.env.TESSERA_DOWNLOAD_DIR);

const api: ElectronApi = {
  app: electron.app,
  BrowserWindow: electron.BrowserWindow,
  MessageChannelMain: electron.MessageChannelMain,
  ipcMain: electron.ipcMain,
  screen: electron.screen,
  shell: electron.shell,
  dialog: electron.dialog,
  Menu: electron.Menu,
  Tray: electron.Tray,
  Notification: electron.Notification,
  clipboard: electron.clipboard,
  protocol: electron.protocol,
  session: electron.session,
};

startTessera(api, {
  argv: process.argv,
  cwd: process.cwd(),
  platform: process.platform,
  dev: !electron.app.isPackaged,
  execPath: process.execPath,
  paths: {
    rendererDir: join(here, '..', 'renderer'),
    preload: join(here, 'preload.cjs'),
    trayIcon: join(here, 'icons', process.platform === 'darwin' ? 'tray-16.png' : 'tray-32.png'),
    windowIcon: join(here, 'icons', '512x512.png'),
  },
  // The worker entry is bundled beside this file (dist/electron/entry.js), where host.ts looks for it.
  // Port mapping is on by default; TESSERA_PORT_MAPPING=0 (the e2e tests) keeps the app off the host's router.
  startEngine: (data) => startEngineWorker({ ...data, portMapping: process.env.TESSERA_PORT_MAPPING !== '0' }),
  log: (line) => console.log(`tessera: ${line}`),
  launchPlayer,
});
