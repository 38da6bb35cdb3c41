// Real UDP on loopback: our UtpSocket to our UtpSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UdpSocket } from '../udp.js';
import { UtpSocket } from './socket.js';
import type { UtpStream } from './stream.js';
import { payload } from './test-sim.js';

async function pair(): Promise<{ udpA: UdpSocket; udpB: UdpSocket; a: UtpSocket; b: UtpSocket; close: () => Promise<void> }> {
  const udpA = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  const udpB = await UdpSocket.bind({ port: 0, host: '127.0.0.1' });
  const a = new UtpSocket(udpA);
  const b = new UtpSocket(udpB);
  return {
    udpA,
    udpB,
    a,
    b,
    close: async () => {
      a.close();
      b.close();
      await Promise.all([udpA.close(), udpB.close()]);
    },
  };
}

function collect(stream: UtpStream, expected: number): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha1');
  let bytes = 0;
  return new Promise((resolve, reject) => {
    stream.attach({
      receive: (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (bytes === expected) resolve({ hash: hash.digest('hex'), bytes });
      },
      transportClosed: (reason) => {
        if (bytes < expected) reject(new Error(`closed after ${bytes} of ${expected} bytes: ${reason}`));
      },
      drained: () => {},
    });
  });
}

/** Writes `data` in 16 KiB pieces, waiting for `drained` when write() says so. */
function send(stream: UtpStream, data: Uint8Array): void {
  let at = 0;
  const more = (): void => {
    while (at < data.length) {
      const n = Math.min(16384, data.length - at);
      const ok = stream.write(data.subarray(at, at + n));
      at += n;
      if (!ok) return;
    }
  };
  stream.attach({ receive: () => {}, transportClosed: () => {}, drained: more });
  more();
}

test('loopback: 32 MiB byte for byte over real UDP', { timeout: 120_000 }, async () => {
  const p = await pair();
  try {
    const size = 32 << 20;
    const data = payload(size, 21);
    const accepted = new Promise<UtpStream>((resolve) => p.b.onConnection(resolve));
    const out = await p.a.connect('127.0.0.1', p.udpB.port);
    const inc = await accepted;
    assert.equal(inc.remotePort, p.udpA.port);
    const started = process.hrtime.bigint();
    const done = collect(inc, size);
    send(out, data);
    const got = await done;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(got.hash, createHash('sha1').update(data).digest('hex'));
    console.log(`  32 MiB over loopback uTP: ${(size / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`);
    // And the other way on the same connection.
    const back = payload(1 << 20, 22);
    const doneBack = collect(out, back.length);
    send(inc, back);
    assert.equal((await doneBack).hash, createHash('sha1').update(back).digest('hex'));
  } finally {
    await p.close();
  }
});

test('one UDP port shared with the DHT: bencoded datagrams go to the DHT handler only, uTP to uTP', { timeout: 20_000 }, async () => {
  const p = await pair();
  try {
    const dhtSeen: string[] = [];
    p.udpB.onMessage((d) => dhtSeen.push(Buffer.from(d).toString('latin1')), (d) => d[0] === 0x64);
    const accepted = new Promise<UtpStream>((resolve) => p.b.onConnection(resolve));
    const krpc = Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe');
    p.udpA.send(krpc, '127.0.0.1', p.udpB.port);
    const out = await p.a.connect('127.0.0.1', p.udpB.port);
    await accepted;
    const deadline = Date.now() + 5000;
    while (dhtSeen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(dhtSeen, [krpc.toString('latin1')], 'the DHT got its datagram and no uTP packet');
    assert.equal(p.b.malformed, 0, 'uTP never saw the bencoded datagram');
    out.destroy();
  } finally {
    await p.close();
  }
});

test('close and refusal: FIN reaches the peer; a SYN without a listener is answered with RESET', { timeout: 20_000 }, async () => {
  const p = await pair();
  try {
    const accepted = new Promise<UtpStream>((resolve) => p.b.onConnection(resolve));
    const out = await p.a.connect('127.0.0.1', p.udpB.port);
    const inc = await accepted;
    const closed = new Promise<string>((resolve) => inc.attach({ receive: () => {}, transportClosed: resolve, drained: () => {} }));
    out.destroy();
    assert.equal(await closed, 'peer closed the connection');
    // b has no listener for a: a's SYN to a socket without onConnection is refused.
    const started = Date.now();
    await assert.rejects(p.b.connect('127.0.0.1', p.udpA.port), /connection reset by peer/);
    assert.ok(Date.now() - started < 2000, 'refused at once, not after the connect timeout');
    const deadline = Date.now() + 5000;
    while ((p.a.connectionCount > 0 || p.b.connectionCount > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.a.connectionCount + p.b.connectionCount, 0, 'no connection left behind');
  } finally {
    await p.close();
  }
});
