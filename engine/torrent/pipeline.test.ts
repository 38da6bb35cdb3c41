// The request pipeline against a seeder that answers in bursts, as Transmission does: it queues requests as they
// come and sends the queued blocks only on its next pulse (every 500 ms in Transmission 3.00), so what a leecher
// keeps in flight, not the link, sets the rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import {
  EXTENDED_HANDSHAKE_ID,
  Framer,
  HANDSHAKE_LENGTH,
  decodeMessage,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  makePeerId,
} from '../wire/index.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { plaintextHandshake } from '../testing/hostile-peer.js';

interface PulsedSeeder {
  readonly port: number;
  /** Pulses that had requests to serve. */
  busyPulses(): number;
  /** Most requests queued at once. */
  maxQueued(): number;
  rejected(): number;
  /** Requests queued right now (one connection). */
  queued(): number;
  /** From now on serve at most `n` blocks per pulse. */
  throttle(n: number): void;
  close(): Promise<void>;
}

/**
 * A seeder (Fast extension, `reqq` advertised) that unchokes at once, queues requests (rejecting the one that would
 * fill its queue to `reqq`, as Transmission does) and serves the whole queue every `pulseMs`.
 */
function startPulsedSeeder(meta: Metainfo, data: Buffer, reqq: number, pulseMs: number): Promise<PulsedSeeder> {
  let busy = 0;
  let maxQueued = 0;
  let rejected = 0;
  let perPulse = Infinity;
  let current: { index: number; begin: number; length: number }[] = [];
  const sockets = new Set<Socket>();
  const timers: NodeJS.Timeout[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const queue: { index: number; begin: number; length: number }[] = [];
    current = queue;
    let pending = Buffer.alloc(0);
    let handshaken = false;
    const framer = new Framer(1 << 20);
    const onFrame = (frame: Uint8Array): void => {
      const msg = decodeMessage(frame);
      if (msg.type === 'request') {
        if (queue.length + 1 >= reqq) {
          rejected++;
          socket.write(encodeMessage({ type: 'reject', index: msg.index, begin: msg.begin, length: msg.length }));
          return;
        }
        queue.push({ index: msg.index, begin: msg.begin, length: msg.length });
        maxQueued = Math.max(maxQueued, queue.length);
      } else if (msg.type === 'cancel') {
        const i = queue.findIndex((r) => r.index === msg.index && r.begin === msg.begin);
        if (i >= 0) queue.splice(i, 1);
      }
    };
    timers.push(
      setInterval(() => {
        if (queue.length === 0 || socket.destroyed) return;
        busy++;
        for (const r of queue.splice(0, Math.min(queue.length, perPulse))) {
          const at = r.index * meta.pieceLength + r.begin;
          socket.write(encodePieceHeader(r.index, r.begin, r.length));
          socket.write(data.subarray(at, at + r.length));
        }
      }, pulseMs),
    );
    socket.on('data', (chunk: Buffer) => {
      let bytes = chunk;
      if (!handshaken) {
        pending = Buffer.concat([pending, chunk]);
        if (pending.length < HANDSHAKE_LENGTH) return;
        const hs = plaintextHandshake(pending);
        if (!hs || Buffer.compare(hs.infoHash, meta.infoHash) !== 0) return void socket.destroy();
        handshaken = true;
        socket.write(encodeHandshake({ infoHash: meta.infoHash, peerId: makePeerId('-TR3000-'), extensions: { extended: true, fast: true, dht: false } }));
        socket.write(encodeMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: encodeExtendedHandshake({ m: {}, v: 'Pulsed 0.0', reqq }) }));
        socket.write(encodeMessage({ type: 'haveAll' }));
        socket.write(encodeMessage({ type: 'unchoke' }));
        bytes = pending.subarray(HANDSHAKE_LENGTH);
      }
      framer.push(bytes, onFrame);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : 0,
        busyPulses: () => busy,
        maxQueued: () => maxQueued,
        rejected: () => rejected,
        queued: () => current.length,
        throttle: (n) => {
          perPulse = n;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearInterval(t);
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

test('the pipeline to a seeder that serves in bursts doubles each round, up to its reqq', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-pipeline-'));
  const data = patternBytes(8 * 1024 * 1024, 7);
  const file = join(root, 'src', 'burst.bin');
  mkdirSync(join(root, 'src'));
  writeFileSync(file, data);
  const meta = parseTorrent(await createTorrent(file, { pieceLength: 32_768 }));
  const reqq = 200;
  const seeder = await startPulsedSeeder(meta, data, reqq, 250);
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await leecher.listen();
    const leech = leecher.add(meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    await leech.start();
    await waitUntil(() => leech.complete, 20_000, () => `${leech.have.count}/${meta.pieceCount} pieces`);
    assert.ok(readFileSync(join(root, 'leech', 'burst.bin')).equals(data));
    // 512 blocks: 32 + 64 + 128 + 199 (reqq - 1) leaves 89 for a fifth pulse; a fixed 32-block queue needs 16, and
    // one sized by a rate meter that lags by seconds needed 8.
    assert.ok(seeder.busyPulses() <= 6, `took ${seeder.busyPulses()} pulses (at most ${seeder.maxQueued()} requests queued)`);
    assert.ok(seeder.maxQueued() <= reqq - 1, `queued ${seeder.maxQueued()} requests, reqq ${reqq}`);
    assert.equal(seeder.rejected(), 0, 'requests past reqq were rejected');
  } finally {
    await leecher.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('the pipeline shrinks again when a fast seeder slows down', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-pipeline-'));
  const data = patternBytes(12 * 1024 * 1024, 8);
  const file = join(root, 'src', 'slows.bin');
  mkdirSync(join(root, 'src'));
  writeFileSync(file, data);
  const meta = parseTorrent(await createTorrent(file, { pieceLength: 32_768 }));
  const seeder = await startPulsedSeeder(meta, data, 200, 100);
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await leecher.listen();
    const leech = leecher.add(meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    await leech.start();
    await waitUntil(() => seeder.maxQueued() >= 199, 10_000, () => `at most ${seeder.maxQueued()} requests queued`);
    // 40 blocks a second: a 199-block queue is 5 s of waiting; 2 s of the rate is 80 blocks.
    seeder.throttle(4);
    await new Promise((r) => setTimeout(r, 7000));
    assert.ok(!leech.complete);
    assert.ok(seeder.queued() <= 120, `${seeder.queued()} requests still queued at a seeder serving 40 blocks a second`);
  } finally {
    await leecher.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});
