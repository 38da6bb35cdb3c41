import type { HostFixedSetting, Settings, WatchFolder } from '../api/types.js';
import type { SessionOptions } from './session-options.js';

/**
 * The settings in effect: the saved ones, except where the host process decides (a daemon started
 * with --peer-port, --no-dht, --no-lsd or --no-holepunch). What getSettings, setSettings and the settings events
 * report, so a UI shows what the engine does rather than what the file says.
 */
/** The settings in effect, and which of them the host's flags fix. */
export interface EffectiveSettings {
  settings: Settings;
  hostFixed: HostFixedSetting[];
}

export function effectiveSettings(saved: Settings, opts: Pick<SessionOptions, 'listenPort' | 'dht' | 'lsd' | 'watchFolders' | 'holepunch'>, boundPort: number): EffectiveSettings {
  const settings = { ...saved };
  const hostFixed: HostFixedSetting[] = [];
  if (opts.listenPort !== undefined) {
    // --peer-port 0 (any port): the port actually bound is the useful answer.
    settings.listenPort = boundPort > 0 ? boundPort : opts.listenPort;
    hostFixed.push('listenPort');
  }
  if (opts.dht === undefined) {
    settings.dht = false;
    hostFixed.push('dht');
  }
  if (opts.lsd === undefined) {
    settings.lsd = false;
    hostFixed.push('lsd');
  }
  if (opts.holepunch === false) {
    // --no-holepunch (or TESSERA_HOLEPUNCH=0): off whatever the saved setting says.
    settings.holepunch = false;
    hostFixed.push('holepunch');
  }
  if (opts.watchFolders && opts.watchFolders.length > 0) {
    // A saved folder of the same path (the user changed its options in Settings) wins over the host's defaults.
    const extra = opts.watchFolders.filter((p) => !saved.watchFolders.some((f) => f.path === p)).map(hostWatchFolder);
    settings.watchFolders = [...saved.watchFolders, ...extra];
    hostFixed.push('watchFolders');
  }
  return { settings, hostFixed };
}

/** A folder from the daemon's --watch: added as is, the file renamed to .added (as Transmission's watch dir does). */
export function hostWatchFolder(path: string): WatchFolder {
  return { path, category: null, startPaused: false, afterAdd: 'rename' };
}

/** The watch folders worth saving from a settings patch: the host's own, unchanged, are not (they come back with the flag). */
export function savedWatchFolders(folders: readonly WatchFolder[], hostPaths: readonly string[] = []): WatchFolder[] {
  return folders.filter((f) => !hostPaths.includes(f.path) || JSON.stringify(f) !== JSON.stringify(hostWatchFolder(f.path)));
}
