// Clients we did not write download from a Tessera seeder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertTreesEqual, freePort, startAria2, startLibtorrent, startTransmission, type ClientHandle, type ClientOptions } from '../../testing/index.js';
import { setUpInterop, type InteropFixture } from './fixture.js';
import { startTessera } from './tessera-process.js';

type Starter = (opts: ClientOptions) => Promise<ClientHandle>;

// Transmission ignores 127.x peers handed out by a tracker, so the Tessera seeder dials it instead.
// aria2 only uses UDP trackers when its DHT is on (they share a socket), so it gets the HTTP tracker.
// Transmission 3.00 never creates zero-length files.
const leechers: { name: string; start: Starter; tracker: 'http' | 'udp'; seederDials: boolean; allowMissingEmpty: boolean }[] = [
  { name: 'libtorrent', start: startLibtorrent, tracker: 'udp', seederDials: false, allowMissingEmpty: false },
  { name: 'aria2', start: startAria2, tracker: 'http', seederDials: false, allowMissingEmpty: false },
  { name: 'transmission', start: startTransmission, tracker: 'http', seederDials: true, allowMissingEmpty: true },
];

describe('real clients download from a Tessera seeder', { timeout: 240_000 }, () => {
  let fx: InteropFixture;
  before(async () => {
    fx = await setUpInterop('interop-seed', 'seed');
  });
  after(async () => {
    await fx?.close();
  });

  for (const leecher of leechers) {
    test(`to a ${leecher.name} leecher (${leecher.tracker.toUpperCase()} tracker)`, { timeout: 120_000 }, async () => {
      const leechData = join(fx.root, `leech-${leecher.name}`);
      const leech = await leecher.start({ role: 'leech', torrentFile: fx.torrents[leecher.tracker], dataDir: leechData, port: await freePort() });
      const seedArgs = ['seed', fx.torrents[leecher.tracker], '--data', join(fx.root, 'seed'), '--port', String(await freePort()), '--verbose'];
      if (leecher.seederDials) seedArgs.push('--peer', `127.0.0.1:${leech.port}`);
      const tessera = startTessera(seedArgs, fx.root, `tessera-seed-to-${leecher.name}`);
      try {
        await tessera.waitForLine(new RegExp(`^seeding ${fx.infoHash}`), 30_000);
        await leech.done;
        await assertTreesEqual(fx.payload.root, join(leechData, fx.payload.name), { allowMissingEmpty: leecher.allowMissingEmpty });
        assert.ok(tessera.lines().some((l) => /^connected (from|to) .*\(/.test(l)), 'Tessera logged the leecher');
      } finally {
        await leech.stop();
        await tessera.stop();
      }
      const uploaded = /stopped seeding after uploading (\d+) bytes/.exec(tessera.lines().join('\n'));
      assert.ok(uploaded, `Tessera reported its upload total:\n${tessera.lines().slice(-10).join('\n')}`);
      assert.ok(Number(uploaded[1]) >= fx.payload.totalSize, `uploaded ${uploaded[1]} of ${fx.payload.totalSize}`);
      console.log(`# tessera -> ${leecher.name}: uploaded ${uploaded[1]} bytes`);
    });
  }
});
