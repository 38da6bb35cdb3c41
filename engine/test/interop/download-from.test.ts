// Tessera downloads a multi-file torrent from seeders we did not write, through a local HTTP/UDP tracker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
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
  type ClientHandle,
  type ClientOptions,
  type LocalTracker,
  type Payload,
} from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

type Starter = (opts: ClientOptions) => Promise<ClientHandle>;

const seeders: { name: string; start: Starter; tracker: 'http' | 'udp' }[] = [
  { name: 'libtorrent', start: startLibtorrent, tracker: 'udp' },
  { name: 'transmission', start: startTransmission, tracker: 'udp' },
  { name: 'aria2', start: startAria2, tracker: 'http' },
  { name: 'webtorrent', start: startWebtorrent, tracker: 'http' },
];

describe('Tessera downloads from real clients', { timeout: 240_000 }, () => {
  let root: string;
  let tracker: LocalTracker;
  let payload: Payload;
  const torrents: Record<'http' | 'udp', string> = { http: '', udp: '' };
  let infoHash = '';

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-interop-dl-'));
    tracker = await startTracker({ intervalSeconds: 5 });
    payload = await makeTestPayload(join(root, 'source'));
    // The same info dict with a different announce URL: both files share one info hash and swarm.
    const http = await makeTorrent({ source: payload.root, out: join(root, 'http.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 15 });
    const udp = await makeTorrent({ source: payload.root, out: join(root, 'udp.torrent'), tiers: [[tracker.udpUrl]], pieceLengthLog2: 15 });
    assert.equal(http.infoHash, udp.infoHash);
    torrents.http = http.file;
    torrents.udp = udp.file;
    infoHash = http.infoHash;
  });

  after(async () => {
    await stopAll();
    await tracker?.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const seeder of seeders) {
    test(`from a ${seeder.name} seeder (Tessera uses the ${seeder.tracker.toUpperCase()} tracker)`, { timeout: 120_000 }, async () => {
      const seedData = join(root, `seed-${seeder.name}`);
      await makeTestPayload(seedData);
      const seed = await seeder.start({ role: 'seed', torrentFile: torrents.http, dataDir: seedData, port: await freePort() });
      try {
        await seed.ready;
        await tracker.waitForPeers(infoHash, 1, 30_000, { seedsOnly: true });
        const out = join(root, `leech-from-${seeder.name}`);
        const tessera = startTessera(['download', torrents[seeder.tracker], '--out', out, '--json', '--verbose'], root, `tessera-from-${seeder.name}`);
        const exit = await tessera.exited;
        const lines = tessera.lines();
        assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
        const summary = lastJsonLine(lines);
        assert.equal(summary.infoHash, infoHash);
        assert.equal(summary.complete, true);
        assert.equal(summary.totalBytes, payload.totalSize);
        assert.ok(summary.downloadedBytes >= payload.totalSize, `received ${summary.downloadedBytes} payload bytes`);
        const trackerUrl = seeder.tracker === 'udp' ? tracker.udpUrl : tracker.httpUrl;
        assert.ok(lines.some((l) => l.includes(`tracker ${trackerUrl}`) && l.includes(': ok')), `announced through ${trackerUrl}`);
        assert.ok(lines.some((l) => /^connected (to|from) .*\(/.test(l)), 'logged the peer it connected to');
        await assertTreesEqual(payload.root, join(out, payload.name));
        const rate = summary.totalBytes / summary.seconds / 1e6;
        console.log(`# ${seeder.name} -> tessera: ${summary.totalBytes} bytes in ${summary.seconds} s (${rate.toFixed(1)} MB/s)`);
      } finally {
        await seed.stop();
      }
    });
  }
});
