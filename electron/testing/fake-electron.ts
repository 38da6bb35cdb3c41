// A fake of the electron members app.ts uses (electron-api.ts), recording what the app does with them.
import { EventEmitter } from 'node:events';
import type {
  BrowserWindowOptions,
  ElectronApi,
  IpcMainEventLike,
  MenuItemSpec,
  MessagePortMainLike,
  Rect,
} from '../electron-api.js';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  readonly posted: { channel: string; message: unknown; transfer: MessagePortMainLike[] }[] = [];
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  url = '';
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  postMessage(channel: string, message: unknown, transfer: MessagePortMainLike[] = []): void {
    this.posted.push({ channel, message, transfer });
  }
  isDestroyed(): boolean {
    return false;
  }
  getURL(): string {
    return this.url;
  }
}

export class FakeWindow extends EventEmitter {
  static all: FakeWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  progress: number | null = null;
  maximized = false;
  constructor(readonly options: BrowserWindowOptions) {
    super();
    FakeWindow.all.push(this);
    fake.emitApp('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  restore(): void {}
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rect {
    return { x: this.options.x ?? 10, y: this.options.y ?? 10, width: this.options.width, height: this.options.height };
  }
  setProgressBar(p: number): void {
    this.progress = p;
  }
  /** Simulates the user closing the window: 'close' (preventable), then 'closed'. */
  userClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return !prevented;
  }
}

class FakePort extends EventEmitter implements MessagePortMainLike {
  readonly posted: unknown[] = [];
  started = false;
  closed = false;
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
}

export interface FakeElectron {
  api: ElectronApi;
  userData: string;
  calls: string[];
  gotLock: boolean;
  ipc: Map<string, (event: IpcMainEventLike, ...args: unknown[]) => void>;
  menus: MenuItemSpec[][];
  notifications: { title: string; body: string; clicks: (() => void)[] }[];
  shellCalls: string[];
  protocolHandlers: Map<string, (r: Request) => Response | Promise<Response>>;
  permissionAnswers: boolean[];
  emitApp(event: string, ...args: unknown[]): void;
  /** Emits before-quit as app.quit() would; true when it was prevented. */
  readyNow(): void;
  clipboard: string;
}

let fake: FakeElectron;

export function createFakeElectron(userData: string): FakeElectron {
  const appEvents = new EventEmitter();
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  FakeWindow.all = [];
  const f: FakeElectron = {
    userData,
    calls: [],
    gotLock: true,
    ipc: new Map(),
    menus: [],
    notifications: [],
    shellCalls: [],
    protocolHandlers: new Map(),
    permissionAnswers: [],
    clipboard: '',
    emitApp: (event, ...args) => void appEvents.emit(event, ...args),
    readyNow: () => resolveReady(),
    api: undefined as unknown as ElectronApi,
  };
  fake = f;
  f.api = {
    app: {
      isPackaged: true,
      on: (e, l) => appEvents.on(e, l),
      whenReady: () => ready,
      requestSingleInstanceLock: () => f.gotLock,
      getPath: (name) => (name === 'userData' ? userData : `${userData}/Downloads`),
      quit: () => {
        f.calls.push('app.quit');
        let prevented = false;
        appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
        if (!prevented) f.calls.push('app.quit: quitting');
      },
      exit: (code) => void f.calls.push(`app.exit(${code})`),
      setAsDefaultProtocolClient: (p, path, args) => (f.calls.push(`setAsDefaultProtocolClient(${p},${path ?? ''},${args?.join(' ') ?? ''})`), true),
      removeAsDefaultProtocolClient: (p) => (f.calls.push(`removeAsDefaultProtocolClient(${p})`), true),
      isDefaultProtocolClient: () => true,
      setLoginItemSettings: (s) => void f.calls.push(`setLoginItemSettings(${JSON.stringify(s)})`),
    },
    BrowserWindow: FakeWindow,
    MessageChannelMain: class {
      port1 = new FakePort();
      port2 = new FakePort();
    },
    ipcMain: { on: (channel, listener) => void f.ipc.set(channel, listener) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: {
      openPath: async (p) => (f.shellCalls.push(`openPath ${p}`), ''),
      showItemInFolder: (p) => void f.shellCalls.push(`showItemInFolder ${p}`),
      openExternal: async (u) => void f.shellCalls.push(`openExternal ${u}`),
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showMessageBox: async (o) => (f.calls.push(`messageBox ${o.type}: ${o.title}: ${o.detail ?? o.message}`), {}),
    },
    Menu: {
      buildFromTemplate: (t) => ({ items: t }),
      setApplicationMenu: (m) => void (m && f.menus.push(m.items as MenuItemSpec[])),
    },
    Tray: class {
      tooltip = '';
      constructor(readonly image: string) {}
      setToolTip(t: string): void {
        this.tooltip = t;
      }
      setContextMenu(): void {}
      on(): void {}
      destroy(): void {
        f.calls.push('tray.destroy');
      }
    },
    Notification: Object.assign(
      class {
        readonly record: { title: string; body: string; clicks: (() => void)[] };
        constructor(o: { title: string; body: string }) {
          this.record = { title: o.title, body: o.body, clicks: [] };
        }
        on(event: string, l: () => void): void {
          if (event === 'click') this.record.clicks.push(l);
        }
        show(): void {
          f.notifications.push(this.record);
        }
      },
      { isSupported: () => true },
    ),
    clipboard: { readText: () => f.clipboard },
    protocol: { handle: (scheme, h) => void f.protocolHandlers.set(scheme, h) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h) => {
          for (const p of ['media', 'geolocation', 'notifications', 'openExternal']) h({}, p, (granted) => f.permissionAnswers.push(granted));
        },
        setPermissionCheckHandler: (h) => void f.permissionAnswers.push(h({}, 'media', '', {})),
      },
    },
  };
  return f;
}
