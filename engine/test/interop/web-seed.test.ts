// Tessera downloads from a web seed (BEP 19) and a rate-limited libtorrent seeder at once: both contribute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { parseTorrent } from '../../metainfo/index.js';
import { dialPeer } from '../../net/dial.js';
import { Torrent } from '../../torrent/torrent.js';
import { makePeerId } from '../../wire/index.js';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, waitUntil } from '../../testing/index.js';
import { RangeServer } from '../../testing/range-server.js';

test('a web seed and a slow libtorrent seeder both contribute to one download', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'tessera-webseed-lt-'));
  const server = new RangeServer({ root: join(root, 'srv'), rateBytesPerSecond: 400_000 });
  let torrent: Torrent | null = null;
  let seed: Awaited<ReturnType<typeof startLibtorrent>> | null = null;
  try {
    const payload = await makeTestPayload(join(root, 'srv'));
    await server.listen();
    const torrentFile = join(root, 'ws.torrent');
    await makeTorrent({ source: payload.root, out: torrentFile, tiers: [], webSeeds: [server.base] });
    const meta = parseTorrent(await readFile(torrentFile));
    assert.deepEqual(meta.urlList, [server.base]);
    seed = await startLibtorrent({ role: 'seed', torrentFile, dataDir: join(root, 'srv'), workDir: join(root, 'lt'), port: await freePort(), noTrackers: true, uploadLimit: 300_000 });
    await seed.ready;
    const out = join(root, 'dl');
    const t = new Torrent({
      meta,
      downloadDir: out,
      peerId: makePeerId(),
      listenPort: () => 0,
      clock: systemClock,
      dial: (host, port) => dialPeer(host, port, meta.infoHash, 'disable'),
      useTrackers: false,
      peers: [{ host: '127.0.0.1', port: seed.port }],
    });
    torrent = t;
    await t.start();
    await waitUntil(() => t.complete, 90_000, () => `${t.have.count}/${meta.pieceCount} pieces`, () => (t.state === 'error' ? `torrent error: ${t.errorReason}` : null));
    await t.stop();
    await assertTreesEqual(payload.root, join(out, payload.name));
    const fromWebSeed = t.webSeeds[0].downloadMeter.total;
    const fromPeers = t.downloadMeter.total - fromWebSeed;
    const lt = await seed.stop();
    seed = null;
    console.log(`# ${meta.totalLength} bytes: ${fromWebSeed} from the web seed, ${fromPeers} from libtorrent (it reports ${lt.stats?.uploaded ?? '?'} uploaded)`);
    assert.ok(fromWebSeed > 0, 'the web seed contributed');
    assert.ok(fromPeers > 0, 'the libtorrent peer contributed');
    assert.ok((lt.stats?.uploaded ?? 0) > 0, 'libtorrent reports bytes uploaded');
  } finally {
    await torrent?.stop();
    await seed?.stop();
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
});
