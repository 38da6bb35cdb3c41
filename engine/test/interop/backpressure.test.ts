// Issue 15: a leecher that sends a flood of requests and never reads its socket must not grow the seeder's memory.
// With the Fast extension every request we cannot serve (here: all, the leecher is choked) is answered with a
// reject; those answers used to be written regardless of the socket's back-pressure, one write each, and a million
// requests raised a seeder's RSS by 350+ MB. A real `tessera seed` process is attacked over a raw socket, and its
// RSS (from /proc) is sampled throughout.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../../metainfo/create.js';
import { parseTorrent } from '../../metainfo/index.js';
import { encodeHandshake, makePeerId, writeRequest } from '../../wire/index.js';
import { patternBytes, stopAll } from '../../testing/index.js';
import { startTessera } from './tessera-process.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-backpressure-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

const REQUESTS = 1_000_000;
const RSS_BUDGET = 64 * 1024 * 1024;
/** How long the attacker keeps trying to push its requests in. */
const FLOOD_MS = 20_000;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `buf`, waiting for 'drain' at most until `deadline`; false when the deadline came first. */
function writeBefore(socket: Socket, buf: Buffer, deadline: number): Promise<boolean> {
  if (socket.write(buf)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('drain', onDrain);
      resolve(false);
    }, Math.max(0, deadline - Date.now()));
    const onDrain = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('drain', onDrain);
  });
}

test('a non-reading leecher sending a million requests (Fast extension) keeps the seeder within +64 MiB RSS', { timeout: 90_000 }, async () => {
  const data = join(root, 'data');
  mkdirSync(join(data, 'payload'), { recursive: true });
  writeFileSync(join(data, 'payload', 'a.bin'), patternBytes(4 * 1024 * 1024, 5));
  const torrentFile = join(root, 'payload.torrent');
  writeFileSync(torrentFile, await createTorrent(join(data, 'payload'), { pieceLength: 256 * 1024 }));
  const meta = parseTorrent(readFileSync(torrentFile));

  const seeder = startTessera(['seed', torrentFile, '--data', data, '--port', '0'], root, 'seeder');
  const port = Number((await seeder.waitForLine(/listening on port (\d+)/, 30_000))[1]);
  await seeder.waitForLine(/^seeding /, 30_000);
  await sleep(500);
  const baseline = rssBytes(seeder.pid);

  let peak = baseline;
  const sampler = setInterval(() => {
    if (!seeder.hasExited) peak = Math.max(peak, rssBytes(seeder.pid));
  }, 50);
  // Never reads: no 'data' listener, so the socket stays paused and the kernel buffers fill.
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  let sent = 0;
  try {
    socket.write(encodeHandshake({ infoHash: meta.infoHash, peerId: makePeerId(), extensions: { extended: true, fast: true, dht: false } }));
    // Requests for real blocks of real pieces, 4,096 per write.
    const batch = Buffer.allocUnsafe(17 * 4096);
    const deadline = Date.now() + FLOOD_MS;
    while (sent < REQUESTS && Date.now() < deadline) {
      let off = 0;
      for (let i = 0; i < 4096; i++) {
        const n = sent + i;
        off = writeRequest(batch, off, n % meta.pieceCount, ((n >> 4) % 16) * 16384, 16384);
      }
      if (!(await writeBefore(socket, Buffer.from(batch), deadline))) break;
      sent += 4096;
    }
    // Let the seeder take in whatever the kernel still holds.
    await sleep(2000);
    peak = Math.max(peak, rssBytes(seeder.pid));
  } finally {
    clearInterval(sampler);
    socket.destroy();
  }
  const grew = peak - baseline;
  console.log(`# ${sent} requests written in ${FLOOD_MS / 1000} s at most; seeder RSS ${(baseline / 2 ** 20).toFixed(0)} MiB -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${(grew / 2 ** 20).toFixed(1)} MiB)`);
  assert.ok(!seeder.hasExited, `the seeder died:\n${seeder.tail(20)}`);
  assert.ok(grew < RSS_BUDGET, `seeder RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB (budget 64 MiB)`);
  await seeder.stop();
});
