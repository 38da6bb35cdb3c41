// Tessera downloads a multi-file torrent from seeders we did not write, through a local HTTP/UDP tracker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, startAria2, startLibtorrent, startTransmission, startWebtorrent, type ClientHandle, type ClientOptions } from '../../testing/index.js';
import { setUpInterop, type InteropFixture } from './fixture.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

type Starter = (opts: ClientOptions) => Promise<ClientHandle>;

const seeders: { name: string; start: Starter; tracker: 'http' | 'udp' }[] = [
  { name: 'libtorrent', start: startLibtorrent, tracker: 'udp' },
  { name: 'transmission', start: startTransmission, tracker: 'udp' },
  { name: 'aria2', start: startAria2, tracker: 'http' },
  { name: 'webtorrent', start: startWebtorrent, tracker: 'http' },
];

describe('Tessera downloads from real clients', { timeout: 240_000 }, () => {
  let fx: InteropFixture;
  before(async () => {
    fx = await setUpInterop('interop-dl', 'source');
  });
  after(async () => {
    await fx?.close();
  });

  for (const seeder of seeders) {
    test(`from a ${seeder.name} seeder (Tessera uses the ${seeder.tracker.toUpperCase()} tracker)`, { timeout: 120_000 }, async () => {
      const seedData = join(fx.root, `seed-${seeder.name}`);
      await makeTestPayload(seedData);
      const seed = await seeder.start({ role: 'seed', torrentFile: fx.torrents.http, dataDir: seedData, port: await freePort() });
      try {
        await seed.ready;
        await fx.tracker.waitForPeers(fx.infoHash, 1, 30_000, { seedsOnly: true });
        const out = join(fx.root, `leech-from-${seeder.name}`);
        const tessera = startTessera(['download', fx.torrents[seeder.tracker], '--out', out, '--json', '--verbose'], fx.root, `tessera-from-${seeder.name}`);
        const exit = await tessera.exited;
        const lines = tessera.lines();
        assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
        const summary = lastJsonLine(lines);
        assert.equal(summary.infoHash, fx.infoHash);
        assert.equal(summary.complete, true);
        assert.equal(summary.totalBytes, fx.payload.totalSize);
        assert.ok(summary.downloadedBytes >= fx.payload.totalSize, `received ${summary.downloadedBytes} payload bytes`);
        const trackerUrl = seeder.tracker === 'udp' ? fx.tracker.udpUrl : fx.tracker.httpUrl;
        assert.ok(lines.some((l) => l.includes(`tracker ${trackerUrl}`) && l.includes(': ok')), `announced through ${trackerUrl}`);
        assert.ok(lines.some((l) => /^connected (to|from) .*\(/.test(l)), 'logged the peer it connected to');
        await assertTreesEqual(fx.payload.root, join(out, fx.payload.name));
        const rate = summary.totalBytes / summary.seconds / 1e6;
        console.log(`# ${seeder.name} -> tessera: ${summary.totalBytes} bytes in ${summary.seconds} s (${rate.toFixed(1)} MB/s)`);
      } finally {
        await seed.stop();
      }
    });
  }
});
