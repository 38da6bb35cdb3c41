import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../common/clock.js';
import type { PeerConnection } from '../peer/connection.js';
import type { ExtendedHandshake } from '../wire/index.js';
import { ExtensionMessages, type ExtensionMessagesHost } from './extension-messages.js';

test("a peer's yourip (BEP 10) is passed on as our own address, for BEP 40 peer priority", () => {
  const told: string[] = [];
  const host = { meta: { private: true, infoBytes: new Uint8Array(0) }, complete: false, peers: new Set(), addPeers: () => undefined } as unknown as ExtensionMessagesHost;
  const ext = new ExtensionMessages(host, { clock: systemClock, listenPort: () => 6881, peerLostPiece: () => undefined });
  ext.onOwnIp = (ip) => told.push(ip);
  const peer = { transport: { kind: 'tcp', remoteAddress: '98.76.54.32', remotePort: 51413 } } as unknown as PeerConnection;
  ext.handshake(peer, { m: new Map(), yourIp: Uint8Array.from([123, 213, 32, 10]) } as unknown as ExtendedHandshake);
  ext.handshake(peer, { m: new Map() } as unknown as ExtendedHandshake);
  assert.deepEqual(told, ['123.213.32.10']);
});
