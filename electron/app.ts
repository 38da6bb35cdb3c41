/**
 * The desktop app's main process, wired against an injected electron (main.ts passes the real one,
 * tests a fake): single instance, open requests, the window, the engine worker and its relay, IPC,
 * tray, menu, notifications and an ordered quit. No BitTorrent logic: OS events become api commands.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command, Reply } from '../engine/api/types.js';
import { formatApiError } from '../engine/api/validate.js';
import type { EngineWorkerData } from '../engine/worker/messages.js';
import type { OpenRequest } from '../renderer/api/bridge.js';
import { classifyOpenArg, parseArgv, type OpenTarget } from './argv.js';
import type { BrowserWindowLike, ElectronApi, IpcMainEventLike, PreventableEvent, TrayLike } from './electron-api.js';
import { appProtocolHandler } from './app-protocol.js';
import { CHANNELS, single, validateLocalPath, validateNoArgs, validatePlayerRequest, validateProgress, type ExternalPlayerName } from './ipc.js';
import { appMenuTemplate } from './menu.js';
import { notifyNotices } from './notify.js';
import { OpenQueue, readOpenTarget } from './open-requests.js';
import { EngineRelay, type EngineSide } from './relay.js';
import { fromMessagePortMain } from './relay-ports.js';
import { APP_INDEX_URL, APP_SCHEME, hardenWebContents, isAppUrl, isSafeExternalUrl, secureWebPreferences } from './security.js';
import { createShutdown, ENGINE_STOP_TIMEOUT_MS } from './shutdown.js';
import { TrayController } from './tray.js';
import { UiSettingsStore, type UiSettings } from './ui-settings.js';
import { MIN_SIZE, restoreWindowState, saveWindowState } from './window-state.js';

/** What main needs of engine/worker's EngineWorker. */
export interface EngineHandle extends EngineSide {
  readonly ready: Promise<number>;
  shutdown(timeoutMs?: number): Promise<'clean' | 'forced'>;
}

export interface AppOptions {
  argv: readonly string[];
  cwd: string;
  platform: NodeJS.Platform;
  /** Unpackaged: dev menu entries, and argv carries the app path. */
  dev: boolean;
  /** The executable, for registering the magnet handler of an unpackaged app. */
  execPath: string;
  paths: { rendererDir: string; preload: string; trayIcon: string; windowIcon?: string };
  startEngine(data: EngineWorkerData): EngineHandle;
  log(line: string): void;
  /** Engine stop timeout on quit. */
  stopTimeoutMs?: number;
  /** Starts VLC or mpv on a stream URL (validated already); resolves to an error message, or null once started. */
  launchPlayer?(player: ExternalPlayerName, url: string): Promise<string | null>;
}

export interface TesseraApp {
  readonly queue: OpenQueue;
  window(): BrowserWindowLike | null;
  relay(): EngineRelay | null;
  /** Resolves once whenReady's setup is done. */
  readonly started: Promise<void>;
  /** Open targets are read and queued (or added) asynchronously; this resolves when those in flight are done. */
  idle(): Promise<void>;
  quit(): Promise<'clean' | 'forced' | 'hung'>;
}

/** Login-item switch: start with the window hidden (tray only). */
export const HIDDEN_SWITCH = '--tessera-hidden';

export function startTessera(api: ElectronApi, opts: AppOptions): TesseraApp | null {
  const { app } = api;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const appArgs = opts.dev ? 1 : 0;
  const startHidden = opts.argv.includes(HIDDEN_SWITCH);
  const queue = new OpenQueue();
  let win: BrowserWindowLike | null = null;
  let relay: EngineRelay | null = null;
  let engine: EngineHandle | null = null;
  let tray: TrayController | null = null;
  let settings: UiSettingsStore | null = null;
  let quitState: 'running' | 'stopping' | 'done' = 'running';
  let inFlight = Promise.resolve();
  const early: OpenTarget[] = [];
  let setupDone = false;

  const showError = (title: string, message: string): void => {
    opts.log(`${title}: ${message}`);
    void api.dialog.showMessageBox({ type: 'error', title, message: title, detail: message }).catch(() => undefined);
  };

  const showWindow = (): void => {
    if (!win || win.isDestroyed()) {
      win = createWindow(true);
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const addDirectly = async (r: OpenRequest): Promise<void> => {
    const command: Command = { type: 'add', source: r.kind === 'torrent' ? { kind: 'torrent', data: r.data } : { kind: 'magnet', uri: r.uri } };
    const reply: Reply = relay ? await relay.request(command) : { kind: 'reply', requestId: -1, ok: false, error: { name: 'NotReady', message: 'the engine is not running' } };
    if (!reply.ok) showError('Could not add the torrent', `${r.kind === 'torrent' ? r.name : r.uri.slice(0, 200)}: ${formatApiError(reply.error)}`);
  };

  const handleTargets = (targets: readonly OpenTarget[]): void => {
    if (targets.length === 0 || quitState !== 'running') return;
    if (!setupDone) {
      early.push(...targets);
      return;
    }
    // In order, one at a time, so the add dialogs come in the order the files were given.
    inFlight = inFlight.then(async () => {
      for (const t of targets) {
        const read = await readOpenTarget(t);
        if (!read.ok) {
          showError('Could not open the torrent', read.message);
          continue;
        }
        if (settings?.get().addWithoutAsking) await addDirectly(read.request);
        else if (!queue.push(read.request)) showError('Too many files', 'Tessera is still starting; open the rest again in a moment.');
      }
    });
  };

  const openExternalSafe = (url: string): void => {
    if (isSafeExternalUrl(url)) void api.shell.openExternal(url).catch((e: unknown) => opts.log(`openExternal failed: ${String(e)}`));
  };

  // --- OS events (registered before ready: macOS delivers open-file/open-url early) -------------------
  app.on('second-instance', (_event: unknown, argv: unknown, workingDirectory: unknown) => {
    const cwd = typeof workingDirectory === 'string' ? workingDirectory : opts.cwd;
    const list = Array.isArray(argv) ? argv.filter((a): a is string => typeof a === 'string') : [];
    handleTargets(parseArgv(list, { cwd, appArgs }));
    if (setupDone) showWindow();
  });
  app.on('open-file', (event: PreventableEvent, path: unknown) => {
    event.preventDefault();
    // Finder hands over any document type we declared; a path it gives is not required to end in .torrent.
    if (typeof path === 'string' && isAbsolute(path)) handleTargets([{ kind: 'file', path }]);
  });
  app.on('open-url', (event: PreventableEvent, url: unknown) => {
    event.preventDefault();
    const t = typeof url === 'string' ? classifyOpenArg(url, opts.cwd) : null;
    if (t?.kind === 'magnet') handleTargets([t]);
  });
  app.on('web-contents-created', (_event: unknown, contents: Parameters<typeof hardenWebContents>[0]) => hardenWebContents(contents, openExternalSafe));
  app.on('window-all-closed', () => {
    if (opts.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (setupDone) showWindow();
  });

  const shutdown = createShutdown(
    {
      stopAccepting: () => relay?.stopAccepting(),
      stopEngine: (ms) => (engine ? engine.shutdown(ms) : Promise.resolve('clean')),
      cleanup: () => {
        relay?.close();
        tray?.destroy();
        tray = null;
      },
      quit: () => {
        quitState = 'done';
        app.quit();
      },
      log: opts.log,
    },
    opts.stopTimeoutMs ?? ENGINE_STOP_TIMEOUT_MS,
  );
  app.on('before-quit', (event: PreventableEvent) => {
    if (quitState === 'done') return;
    event.preventDefault();
    if (quitState === 'running') {
      quitState = 'stopping';
      void shutdown();
    }
  });

  handleTargets(parseArgv(opts.argv, { cwd: opts.cwd, appArgs }));

  // --- the window ------------------------------------------------------------------------------------
  const windowStateFile = (): string => join(app.getPath('userData'), 'window-state.json');

  function createWindow(show: boolean): BrowserWindowLike {
    const state = restoreWindowState(windowStateFile(), api.screen.getAllDisplays());
    const w = new api.BrowserWindow({
      ...state.bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: 'Tessera',
      ...(opts.paths.windowIcon ? { icon: opts.paths.windowIcon } : {}),
      backgroundColor: '#16181d',
      webPreferences: secureWebPreferences(opts.paths.preload),
    });
    if (state.maximized) w.maximize();
    if (show) w.once('ready-to-show', () => w.show());
    w.on('close', (event: PreventableEvent) => {
      saveWindowState(windowStateFile(), { bounds: w.getNormalBounds(), maximized: w.isMaximized() });
      if (quitState === 'running' && settings?.get().closeToTray && tray) {
        event.preventDefault();
        w.hide();
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
      queue.notReady();
    });
    w.webContents.on('render-process-gone', () => queue.notReady());
    w.webContents.on('did-start-navigation', (_e: unknown, _url: unknown, isInPlace: unknown, isMainFrame: unknown) => {
      if (isMainFrame === true && isInPlace !== true) queue.notReady();
    });
    void w.loadURL(APP_INDEX_URL).catch((e: unknown) => opts.log(`loading the interface failed: ${String(e)}`));
    return w;
  }

  // --- IPC from the preload ---------------------------------------------------------------------------
  const fromOurWindow = (event: IpcMainEventLike): boolean =>
    win !== null && !win.isDestroyed() && event.sender.id === win.webContents.id && isAppUrl(event.senderFrame?.url ?? '');

  const on = (channel: string, handler: (args: unknown[]) => string | null): void => {
    api.ipcMain.on(channel, (event, ...args) => {
      if (!fromOurWindow(event)) return opts.log(`ipc ${channel}: ignored, not from the Tessera window`);
      const problem = handler(args);
      if (problem) opts.log(`ipc ${channel}: rejected: ${problem}`);
    });
  };

  function registerIpc(): void {
    on(CHANNELS.hello, (args) => {
      const v = validateNoArgs(args);
      if (!v.ok) return v.reason;
      if (!relay || !win) return 'the engine is not running';
      const { port1, port2 } = new api.MessageChannelMain();
      queue.notReady();
      relay.attachRenderer(fromMessagePortMain(port1));
      win.webContents.postMessage(CHANNELS.port, null, [port2]);
      return null;
    });
    on(CHANNELS.ready, (args) => {
      const v = validateNoArgs(args);
      if (!v.ok) return v.reason;
      const target = win;
      queue.ready((r) => {
        if (target && !target.isDestroyed()) target.webContents.send(CHANNELS.open, r);
      });
      return null;
    });
    on(CHANNELS.openPath, (args) => {
      const one = single(args);
      const v = one.ok ? validateLocalPath(one.value, isAbsolute) : one;
      if (!v.ok) return v.reason;
      // Folders only: opening a file would run whatever program the OS associates with it.
      if (!isDirectory(v.value)) return 'not an existing folder';
      void api.shell.openPath(v.value).then((err) => err && opts.log(`openPath: ${err}`));
      return null;
    });
    on(CHANNELS.showItemInFolder, (args) => {
      const one = single(args);
      const v = one.ok ? validateLocalPath(one.value, isAbsolute) : one;
      if (!v.ok) return v.reason;
      api.shell.showItemInFolder(v.value);
      return null;
    });
    on(CHANNELS.openExternal, (args) => {
      const one = single(args);
      if (!one.ok) return one.reason;
      if (!isSafeExternalUrl(one.value)) return 'only http(s) and magnet URLs';
      openExternalSafe(one.value);
      return null;
    });
    on(CHANNELS.openInPlayer, (args) => {
      const one = single(args);
      const v = one.ok ? validatePlayerRequest(one.value) : one;
      if (!v.ok) return v.reason;
      const launch = opts.launchPlayer;
      if (!launch) return 'no player launcher in this build';
      // A player that is not installed is the user's to know: say so in a box, not only in the log.
      void launch(v.value.player, v.value.url).then((err) => {
        if (err) void api.dialog.showMessageBox({ type: 'error', title: 'Could not open the player', message: err }).catch(() => undefined);
      });
      return null;
    });
    on(CHANNELS.setProgress, (args) => {
      const one = single(args);
      const v = one.ok ? validateProgress(one.value) : one;
      if (!v.ok) return v.reason;
      win?.setProgressBar(v.value === null ? -1 : v.value);
      return null;
    });
  }

  // --- settings that reach the OS ------------------------------------------------------------------------
  // An unpackaged app is registered as `electron <app path>`; a packaged one as itself.
  const handler = (): { path?: string; args?: string[] } =>
    opts.dev && opts.argv[1] ? { path: opts.execPath, args: [resolve(opts.cwd, opts.argv[1])] } : {};

  function applySystemSettings(s: UiSettings, prev: UiSettings | null): void {
    try {
      if (prev ? s.registerMagnetHandler !== prev.registerMagnetHandler : s.registerMagnetHandler) {
        const { path, args } = handler();
        if (s.registerMagnetHandler) app.setAsDefaultProtocolClient('magnet', path, args);
        else if (app.isDefaultProtocolClient('magnet', path, args)) app.removeAsDefaultProtocolClient('magnet', path, args);
      }
      if (prev ? s.openAtLogin !== prev.openAtLogin || s.startMinimised !== prev.startMinimised : s.openAtLogin) {
        const hidden = s.openAtLogin && s.startMinimised;
        app.setLoginItemSettings({ openAtLogin: s.openAtLogin, openAsHidden: hidden, args: hidden ? [HIDDEN_SWITCH] : [] });
      }
    } catch (e) {
      opts.log(`applying settings failed: ${(e as Error).message}`);
    }
  }

  function buildMenu(): void {
    if (!settings) return;
    const store = settings;
    const template = appMenuTemplate(
      { platform: opts.platform, dev: opts.dev, settings: store.get() },
      {
        addTorrentFile: () => {
          void api.dialog
            .showOpenDialog({ title: 'Add Torrent File', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Torrent files', extensions: ['torrent'] }] })
            .then((r) => {
              if (!r.canceled) handleTargets(r.filePaths.filter((p) => typeof p === 'string' && isAbsolute(p)).map((path) => ({ kind: 'file', path })));
            });
        },
        pasteMagnet: () => {
          void Promise.resolve(api.clipboard.readText()).then((text) => {
            const t = classifyOpenArg(String(text).trim(), opts.cwd);
            if (t?.kind === 'magnet') handleTargets([t]);
            else void api.dialog.showMessageBox({ type: 'info', title: 'No magnet link', message: 'The clipboard holds no magnet link.' });
          });
        },
        setSetting: (key, value) => void store.set({ [key]: value }),
        quit: () => app.quit(),
      },
    );
    api.Menu.setApplicationMenu(api.Menu.buildFromTemplate(template));
  }

  // --- startup -------------------------------------------------------------------------------------------
  const started = app.whenReady().then(() => {
    api.protocol.handle(APP_SCHEME, appProtocolHandler(opts.paths.rendererDir));
    api.session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    api.session.defaultSession.setPermissionCheckHandler(() => false);

    settings = new UiSettingsStore(join(app.getPath('userData'), 'ui-settings.json'));
    applySystemSettings(settings.get(), null);
    settings.onChange((s, prev) => {
      applySystemSettings(s, prev);
      buildMenu();
    });

    engine = opts.startEngine({ dataDir: join(app.getPath('userData'), 'engine'), defaultDownloadDir: app.getPath('downloads') });
    engine.ready.catch((e: unknown) => showError('The engine could not start', e instanceof Error ? e.message : String(e)));
    relay = new EngineRelay(engine, {
      onGlobal: (g) => tray?.update(g),
      onNotices: (notices) => notifyNotices(api, notices),
      log: opts.dev ? opts.log : undefined,
    });

    registerIpc();
    buildMenu();
    try {
      const icon: TrayLike = new api.Tray(opts.paths.trayIcon);
      const r = relay;
      tray = new TrayController(icon, (t) => api.Menu.buildFromTemplate(t), {
        show: showWindow,
        pauseAll: () => void r.request({ type: 'pause', ids: 'all' }),
        resumeAll: () => void r.request({ type: 'resume', ids: 'all' }),
        quit: () => app.quit(),
      });
    } catch (e) {
      opts.log(`no tray: ${(e as Error).message}`); // some Linux desktops have none
    }
    if (!existsSync(join(opts.paths.rendererDir, 'index.html'))) {
      showError('The interface is not built', `${join(opts.paths.rendererDir, 'index.html')} is missing. Run npm run build.`);
    }
    win = createWindow(!startHidden || !tray);
    setupDone = true;
    handleTargets(early.splice(0));
  });
  started.catch((e: unknown) => showError('Tessera could not start', e instanceof Error ? (e.stack ?? e.message) : String(e)));

  return {
    queue,
    window: () => win,
    relay: () => relay,
    started,
    idle: () => inFlight,
    quit: () => {
      if (quitState === 'running') quitState = 'stopping';
      return shutdown();
    },
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
