import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortMappingStatus } from '../../engine/api/types.js';
import { portStatusView } from './port-status.js';

const base: PortMappingStatus = { state: 'mapped', method: 'upnp', gateway: '192.168.1.1', internalPort: 6881, externalPort: 6881, externalAddress: '203.0.113.5', connectable: 'unknown', message: 'Port 6881 open via UPnP on 192.168.1.1' };

test('port status: mapped, failed, closed after 30 minutes, off', () => {
  assert.deepEqual(portStatusView(base), { label: 'Port 6881 open · 203.0.113.5', tone: 'ok', title: 'Port 6881 open via UPnP on 192.168.1.1. Internet address: 203.0.113.5.' });
  const failed = portStatusView({ ...base, state: 'failed', method: null, externalPort: null, externalAddress: null, message: 'mapping failed: UPnP: router refused (error 606: Action not authorized)' });
  assert.deepEqual([failed.label, failed.tone], ['Port not mapped', 'bad']);
  assert.match(failed.title, /^mapping failed: UPnP: router refused/);
  const closed = portStatusView({ ...base, connectable: 'no', message: 'no incoming connection in 30 min: your port may be closed (Port 6881 open via UPnP on 192.168.1.1)' });
  assert.deepEqual([closed.label, closed.tone], ['Port may be closed', 'bad']);
  const off = portStatusView({ ...base, state: 'off', method: null, externalPort: null, externalAddress: null, connectable: 'yes', message: 'port mapping off' });
  assert.deepEqual(off, { label: 'Port 6881', tone: 'ok', title: 'port mapping off. Peers have connected to us.' });
});
