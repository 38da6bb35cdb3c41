// Clients we did not write download from a Tessera seeder.
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
  stopAll,
  type ClientHandle,
  type ClientOptions,
  type LocalTracker,
  type Payload,
} from '../../testing/index.js';
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
  let root: string;
  let tracker: LocalTracker;
  let payload: Payload;
  const torrents: Record<'http' | 'udp', string> = { http: '', udp: '' };
  let infoHash = '';

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-interop-seed-'));
    tracker = await startTracker({ intervalSeconds: 5 });
    payload = await makeTestPayload(join(root, 'seed'));
    const http = await makeTorrent({ source: payload.root, out: join(root, 'http.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 15 });
    const udp = await makeTorrent({ source: payload.root, out: join(root, 'udp.torrent'), tiers: [[tracker.udpUrl]], pieceLengthLog2: 15 });
    torrents.http = http.file;
    torrents.udp = udp.file;
    infoHash = http.infoHash;
  });

  after(async () => {
    await stopAll();
    await tracker?.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const leecher of leechers) {
    test(`to a ${leecher.name} leecher (${leecher.tracker.toUpperCase()} tracker)`, { timeout: 120_000 }, async () => {
      const leechData = join(root, `leech-${leecher.name}`);
      const leech = await leecher.start({ role: 'leech', torrentFile: torrents[leecher.tracker], dataDir: leechData, port: await freePort() });
      const seedArgs = ['seed', torrents[leecher.tracker], '--data', join(root, 'seed'), '--port', String(await freePort()), '--verbose'];
      if (leecher.seederDials) seedArgs.push('--peer', `127.0.0.1:${leech.port}`);
      const tessera = startTessera(seedArgs, root, `tessera-seed-to-${leecher.name}`);
      try {
        await tessera.waitForLine(new RegExp(`^seeding ${infoHash}`), 30_000);
        await leech.done;
        await assertTreesEqual(payload.root, join(leechData, payload.name), { allowMissingEmpty: leecher.allowMissingEmpty });
        assert.ok(tessera.lines().some((l) => /^connected (from|to) .*\(/.test(l)), 'Tessera logged the leecher');
      } finally {
        await leech.stop();
        await tessera.stop();
      }
      const uploaded = /stopped seeding after uploading (\d+) bytes/.exec(tessera.lines().join('\n'));
      assert.ok(uploaded, `Tessera reported its upload total:\n${tessera.lines().slice(-10).join('\n')}`);
      assert.ok(Number(uploaded[1]) >= payload.totalSize, `uploaded ${uploaded[1]} of ${payload.totalSize}`);
      console.log(`# tessera -> ${leecher.name}: uploaded ${uploaded[1]} bytes`);
    });
  }
});
