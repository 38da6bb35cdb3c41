// Smoke test of the interop harness itself: real clients only, no Tessera code.
// One payload and one torrent (made by mktorrent), a local tracker (HTTP tier + UDP tier), then pairs of
// reference clients on 127.0.0.1, one pair at a time, each download checked byte for byte.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ClientHandle,
  type LocalTracker,
  type Payload,
  type TorrentFile,
  assertTreesEqual,
  freePort,
  makeTestPayload,
  makeTorrent,
  startAria2,
  startLibtorrent,
  startTracker,
  startTransmission,
  startWebtorrent,
  stopAll,
  withTimeout,
} from '../../testing/index.js';

const STEP_MS = 20_000;

describe('interop harness (reference clients only)', { timeout: 120_000 }, () => {
  let dir: string;
  let payload: Payload;
  let torrent: TorrentFile;
  let tracker: LocalTracker;
  const timings: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-harness-'));
    payload = await makeTestPayload(join(dir, 'source'));
    tracker = await startTracker();
    torrent = await makeTorrent({
      source: payload.root,
      out: join(dir, 'payload.torrent'),
      tiers: [[tracker.httpUrl], [tracker.udpUrl]],
      pieceLengthLog2: 15,
    });
  });

  after(async () => {
    await stopAll();
    await tracker?.close();
    if (timings.length) console.log(`harness timings:\n  ${timings.join('\n  ')}`);
    if (dir && !process.env.TESSERA_KEEP_TMP) await rm(dir, { recursive: true, force: true });
  });

  async function timedStop(h: ClientHandle): Promise<void> {
    const t0 = performance.now();
    await h.stop();
    timings.push(`  stop ${h.client} ${h.role}: ${(performance.now() - t0).toFixed(0)} ms`);
  }

  /** Runs one seeder -> leecher transfer and checks the bytes. */
  async function pair(
    label: string,
    startSeed: (dataDir: string) => Promise<ClientHandle>,
    startLeech: (dataDir: string, seed: ClientHandle) => Promise<ClientHandle>,
  ): Promise<void> {
    const seedDir = join(dir, `${label}-seed`);
    const leechDir = join(dir, `${label}-leech`);
    await makeTestPayload(seedDir); // same seed, same bytes as `payload`
    const tStart = performance.now();
    const seed = await startSeed(seedDir);
    try {
      await withTimeout(seed.ready, STEP_MS, `${label}: seeder ready`);
      timings.push(`${label}: seeder ready after ${(performance.now() - tStart).toFixed(0)} ms`);
      const t0 = performance.now();
      const leech = await startLeech(leechDir, seed);
      try {
        await withTimeout(leech.done, STEP_MS, `${label}: leecher done`);
        const ms = performance.now() - t0;
        await assertTreesEqual(payload.root, join(leechDir, payload.name));
        timings.push(`${label}: ${(payload.totalSize / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms (start to done)`);
      } finally {
        await timedStop(leech);
      }
    } finally {
      await timedStop(seed);
    }
  }

  test('the payload and torrent have the awkward geometry the suites rely on', () => {
    assert.equal(payload.totalSize, 4_279_015);
    assert.ok(payload.files.some((f) => f.size === 0));
    assert.ok(payload.files.some((f) => f.size > 0 && f.size < 16_384));
    assert.notEqual(payload.totalSize % torrent.pieceLength, 0);
    assert.match(torrent.infoHash, /^[0-9a-f]{40}$/);
  });

  test('libtorrent seeds, aria2 leeches via the tracker', async () => {
    await pair(
      'libtorrent->aria2',
      async (d) => {
        const s = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: await freePort() });
        await withTimeout(s.ready, STEP_MS, 'libtorrent seed ready');
        await tracker.waitForPeers(torrent.infoHash, 1, 10_000, { seedsOnly: true });
        return s;
      },
      async (d) => startAria2({ role: 'leech', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
    );
  });

  test('libtorrent seeds, libtorrent leeches via the tracker', async () => {
    await pair(
      'libtorrent->libtorrent',
      async (d) => startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
      async (d) => startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
    );
  });

  test('libtorrent seeds, webtorrent leeches via the tracker', async () => {
    await pair(
      'libtorrent->webtorrent',
      async (d) => startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
      async (d) => startWebtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
    );
  });

  test('libtorrent seeds and dials transmission, which leeches', async () => {
    // Transmission ignores 127.x peers from a tracker, so the seeder connects to it instead.
    const label = 'libtorrent->transmission';
    const seedDir = join(dir, `${label}-seed`);
    const leechDir = join(dir, `${label}-leech`);
    await makeTestPayload(seedDir);
    const tPort = await freePort();
    const leech = await startTransmission({ role: 'leech', torrentFile: torrent.file, dataDir: leechDir, port: tPort });
    const t0 = performance.now();
    const seed = await startLibtorrent({
      role: 'seed',
      torrentFile: torrent.file,
      dataDir: seedDir,
      port: await freePort(),
      peers: [{ host: '127.0.0.1', port: tPort }],
      noTrackers: true,
    });
    try {
      await withTimeout(leech.done, STEP_MS, `${label}: leecher done`);
      const ms = performance.now() - t0;
      // Transmission 3.00 does not create zero-length files.
      await assertTreesEqual(payload.root, join(leechDir, payload.name), { allowMissingEmpty: true });
      timings.push(`${label}: ${(payload.totalSize / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms (seeder start to done)`);
    } finally {
      await Promise.all([leech.stop(), seed.stop()]);
    }
  });

  test('aria2 seeds, libtorrent leeches via the tracker', async () => {
    await pair(
      'aria2->libtorrent',
      async (d) => startAria2({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
      async (d) => startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
    );
  });

  test('webtorrent seeds, libtorrent leeches via the tracker', async () => {
    await pair(
      'webtorrent->libtorrent',
      async (d) => startWebtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
      async (d) => startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: d, port: await freePort() }),
    );
  });

  test('transmission seeds, libtorrent dials it and leeches', async () => {
    const tPort = await freePort();
    await pair(
      'transmission->libtorrent',
      async (d) => startTransmission({ role: 'seed', torrentFile: torrent.file, dataDir: d, port: tPort }),
      async (d) =>
        startLibtorrent({
          role: 'leech',
          torrentFile: torrent.file,
          dataDir: d,
          port: await freePort(),
          peers: [{ host: '127.0.0.1', port: tPort }],
          noTrackers: true,
        }),
    );
  });
});
