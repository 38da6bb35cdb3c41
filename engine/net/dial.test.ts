// Transport choice and fallback on loopback: a listener whose TCP or uTP is switched off (as a uTP-only libtorrent
// accepts TCP and closes at once), reached by a dialler that tries the other transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PeerDialer, type DialPreferences } from './dial.js';
import { PeerListener, type TransportSwitches } from './listener.js';
import type { IncomingStream, PeerStream } from './transport.js';

const INFO_HASH = randomBytes(20);

/** A listener that echoes "hi" to each stream and records which transport it came on. */
async function echoListener(switches: TransportSwitches): Promise<{ listener: PeerListener; kinds: string[] }> {
  const kinds: string[] = [];
  const listener = new PeerListener((stream: IncomingStream) => {
    kinds.push(stream.kind ?? 'tcp');
    stream.attach({ receive: () => stream.write(Buffer.from('hi')), transportClosed() {}, drained() {} });
  });
  listener.setTransports(switches);
  await listener.listen(0, '127.0.0.1');
  return { listener, kinds };
}

async function dialler(prefs: DialPreferences): Promise<{ dialer: PeerDialer; listener: PeerListener }> {
  // The dialling side needs a uTP socket of its own: a listener gives it one.
  const listener = new PeerListener((s) => s.destroy());
  await listener.listen(0, '127.0.0.1');
  return { dialer: new PeerDialer({ utp: () => listener.utp, preferences: () => prefs }), listener };
}

function roundTrip(stream: PeerStream): Promise<string> {
  return new Promise((resolve, reject) => {
    stream.attach({ receive: (c) => resolve(Buffer.from(c).toString()), transportClosed: (r) => reject(new Error(r)), drained() {} });
    stream.write(Buffer.from('ping'));
  });
}

test('TCP first to an unknown peer; a peer whose TCP is off (accepts, closes) is reached over uTP, and is dialled over uTP first next time', { timeout: 30_000 }, async () => {
  const { listener: server, kinds } = await echoListener({ tcp: false, utp: true });
  const { dialer, listener } = await dialler({ tcp: true, utp: true, preferUtp: true });
  try {
    assert.deepEqual(dialer.order('127.0.0.1', server.port), ['tcp', 'utp']);
    const stream = await dialer.dial('127.0.0.1', server.port, INFO_HASH, 'disable');
    assert.equal(stream.kind, 'utp');
    assert.equal(await roundTrip(stream), 'hi');
    stream.destroy();
    assert.deepEqual(dialer.order('127.0.0.1', server.port), ['utp', 'tcp'], 'remembered as a uTP peer');
    assert.deepEqual(kinds, ['utp'], 'the TCP attempt was refused (closed at once), then uTP taken');
  } finally {
    await listener.close();
    await server.close();
  }
});

test('a peer without uTP is reached over TCP after the uTP attempt; prefer TCP dials TCP first even to uTP peers', { timeout: 30_000 }, async () => {
  const { listener: server, kinds } = await echoListener({ tcp: true, utp: false });
  const { dialer, listener } = await dialler({ tcp: true, utp: true, preferUtp: true });
  try {
    dialer.hintUtp('127.0.0.1', server.port);
    assert.deepEqual(dialer.order('127.0.0.1', server.port), ['utp', 'tcp']);
    const stream = await dialer.dial('127.0.0.1', server.port, INFO_HASH, 'disable');
    assert.equal(stream.kind ?? 'tcp', 'tcp');
    assert.equal(await roundTrip(stream), 'hi');
    stream.destroy();
    assert.deepEqual(kinds, ['tcp'], 'the uTP attempt was refused with a RESET');
    const tcpFirst = new PeerDialer({ utp: () => listener.utp, preferences: () => ({ tcp: true, utp: true, preferUtp: false }) });
    tcpFirst.hintUtp('127.0.0.1', server.port);
    assert.deepEqual(tcpFirst.order('127.0.0.1', server.port), ['tcp', 'utp']);
    const onlyUtp = new PeerDialer({ utp: () => listener.utp, preferences: () => ({ tcp: false, utp: true, preferUtp: false }) });
    assert.deepEqual(onlyUtp.order('127.0.0.1', server.port), ['utp']);
  } finally {
    await listener.close();
    await server.close();
  }
});

test('MSE runs over uTP: an encrypted dial to a uTP-only listener comes back RC4-encrypted over uTP', { timeout: 30_000 }, async () => {
  // The listener side answers the MSE handshake through incoming.ts's sniffing, as a session does.
  const { acceptIncoming } = await import('./incoming.js');
  const { req2Hash } = await import('../wire/index.js');
  const req2 = Buffer.from(req2Hash(INFO_HASH)).toString('hex');
  const routed: string[] = [];
  const server = new PeerListener((stream) =>
    acceptIncoming(stream, {
      encryption: () => 'require',
      findInfoHash: (r) => (Buffer.from(r).toString('hex') === req2 ? INFO_HASH : null),
      route: (_hs, s) => routed.push(`${s.kind}/${s.encryption}`),
      log: () => undefined,
    }),
  );
  server.setTransports({ tcp: false, utp: true });
  await server.listen(0, '127.0.0.1');
  const { dialer, listener } = await dialler({ tcp: true, utp: true, preferUtp: true });
  try {
    const stream = await dialer.dial('127.0.0.1', server.port, INFO_HASH, 'require');
    assert.equal(stream.kind, 'utp');
    assert.equal(stream.encryption, 'rc4');
    const { encodeHandshake } = await import('../wire/index.js');
    stream.write(encodeHandshake({ infoHash: INFO_HASH, peerId: randomBytes(20), extensions: { extended: true, fast: true, dht: false } }));
    const until = Date.now() + 5000;
    while (routed.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(routed, ['utp/rc4']);
    stream.destroy();
  } finally {
    await listener.close();
    await server.close();
  }
});

test('both transports off: dialling says so', async () => {
  const dialer = new PeerDialer({ utp: () => null, preferences: () => ({ tcp: false, utp: false, preferUtp: true }) });
  await assert.rejects(dialer.dial('127.0.0.1', 1, INFO_HASH, 'disable'), /tcp and utp are both off/);
});
