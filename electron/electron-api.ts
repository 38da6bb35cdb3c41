/**
 * The few electron members the main process uses, as structural types. main.ts passes the real
 * `electron` module (tsc checks it fits); tests pass a fake, so every module here runs under plain Node.
 * Thin adapter types: event emitters are typed loosely on purpose (the real overloads are checked where
 * the listeners are written, in app.ts).
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayLike {
  workArea: Rect;
}

/** The webPreferences every Tessera window is created with (see security.ts). */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: boolean;
}

export interface BrowserWindowOptions {
  x?: number;
  y?: number;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  icon?: string;
  backgroundColor: string;
  webPreferences: SecureWebPreferences;
}

/** What an event listener may call on the event: loosely typed, the real events carry more. */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  readonly id: number;
  on(event: string, listener: (...args: any[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  send(channel: string, ...args: unknown[]): void;
  postMessage(channel: string, message: unknown, transfer?: MessagePortMainLike[]): void;
  isDestroyed(): boolean;
  getURL(): string;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
  setProgressBar(progress: number): void;
}

export interface BrowserWindowCtor {
  new (options: BrowserWindowOptions): BrowserWindowLike;
}

export interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  start(): void;
  close(): void;
}

export interface IpcMainEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string } | null;
}

export interface LoginItemSettingsIn {
  openAtLogin: boolean;
  openAsHidden?: boolean;
  args?: string[];
}

export interface AppLike {
  readonly isPackaged: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  whenReady(): Promise<void>;
  requestSingleInstanceLock(): boolean;
  getPath(name: 'userData' | 'downloads'): string;
  quit(): void;
  exit(code?: number): void;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  removeAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  isDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  setLoginItemSettings(settings: LoginItemSettingsIn): void;
}

/** The subset of MenuItemConstructorOptions the menus use. */
export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  role?:
    | 'appMenu'
    | 'about'
    | 'hide'
    | 'hideOthers'
    | 'unhide'
    | 'quit'
    | 'undo'
    | 'redo'
    | 'cut'
    | 'copy'
    | 'paste'
    | 'selectAll'
    | 'reload'
    | 'forceReload'
    | 'toggleDevTools'
    | 'resetZoom'
    | 'zoomIn'
    | 'zoomOut'
    | 'togglefullscreen'
    | 'minimize'
    | 'close'
    | 'front';
  accelerator?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuLike {
  readonly items: unknown[];
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: MenuLike | null): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  destroy(): void;
}

export interface NotificationLike {
  on(event: string, listener: (...args: any[]) => void): unknown;
  show(): void;
}

export interface OpenDialogResult {
  canceled: boolean;
  filePaths: string[];
}

export interface ElectronApi {
  app: AppLike;
  BrowserWindow: BrowserWindowCtor;
  MessageChannelMain: new () => { port1: MessagePortMainLike; port2: MessagePortMainLike };
  ipcMain: { on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown };
  screen: { getAllDisplays(): DisplayLike[] };
  shell: {
    openPath(path: string): Promise<string>;
    showItemInFolder(path: string): void;
    openExternal(url: string): Promise<void>;
  };
  dialog: {
    showOpenDialog(options: {
      title: string;
      properties: ('openFile' | 'multiSelections')[];
      filters: { name: string; extensions: string[] }[];
    }): Promise<OpenDialogResult>;
    showMessageBox(options: { type: 'error' | 'info'; title: string; message: string; detail?: string }): Promise<unknown>;
  };
  Menu: {
    buildFromTemplate(template: MenuItemSpec[]): MenuLike;
    setApplicationMenu(menu: MenuLike | null): void;
  };
  Tray: new (image: string) => TrayLike;
  Notification: { new (options: { title: string; body: string; silent?: boolean }): NotificationLike; isSupported(): boolean };
  clipboard: { readText(): string | Promise<string> };
  protocol: { handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
      setPermissionCheckHandler(handler: (...args: any[]) => boolean): void;
    };
  };
}
