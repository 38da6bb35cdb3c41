// A swarm on loopback: one rate-limited libtorrent seeder, two Tessera and two libtorrent leechers.
// The seeder cannot serve everyone alone, so the leechers must trade pieces among themselves.
// Every libtorrent has uTP on beside TCP, as it ships, and one Tessera leecher runs on uTP only: pieces travel over
// both transports, and the two Tessera leechers trade over uTP.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorrent } from '../../metainfo/index.js';
import { Client } from '../../session/client.js';
import type { Torrent } from '../../torrent/torrent.js';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, startTracker, stopAll, type ClientHandle } from '../../testing/index.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-swarm-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

test('leechers exchange pieces among themselves: the seeder uploads far less than they download', { timeout: 150_000 }, async () => {
  const tracker = await startTracker({ intervalSeconds: 3 });
  const clients: Client[] = [];
  const ltLeechers: ClientHandle[] = [];
  try {
    const payload = await makeTestPayload(join(root, 'seed'), {
      name: 'swarm',
      files: [
        { path: 'one.bin', size: 5_000_011 },
        { path: 'two.bin', size: 3_333_333 },
      ],
    });
    const torrent = await makeTorrent({ source: payload.root, out: join(root, 'swarm.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 15 });
    const meta = parseTorrent(readFileSync(torrent.file));
    const seedLimit = 1_000_000;
    const seeder = await startLibtorrent({ role: 'seed', torrentFile: torrent.file, dataDir: join(root, 'seed'), port: await freePort(), uploadLimit: seedLimit, utp: true });
    await seeder.ready;
    await tracker.waitForPeers(torrent.infoHash, 1, 20_000, { seedsOnly: true });

    const tessera: Torrent[] = [];
    /** Each Tessera leecher's log, shown when it does not finish (a torrent error, peers that all went away). */
    const logs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      // The first with the default transports (TCP first, uTP to peers known to take it), the second on uTP only,
      // so the swarm carries pieces over both, between Tessera leechers too.
      const transports = i === 0 ? undefined : { tcp: false, utp: true, preferUtp: true };
      const client = new Client({ host: '127.0.0.1', port: await freePort(), transports });
      clients.push(client);
      await client.listen();
      const lines: string[] = [];
      logs.push(lines);
      const t = client.add(meta, { downloadDir: join(root, `tessera-${i}`), events: { onLog: (l) => lines.push(l) } });
      tessera.push(t);
      await t.start();
    }
    for (let i = 0; i < 2; i++) {
      ltLeechers.push(await startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: join(root, `lt-${i}`), port: await freePort(), utp: true }));
    }
    const started = Date.now();
    while (!tessera.every((t) => t.complete) && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      tessera.every((t) => t.complete),
      `Tessera leechers complete: ${tessera.map((t) => `${t.have.count}/${meta.pieceCount}`).join(', ')}\n` +
        tessera.map((t, i) => (t.complete ? '' : `leecher ${i}'s log, last lines:\n  ${logs[i]!.slice(-20).join('\n  ')}\n`)).join(''),
    );
    await Promise.all(ltLeechers.map((l) => l.done));
    const seconds = (Date.now() - started) / 1000;

    for (let i = 0; i < 2; i++) await assertTreesEqual(payload.root, join(root, `tessera-${i}`, 'swarm'));
    for (let i = 0; i < 2; i++) await assertTreesEqual(payload.root, join(root, `lt-${i}`, 'swarm'));

    const ltStats = await Promise.all(ltLeechers.map((l) => l.stop()));
    const seedStats = (await seeder.stop()).stats;
    assert.ok(seedStats, 'the seeder reported its totals');
    const leecherDown = [...tessera.map((t) => t.downloadMeter.total), ...ltStats.map((s) => s.stats?.downloaded ?? 0)];
    const leecherUp = [...tessera.map((t) => t.uploadMeter.total), ...ltStats.map((s) => s.stats?.uploaded ?? 0)];
    const totalDown = leecherDown.reduce((a, b) => a + b, 0);
    console.log(`# swarm: ${meta.totalLength} bytes x 4 leechers in ${seconds.toFixed(1)} s; seeder uploaded ${seedStats.uploaded}`);
    console.log(`# leecher downloaded (tessera, tessera, libtorrent, libtorrent): ${leecherDown.join(', ')}`);
    console.log(`# leecher uploaded   (tessera, tessera, libtorrent, libtorrent): ${leecherUp.join(', ')}`);
    assert.ok(totalDown >= 4 * meta.totalLength, 'every leecher received the whole payload');
    assert.ok(seedStats.uploaded < 0.6 * totalDown, `seeder uploaded ${seedStats.uploaded} of ${totalDown} bytes the leechers received`);
    assert.ok(tessera.every((t) => t.uploadMeter.total > 0), 'each Tessera leecher uploaded to the swarm');
  } finally {
    for (const c of clients) await c.close();
    await tracker.close();
  }
});
