// Dual-stack listening on loopback: IPv4 and IPv6 sockets with one port number, TCP and uTP accepted on both,
// outgoing uTP to an IPv6 peer through the IPv6 socket, and carrying on with IPv4 when the machine has no IPv6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PeerDialer } from './dial.js';
import { BindError } from './bind-error.js';
import { FamilySockets } from './listen-family.js';
import { PeerListener } from './listener.js';
import { UdpSocket } from './udp.js';
import type { IncomingStream, PeerStream } from './transport.js';

const INFO_HASH = randomBytes(20);

/** A listener that answers "hi" on each stream and records the transport and remote address of each. */
async function echoListener(host?: string): Promise<{ listener: PeerListener; seen: string[] }> {
  const seen: string[] = [];
  const listener = new PeerListener((stream: IncomingStream) => {
    seen.push(`${stream.kind ?? 'tcp'} ${stream.remoteAddress}`);
    stream.attach({ receive: () => stream.write(Buffer.from('hi')), transportClosed() {}, drained() {} });
  });
  await listener.listen(0, host);
  return { listener, seen };
}

function roundTrip(stream: PeerStream): Promise<string> {
  return new Promise((resolve, reject) => {
    stream.attach({ receive: (c) => resolve(Buffer.from(c).toString()), transportClosed: (r) => reject(new Error(r)), drained() {} });
    stream.write(Buffer.from('ping'));
  });
}

test('without a host: IPv4 and IPv6 on one port number; TCP and uTP are accepted over ::1 and 127.0.0.1, and uTP to ::1 leaves by the IPv6 socket', { timeout: 30_000 }, async () => {
  const { listener: server, seen } = await echoListener();
  const { listener: client } = await echoListener();
  try {
    assert.deepEqual(server.families, [4, 6]);
    assert.ok(server.datagrams && server.datagrams6, 'one shared UDP port per family');
    assert.notEqual(client.utpFor('::1'), client.utpFor('127.0.0.1'), 'each family has its uTP socket');
    const dialer = (tcp: boolean, utp: boolean): PeerDialer => new PeerDialer({ utp: (h) => client.utpFor(h), preferences: () => ({ tcp, utp, preferUtp: false }) });
    for (const host of ['::1', '127.0.0.1']) {
      for (const [tcp, utp] of [[true, false], [false, true]] as const) {
        const stream = await dialer(tcp, utp).dial(host, server.port, INFO_HASH, 'disable');
        assert.equal(await roundTrip(stream), 'hi');
        stream.destroy();
      }
    }
    assert.deepEqual(seen, ['tcp ::1', 'utp ::1', 'tcp 127.0.0.1', 'utp 127.0.0.1']);
  } finally {
    await client.close();
    await server.close();
  }
});

test('the IPv6 UDP port hands its datagrams that are not uTP to datagrams6, and only those', { timeout: 10_000 }, async () => {
  const { listener } = await echoListener();
  const sender = await UdpSocket.bind({ port: 0, family: 6, host: '::1' });
  try {
    const got4: string[] = [];
    listener.datagrams!.onMessage((d) => got4.push(d.toString()));
    const got6 = new Promise<{ text: string; host: string }>((resolve) => listener.datagrams6!.onMessage((d, from) => resolve({ text: d.toString(), host: from.host })));
    sender.send(Buffer.from('d1:ad2:id20:xxxxxxxxxxxxxxxxxxxxe1:q4:ping1:t2:aa1:y1:qe'), '::1', listener.port);
    const r = await got6;
    assert.equal(r.host, '::1');
    assert.match(r.text, /ping/);
    assert.deepEqual(got4, [], 'the IPv4 DHT port saw nothing');
  } finally {
    await sender.close();
    await listener.close();
  }
});

test('an explicit host binds just that address: 127.0.0.1 has no IPv6 socket, ::1 no IPv4 one', { timeout: 10_000 }, async () => {
  const { listener: v4 } = await echoListener('127.0.0.1');
  const { listener: v6 } = await echoListener('::1');
  try {
    assert.deepEqual(v4.families, [4]);
    assert.equal(v4.datagrams6, null);
    assert.equal(v4.utpFor('::1'), null, 'no IPv6 uTP: the dialler uses TCP for IPv6 peers');
    assert.deepEqual(v6.families, [6]);
    assert.equal(v6.datagrams, null);
    assert.ok(v6.datagrams6);
  } finally {
    await v4.close();
    await v6.close();
  }
});

test('a machine without IPv6 (bind fails with EAFNOSUPPORT): IPv4 only, said once in the log', { timeout: 10_000 }, async () => {
  const lines: string[] = [];
  const listener = new PeerListener((s) => s.destroy(), {
    log: (l) => lines.push(l),
    bind: (o) => (o.family === 6 ? Promise.reject(new BindError('address family not supported', 'EAFNOSUPPORT')) : FamilySockets.bind(o)),
  });
  try {
    await listener.listen(0);
    assert.deepEqual(listener.families, [4]);
    assert.equal(listener.datagrams6, null);
    await listener.close();
    await listener.listen(0);
    assert.deepEqual(lines, ['IPv6 is unavailable on this machine (EAFNOSUPPORT): listening on IPv4 only']);
  } finally {
    await listener.close();
  }
});

test('any other IPv6 bind failure on a fixed port is an error, and the IPv4 sockets are released', { timeout: 10_000 }, async () => {
  const listener = new PeerListener((s) => s.destroy(), {
    bind: (o) => (o.family === 6 ? Promise.reject(new BindError(`port ${o.port} is already in use: choose another with --port`, 'EADDRINUSE')) : FamilySockets.bind(o)),
  });
  const probe = new PeerListener((s) => s.destroy());
  try {
    await probe.listen(0, '127.0.0.1');
    const port = probe.port;
    await probe.close();
    await assert.rejects(listener.listen(port), /already in use/);
    assert.deepEqual(listener.families, []);
    await probe.listen(port, '0.0.0.0'); // the IPv4 socket was closed again
  } finally {
    await probe.close();
    await listener.close();
  }
});
