// Download and upload rate limits hold against a fast real client: 2 MB/s averaged over 10 s, within 5%.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorrent } from '../../metainfo/index.js';
import { Client } from '../../session/client.js';
import type { RateMeter } from '../../common/rate.js';
import { freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll, type Payload, type TorrentFile } from '../../testing/index.js';

const LIMIT = 2_000_000;
/** More than 12 s at the limit, so the transfer is still running at the end of the window. */
const PAYLOAD_BYTES = 32_000_000;
const WINDOW_START_MS = 2_000;
const WINDOW_END_MS = 12_000;

const root = mkdtempSync(join(tmpdir(), 'tessera-rate-limit-'));
let payload: Payload;
let torrent: TorrentFile;

before(async () => {
  payload = await makeTestPayload(join(root, 'seed'), { name: 'capped', files: [{ path: 'big.bin', size: PAYLOAD_BYTES }] });
  torrent = await makeTorrent({ source: payload.root, out: join(root, 'capped.torrent'), tiers: [], pieceLengthLog2: 18 });
});

after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

interface Window {
  readonly bytes: number;
  readonly seconds: number;
  readonly rate: number;
}

/**
 * Samples a meter's total every 10 ms from its first byte and returns the average
 * rate between the samples nearest to WINDOW_START_MS and WINDOW_END_MS.
 */
async function measure(meter: RateMeter, failed: () => string | null): Promise<Window> {
  const samples: { at: number; total: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    let first: number | null = null;
    const giveUp = performance.now() + 30_000;
    const timer = setInterval(() => {
      const now = performance.now();
      const problem = failed() ?? (first === null && now > giveUp ? 'no payload byte within 30 s' : null);
      if (problem) {
        clearInterval(timer);
        reject(new Error(problem));
        return;
      }
      if (first === null) {
        if (meter.total === 0) return;
        first = now;
      }
      samples.push({ at: now - first, total: meter.total });
      if (now - first >= WINDOW_END_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const nearest = (ms: number) => samples.reduce((best, s) => (Math.abs(s.at - ms) < Math.abs(best.at - ms) ? s : best));
  const a = nearest(WINDOW_START_MS);
  const b = nearest(WINDOW_END_MS);
  const seconds = (b.at - a.at) / 1000;
  return { bytes: b.total - a.total, seconds, rate: (b.total - a.total) / seconds };
}

function assertNearLimit(w: Window, what: string): void {
  const error = (w.rate - LIMIT) / LIMIT;
  console.log(`# ${what}: ${w.bytes} bytes in ${w.seconds.toFixed(3)} s = ${(w.rate / 1e6).toFixed(4)} MB/s (${(error * 100).toFixed(2)}% from the ${LIMIT / 1e6} MB/s limit)`);
  assert.ok(Math.abs(error) < 0.05, `${what}: averaged ${w.rate} B/s, limit ${LIMIT}`);
}

test('a download capped at 2 MB/s (global limit) from a fast libtorrent seeder averages 2 MB/s within 5% over 10 s', { timeout: 60_000 }, async () => {
  const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'seed'), port: await freePort(), noTrackers: true });
  const client = new Client({ host: '127.0.0.1' });
  try {
    await seeder.ready;
    await client.listen();
    client.setGlobalLimits({ download: LIMIT });
    const meta = parseTorrent(readFileSync(torrent.file));
    const t = client.add(meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    await t.start();
    const w = await measure(t.downloadMeter, () => (t.state === 'error' ? `torrent error: ${t.errorReason}` : t.complete ? 'finished before the window closed: the limit did not hold' : null));
    assertNearLimit(w, 'download from libtorrent');
  } finally {
    await client.close();
    await seeder.stop();
  }
});

test('an upload capped at 2 MB/s (torrent limit) to a libtorrent leecher averages 2 MB/s within 5% over 10 s', { timeout: 60_000 }, async () => {
  const client = new Client({ host: '127.0.0.1' });
  try {
    await client.listen();
    const meta = parseTorrent(readFileSync(torrent.file));
    const t = client.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false });
    t.setLimits({ upload: LIMIT });
    await t.start();
    assert.equal(t.state, 'seeding');
    const leecher = await startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: join(root, 'leech-lt'), port: await freePort(), noTrackers: true, peers: [{ host: '127.0.0.1', port: client.port }] });
    try {
      const w = await measure(t.uploadMeter, () => (t.state === 'error' ? `torrent error: ${t.errorReason}` : t.uploadMeter.total >= PAYLOAD_BYTES ? 'uploaded everything before the window closed: the limit did not hold' : null));
      assertNearLimit(w, 'upload to libtorrent');
    } finally {
      await leecher.stop();
    }
  } finally {
    await client.close();
  }
});
