import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpSocket, type DatagramSource } from './udp.js';

function nextMessage(sock: UdpSocket): Promise<{ data: Buffer; from: DatagramSource }> {
  return new Promise((resolve) => {
    const off = sock.onMessage((data, from) => {
      off();
      resolve({ data, from });
    });
  });
}

test('two IPv4 sockets exchange a datagram and see where it came from', async () => {
  const a = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  const b = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  try {
    const got = nextMessage(b);
    a.send(Buffer.from('ping'), '127.0.0.1', b.port);
    const { data, from } = await got;
    assert.equal(data.toString(), 'ping');
    assert.deepEqual(from, { host: '127.0.0.1', port: a.port });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an IPv6 socket sends to an IPv6 address', async (t) => {
  let a: UdpSocket;
  try {
    a = await UdpSocket.bind({ family: 6, port: 0, host: '::1' });
  } catch {
    return t.skip('no IPv6 loopback here');
  }
  const b = await UdpSocket.bind({ family: 6, port: 0, host: '::1' });
  try {
    assert.equal(a.family, 6);
    const got = nextMessage(b);
    a.send(Buffer.from('ping6'), '::1', b.port);
    assert.equal((await got).data.toString(), 'ping6');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an address of the other family is refused: counted, and reported to the caller that asks', async () => {
  const a = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  try {
    const errors: string[] = [];
    a.send(Buffer.from('x'), '::1', 6881, (err) => errors.push(err.message));
    a.send(Buffer.from('x'), '127.0.0.1', 0);
    assert.equal(a.sendErrors, 2);
    assert.deepEqual(errors, ['cannot send to ::1:6881 from an IPv4 socket']);
  } finally {
    await a.close();
  }
});

test('bind refuses an address of the other family', async () => {
  await assert.rejects(UdpSocket.bind({ family: 6, port: 0, host: '127.0.0.1' }), /must be IPv6/);
  await assert.rejects(UdpSocket.bind({ port: 0, host: '::1' }), /must be IPv4/);
});

test('datagrams longer than maxDatagram are dropped', async () => {
  const a = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  const b = await UdpSocket.bind({ port: 0, host: '127.0.0.1', maxDatagram: 4 });
  try {
    const got = nextMessage(b);
    a.send(Buffer.from('too long'), '127.0.0.1', b.port);
    a.send(Buffer.from('ok'), '127.0.0.1', b.port);
    assert.equal((await got).data.toString(), 'ok');
    assert.equal(b.dropped, 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('onDatagram hands the sender as host and port, beside onMessage handlers, each taking what its filter accepts', async () => {
  const a = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  const b = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  try {
    const byAddress: string[] = [];
    const bySource: string[] = [];
    b.onDatagram((data, host, port) => byAddress.push(`${data.toString()} ${host}:${port}`), (d) => d[0] === 0x75 /* 'u' */);
    const done = new Promise<void>((resolve) =>
      b.onMessage((data, from) => {
        bySource.push(`${data.toString()} ${from.host}:${from.port}`);
        if (bySource.length === 1) resolve();
      }, (d) => d[0] === 0x64 /* 'd' */),
    );
    a.send(Buffer.from('utp'), '127.0.0.1', b.port);
    a.send(Buffer.from('dht'), '127.0.0.1', b.port);
    await done;
    assert.deepEqual(byAddress, [`utp 127.0.0.1:${a.port}`]);
    assert.deepEqual(bySource, [`dht 127.0.0.1:${a.port}`]);
    assert.equal(a.sendErrors, 0);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
