/**
 * The status bar: session rates, the active limits (a toggle for the alternative limits), free disk
 * space, connected peers, DHT nodes, the schedules in effect and the connection to the engine.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ActiveSchedules, PortMappingStatus } from '../../engine/api/types.js';
import { formatBytes, formatLimit, formatRate } from '../lib/format.js';
import { dhtTitle } from '../lib/dht-status.js';
import { portStatusView } from '../lib/port-status.js';
import { useEngine, useTessera } from '../store/context.js';
import { errorText } from './commands.js';
import { DownRateIcon, UpRateIcon } from './icons.js';

export function StatusBar(): ReactNode {
  const global = useTessera((s) => s.global);
  // From the settings events: off (by the setting or the daemon's --no-dht) shows "DHT: off", not "0 nodes".
  const dhtOn = useTessera((s) => s.settings?.dht !== false);
  return (
    <footer className="statusbar" aria-label="Status">
      <Connection />
      {global ? (
        <>
          <span className="stat" title="Connected peers">Peers: {global.connectedPeers}</span>
          {dhtOn ? <span className="stat" title={dhtTitle(global.dhtNodes, global.dhtNodes6)}>DHT: {global.dhtNodes} nodes</span> : <span className="stat muted" title="The DHT is turned off (Settings, or the daemon's --no-dht)">DHT: off</span>}
          <span className="stat" title="Free space in the download folder">Free: {formatBytes(global.freeDiskBytes)}</span>
          {global.portMapping ? <PortStatus status={global.portMapping} /> : null}
          <span className="spacer" />
          {global.schedules ? <ScheduleStatus schedules={global.schedules} /> : null}
          <AltLimitsToggle />
          <span className="stat rate down" title="Session download rate"><DownRateIcon /> {formatRate(global.downRate, '0 B/s')}</span>
          <span className="stat rate up" title="Session upload rate"><UpRateIcon /> {formatRate(global.upRate, '0 B/s')}</span>
        </>
      ) : (
        <span className="spacer" />
      )}
    </footer>
  );
}

/** The schedules in effect (Settings › Speed and Pause schedule) and when they end, engine-local time. */
function ScheduleStatus(props: { schedules: ActiveSchedules }): ReactNode {
  const parts: string[] = [];
  if (props.schedules.downloadsPausedUntil !== null) parts.push(`Downloads paused until ${props.schedules.downloadsPausedUntil}`);
  if (props.schedules.altLimitsUntil !== null) parts.push(`Alt limits until ${props.schedules.altLimitsUntil}`);
  return (
    <span className="stat schedule-status" role="status" aria-label="Active schedules" title="Set in Settings (Speed, Pause schedule)">
      {parts.join(' · ')}
    </span>
  );
}

/** Whether peers can reach us: the router mapping's short label; the engine's full line in the tooltip. */
function PortStatus(props: { status: PortMappingStatus }): ReactNode {
  const view = portStatusView(props.status);
  return (
    <span className={`stat port ${view.tone}`} role="status" aria-label="Port mapping" title={view.title}>
      {view.label}
    </span>
  );
}

function AltLimitsToggle(): ReactNode {
  const engine = useEngine();
  const down = useTessera((s) => s.global?.downloadLimit ?? null);
  const up = useTessera((s) => s.global?.uploadLimit ?? null);
  const active = useTessera((s) => s.global?.altLimitsActive === true);
  const enabled = useTessera((s) => s.settings?.altLimitsEnabled === true);
  const toast = useTessera((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const toggle = (): void => {
    setBusy(true);
    engine
      .request({ type: 'setSettings', settings: { altLimitsEnabled: !enabled } })
      .catch((e: unknown) => toast('error', `Could not switch the alternative speed limits: ${errorText(e)}`))
      .finally(() => setBusy(false));
  };
  return (
    <button
      type="button"
      className={`stat limits${active ? ' alt' : ''}`}
      aria-label="Alternative speed limits"
      aria-pressed={enabled}
      disabled={busy}
      title={`Limits now: ↓ ${formatLimit(down)} ↑ ${formatLimit(up)}. Click to ${enabled ? 'turn off' : 'turn on'} the alternative limits.`}
      onClick={toggle}
    >
      {active ? <span className="alt-badge">alt</span> : null}
      <span aria-hidden="true"><DownRateIcon /> {formatLimit(down)} · <UpRateIcon /> {formatLimit(up)}</span>
    </button>
  );
}

function Connection(): ReactNode {
  const connection = useTessera((s) => s.connection);
  const [since, setSince] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setSince(Date.now());
    setNow(Date.now());
    if (connection.state !== 'closed' || connection.retryInMs === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [connection]);
  const electron = window.tessera !== undefined;
  let text: string;
  let cls: string;
  let title: string | undefined;
  switch (connection.state) {
    case 'open':
      text = electron ? 'Engine running' : 'Connected';
      cls = 'ok';
      break;
    case 'connecting':
      text = 'Connecting…';
      cls = 'pending';
      break;
    case 'closed': {
      const left = connection.retryInMs === null ? null : Math.max(0, Math.ceil((since + connection.retryInMs - now) / 1000));
      text = left === null ? 'Disconnected' : left > 0 ? `Disconnected — retrying in ${left} s` : 'Disconnected — retrying…';
      title = connection.reason;
      cls = 'bad';
      break;
    }
  }
  return (
    <span className={`stat connection ${cls}`} role="status" title={title}>
      <span className="dot" aria-hidden="true" />
      {text}
      {connection.state === 'closed' ? <span className="reason"> {connection.reason}</span> : null}
    </span>
  );
}
