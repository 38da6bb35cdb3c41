import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../common/clock.js';
import type { PeerConnection } from '../peer/connection.js';
import { decodeExtendedHandshake, decodeHolepunch, encodePex, PexFlags, type ExtendedHandshake } from '../wire/index.js';
import { OUR_EXTENSIONS } from './extensions.js';
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

test('hole punching through the extension messages: offered in our handshake, and a failed dial to a PEX-taught address asks the teller', async () => {
  const sent: { id: number; payload: Uint8Array }[] = [];
  const relay = {
    incoming: false,
    closed: false,
    address: '192.0.2.1:6881',
    extensions: new Map([['ut_holepunch', 11], ['ut_pex', 12]]),
    transport: { kind: 'utp', remoteAddress: '192.0.2.1', remotePort: 6881 },
    sendMessage: (m: { type: string; id: number; payload: Uint8Array }) => sent.push(m),
  } as unknown as PeerConnection;
  const peers = new Set([relay]);
  const host = { meta: { private: false, infoBytes: new Uint8Array(10) }, complete: false, peers, addPeers: () => undefined, punch: () => undefined, log: () => undefined } as unknown as ExtensionMessagesHost;
  const on = new ExtensionMessages(host, { clock: systemClock, listenPort: () => 6881, peerLostPiece: () => undefined });
  on.greet(relay);
  assert.equal(decodeExtendedHandshake(sent[0].payload).m.get('ut_holepunch'), OUR_EXTENSIONS.ut_holepunch);
  on.message(relay, OUR_EXTENSIONS.ut_pex, encodePex({ added: [{ host: '203.0.113.5', port: 6881, flags: PexFlags.holepunch }] }));
  await on.watchDial('203.0.113.5', 6881, Promise.reject(new Error('timed out'))).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent.slice(1).map((m) => [m.id, decodeHolepunch(m.payload)]), [[11, { type: 'rendezvous', host: '203.0.113.5', port: 6881 }]]);

  const off = new ExtensionMessages(host, { clock: systemClock, listenPort: () => 6881, peerLostPiece: () => undefined, holepunch: false });
  sent.length = 0;
  off.greet(relay);
  assert.equal(decodeExtendedHandshake(sent[0].payload).m.has('ut_holepunch'), false, '--no-holepunch: not offered');
});
