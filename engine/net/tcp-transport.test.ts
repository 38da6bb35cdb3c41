import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectTcp, listenTcp } from './tcp-transport.js';
import type { IncomingStream } from './transport.js';

test('writeBlock() sends header then payload (a view of a shared buffer, left unchanged) in order, on loopback', { timeout: 10_000 }, async () => {
  let accepted: (s: IncomingStream) => void = () => {};
  const incoming = new Promise<IncomingStream>((r) => (accepted = r));
  const acceptor = await listenTcp(0, '127.0.0.1', (s) => accepted(s), 4);
  const client = await connectTcp('127.0.0.1', acceptor.port, 5000);
  const server = await incoming;
  try {
    const chunk = Buffer.from(Array.from({ length: 3 * 16384 }, (_, i) => (i * 31) & 0xff));
    const before = Buffer.from(chunk);
    const blocks = [0, 1, 2].map((n) => ({ header: Buffer.alloc(13, 0xa0 + n), payload: chunk.subarray(n * 16384, (n + 1) * 16384) }));
    const want = Buffer.concat(blocks.flatMap((b) => [b.header, b.payload]));
    const got: Buffer[] = [];
    let received = 0;
    const done = new Promise<void>((resolve, reject) => {
      server.attach({
        receive: (c) => {
          got.push(Buffer.from(c));
          received += c.length;
          if (received >= want.length) resolve();
        },
        transportClosed: (reason) => reject(new Error(reason)),
        drained: () => {},
      });
    });
    // 48 KiB in one turn: gathered for one writev, under the batch limit, so each says "write more".
    for (const b of blocks) assert.equal(client.writeBlock(b.header, b.payload), true);
    await done;
    assert.ok(Buffer.concat(got).equals(want), 'the bytes arrive as header, payload, header, payload, ...');
    assert.ok(chunk.equals(before), 'the shared chunk is unchanged');
  } finally {
    client.destroy();
    server.destroy();
    await acceptor.close();
  }
});

test('writeBlock() says "wait" once 256 KiB are gathered in one turn, and the socket says drained once they are sent', { timeout: 10_000 }, async () => {
  let accepted: (s: IncomingStream) => void = () => {};
  const incoming = new Promise<IncomingStream>((r) => (accepted = r));
  const acceptor = await listenTcp(0, '127.0.0.1', (s) => accepted(s), 4);
  const client = await connectTcp('127.0.0.1', acceptor.port, 5000);
  const server = await incoming;
  try {
    let received = 0;
    server.attach({ receive: (c) => void (received += c.length), transportClosed: () => {}, drained: () => {} });
    const drained = new Promise<void>((resolve) => client.attach({ receive: () => {}, transportClosed: () => {}, drained: resolve }));
    const payload = Buffer.alloc(16384, 1);
    const answers: boolean[] = [];
    let sent = 0;
    for (let i = 0; i < 20; i++) answers.push(client.writeBlock(Buffer.alloc(13), payload, () => sent++));
    assert.equal(sent, 0, 'gathered, not yet written: the payloads are still needed');
    assert.deepEqual(answers.slice(0, 15), Array(15).fill(true), '15 blocks stay under 256 KiB');
    assert.equal(answers[15], false, 'the 16th reaches it');
    await drained;
    await new Promise<void>((r) => {
      const poll = setInterval(() => received >= 20 * (16384 + 13) && (clearInterval(poll), r()), 5);
    });
    assert.equal(received, 20 * (16384 + 13));
    assert.equal(sent, 20, 'every payload reported sent');
  } finally {
    client.destroy();
    server.destroy();
    await acceptor.close();
  }
});
