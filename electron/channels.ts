// IPC channel names shared by main and the preload (kept apart so the preload bundle stays tiny).
export const CHANNELS = {
  /** preload -> main: give me a MessagePort to the engine (sent at every page load). */
  hello: 'tessera:hello',
  /** main -> preload: the port, as the message's transfer list. */
  port: 'tessera:port',
  /** main -> preload: an OpenRequest. */
  open: 'tessera:open',
  ready: 'tessera:ready',
  openPath: 'tessera:open-path',
  showItemInFolder: 'tessera:show-item-in-folder',
  openExternal: 'tessera:open-external',
  setProgress: 'tessera:set-progress',
  /** renderer -> main: { player: 'vlc' | 'mpv', url } — launch that player on a loopback stream URL. */
  openInPlayer: 'tessera:open-in-player',
} as const;
