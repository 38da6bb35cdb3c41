import type { HostFixedSetting, Settings } from '../api/types.js';
import type { SessionOptions } from './session-options.js';

/**
 * The settings in effect: the saved ones, except where the host process decides (a daemon started
 * with --peer-port, --no-dht or --no-lsd). What getSettings, setSettings and the settings events
 * report, so a UI shows what the engine does rather than what the file says.
 */
export function effectiveSettings(saved: Settings, opts: Pick<SessionOptions, 'listenPort' | 'dht' | 'lsd'>, boundPort: number): { settings: Settings; hostFixed: HostFixedSetting[] } {
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
  return { settings, hostFixed };
}
