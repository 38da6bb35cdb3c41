// The client helpers: a libtorrent seeder on one lab host and a Tessera leecher on another, on different subnets
// behind a router with a shaped link, complete a download byte for byte.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout } from '../../testing/index.js';
import { Lab, startLabLibtorrent, startLabTessera } from '../../testing/lab/index.js';
import { lastJsonLine } from '../interop/tessera-process.js';

describe('network lab: BitTorrent clients on lab hosts', { timeout: 150_000 }, () => {
  let lab: Lab | undefined;
  after(() => lab?.close());

  it('a libtorrent seeder and a Tessera leecher complete a download through the shaped router', async () => {
    lab = await Lab.create({
      hosts: [{ name: 'seeder' }, { name: 'leecher' }],
      routers: [{ name: 'r' }],
      links: [{ a: 'seeder', b: 'r', rate: '20mbit', queueMs: 100 }, { a: 'r', b: 'leecher' }],
    });
    const payload = await makeTestPayload(join(lab.workDir, 'source'));
    const torrent = await makeTorrent({ source: payload.root, out: join(lab.workDir, 'payload.torrent'), tiers: [] });
    const seed = await startLabLibtorrent(lab, 'seeder', { role: 'seed', torrentFile: torrent.file, dataDir: join(lab.workDir, 'source'), port: 6881, noTrackers: true });
    await withTimeout(seed.ready, 30_000, 'libtorrent seeding');

    const out = join(lab.workDir, 'download');
    const tessera = startLabTessera(lab, 'leecher', ['download', torrent.file, '--out', out, '--peer', `${lab.address('seeder')}:6881`, '--json', '--verbose'], 'tessera-leech');
    const exit = await withTimeout(tessera.exited, 90_000, 'Tessera download');
    assert.equal(exit.code, 0, `tessera download failed:\n${tessera.tail()}`);
    const summary = lastJsonLine(tessera.lines());
    console.log(`# ${summary.totalBytes} bytes in ${summary.seconds} s (${((summary.totalBytes * 8) / summary.seconds / 1e6).toFixed(1)} Mbit/s over a 20 Mbit/s link)`);
    assert.equal(summary.complete, true);
    await assertTreesEqual(payload.root, join(out, payload.name));
    // The link is shaped: 4.2 MB cannot arrive faster than 20 Mbit/s allows.
    assert.ok(summary.seconds >= (payload.totalSize * 8) / 20e6 * 0.85, `faster than the shaped link allows: ${summary.seconds} s`);
    assert.ok(tessera.lines().some((l) => l.includes(lab?.address('seeder') ?? '?')), 'Tessera logged its peer at the seeder host address');
  });
});
