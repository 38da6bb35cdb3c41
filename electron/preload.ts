/**
 * The preload (bundled to CommonJS: sandboxed preloads cannot be ES modules). It exposes exactly
 * renderer/api/bridge.ts's TesseraBridge as window.tessera and nothing else: protocol messages go over
 * a MessagePort main hands over, the rest over a few fixed IPC channels main validates.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { EngineMessage, UiMessage } from '../engine/api/types.js';
import type { OpenRequest, TesseraBridge } from '../renderer/api/bridge.js';
import { CHANNELS } from './channels.js';

/** Messages the renderer sends before the port arrives wait here (bounded: a stuck start must not grow forever). */
const MAX_EARLY = 1000;

/** The DOM MessagePort main transfers (typed structurally: this project's tsc sees no DOM types). */
interface PortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

let port: PortLike | null = null;
const early: UiMessage[] = [];
const messageListeners = new Set<(m: EngineMessage) => void>();
const openListeners = new Set<(r: OpenRequest) => void>();

function dispatch<T>(listeners: Set<(v: T) => void>, value: T): void {
  for (const l of listeners) {
    try {
      l(value);
    } catch (e) {
      console.error(e);
    }
  }
}

ipcRenderer.on(CHANNELS.port, (event) => {
  const next = (event.ports as unknown as PortLike[])[0];
  if (!next) return;
  port?.close();
  port = next;
  port.onmessage = (e) => dispatch(messageListeners, e.data as EngineMessage);
  port.start();
  for (const m of early.splice(0)) port.postMessage(m);
});
ipcRenderer.on(CHANNELS.open, (_event, request: OpenRequest) => dispatch(openListeners, request));
ipcRenderer.send(CHANNELS.hello);

const bridge: TesseraBridge = {
  send(message) {
    if (port) port.postMessage(message);
    else if (early.length < MAX_EARLY) early.push(message);
  },
  onMessage(listener) {
    messageListeners.add(listener);
    return () => void messageListeners.delete(listener);
  },
  onOpenRequest(listener) {
    openListeners.add(listener);
    return () => void openListeners.delete(listener);
  },
  ready: () => ipcRenderer.send(CHANNELS.ready),
  openPath: (path) => ipcRenderer.send(CHANNELS.openPath, path),
  showItemInFolder: (path) => ipcRenderer.send(CHANNELS.showItemInFolder, path),
  openExternal: (url) => ipcRenderer.send(CHANNELS.openExternal, url),
  setProgress: (fraction) => ipcRenderer.send(CHANNELS.setProgress, fraction),
  openInPlayer: (player, url) => ipcRenderer.send(CHANNELS.openInPlayer, { player, url }),
};

contextBridge.exposeInMainWorld('tessera', bridge);
