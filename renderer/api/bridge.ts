/**
 * The one API the Electron preload exposes to the renderer, as `window.tessera`. In a browser (daemon web
 * mode) it is absent and the renderer talks WebSocket instead. Main validates everything sent through it.
 */
import type { EngineMessage, UiMessage } from '../../engine/api/types.js';

/** Something the OS asked the app to open: a .torrent file (read by main, size-capped) or a magnet link. */
export type OpenRequest = { kind: 'torrent'; name: string; data: Uint8Array } | { kind: 'magnet'; uri: string };

export interface TesseraBridge {
  /** Sends one protocol message to the engine worker. */
  send(message: UiMessage): void;
  /** Engine replies and events; returns an unsubscribe function. */
  onMessage(listener: (message: EngineMessage) => void): () => void;
  /** Files and links opened from the OS (argv, second instance, open-file/open-url, protocol handler). */
  onOpenRequest(listener: (request: OpenRequest) => void): () => void;
  /** Tells main the UI can take open requests; main queues them until then. */
  ready(): void;
  /** Opens a folder in the system file manager. */
  openPath(path: string): void;
  /** Shows a file or folder selected in the system file manager. */
  showItemInFolder(path: string): void;
  /** Opens an http(s) or magnet URL with the system handler. */
  openExternal(url: string): void;
  /** Overall download progress for the taskbar/dock: 0..1, or null to clear it. */
  setProgress(fraction: number | null): void;
  /** Opens a stream URL (loopback) in VLC or mpv; main shows an error box if the player is not installed. */
  openInPlayer(player: 'vlc' | 'mpv', url: string): void;
}

declare global {
  interface Window {
    tessera?: TesseraBridge;
  }
}
