/** What the status bar shows for port mapping: a short label, a tone, and the engine's full line as the tooltip. */
import type { PortMappingStatus } from '../../engine/api/types.js';

export interface PortStatusView {
  readonly label: string;
  readonly tone: 'ok' | 'bad' | 'pending';
  readonly title: string;
}

export function portStatusView(s: PortMappingStatus): PortStatusView {
  const tone = s.connectable === 'no' || s.state === 'failed' ? 'bad' : s.state === 'mapped' || s.connectable === 'yes' ? 'ok' : 'pending';
  // Evidence first: 30 minutes without an incoming peer says more than the router's word.
  const label =
    s.connectable === 'no'
      ? 'Port may be closed'
      : s.state === 'mapped' && s.externalPort !== null
      ? `Port ${s.externalPort} open${s.externalAddress ? ` · ${s.externalAddress}` : ''}`
      : s.state === 'failed'
        ? 'Port not mapped'
        : s.state === 'mapping'
          ? 'Mapping port…'
          : `Port ${s.internalPort}`;
  const address = s.externalAddress ? ` Internet address: ${s.externalAddress}.` : '';
  const incoming = s.connectable === 'yes' ? ' Peers have connected to us.' : '';
  return { label, tone, title: `${s.message}.${address}${incoming}` };
}
