// The engine over uTP only, against real clients, byte for byte: Tessera downloads from a libtorrent seeder whose TCP
// is off (through a tracker, where Tessera's TCP attempt is refused and it falls back to uTP, and with a direct peer
// address and --no-tcp), libtorrent uTP-only leechers download from a `tessera seed --no-tcp` (tracker and direct),
// MSE (RC4 forced) runs over uTP, and Transmission 3.00 exchanges data with Tessera over uTP both ways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, startLibtorrent, startTransmission } from '../../testing/index.js';
import { setUpInterop, type InteropFixture } from './fixture.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

/** The peer lines Tessera logs ("connected to …, RC4-encrypted, uTP"): every one must say uTP. */
function assertAllUtp(lines: readonly string[]): string[] {
  const connected = lines.filter((l) => /^connected (to|from) /.test(l));
  assert.ok(connected.length > 0, `Tessera logged a peer connection:\n${lines.slice(-30).join('\n')}`);
  for (const l of connected) assert.match(l, /, uTP$/, `a connection that is not uTP: ${l}`);
  return connected;
}

describe('Tessera over uTP with real clients', { timeout: 600_000 }, () => {
  let fx: InteropFixture;
  before(async () => {
    fx = await setUpInterop('interop-utp', 'source');
  });
  after(async () => {
    await fx?.close();
  });

  const downloads: { name: string; viaTracker: boolean; encryption?: 'forced'; args: string[] }[] = [
    // Defaults (TCP and uTP on): libtorrent accepts TCP and closes it, so this also proves the fallback.
    { name: 'through the tracker, TCP refused then uTP', viaTracker: true, args: [] },
    { name: 'with a direct peer address and --no-tcp', viaTracker: false, args: ['--no-tcp'] },
    { name: 'with MSE forced by the seeder (RC4 over uTP)', viaTracker: false, encryption: 'forced', args: ['--no-tcp', '--encryption', 'require'] },
  ];
  for (const [i, d] of downloads.entries()) {
    test(`Tessera downloads from a uTP-only libtorrent seeder ${d.name}`, { timeout: 150_000 }, async () => {
      const seedData = join(fx.root, `lt-seed-${i}`);
      await makeTestPayload(seedData);
      const seed = await startLibtorrent({ role: 'seed', torrentFile: fx.torrents.http, dataDir: seedData, port: await freePort(), utpOnly: true, noTrackers: !d.viaTracker, encryption: d.encryption });
      try {
        await seed.ready;
        if (d.viaTracker) await fx.tracker.waitForPeers(fx.infoHash, 1, 30_000, { seedsOnly: true });
        const out = join(fx.root, `tessera-leech-${i}`);
        const args = ['download', fx.torrents.http, '--out', out, '--json', '--verbose', '--no-dht', '--no-lsd', ...d.args];
        if (!d.viaTracker) args.push('--peer', `127.0.0.1:${seed.port}`);
        const tessera = startTessera(args, fx.root, `tessera-utp-leech-${i}`);
        const exit = await tessera.exited;
        const lines = tessera.lines();
        assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
        const summary = lastJsonLine(lines);
        assert.equal(summary.complete, true);
        await assertTreesEqual(fx.payload.root, join(out, fx.payload.name));
        const connected = assertAllUtp(lines);
        if (d.encryption) for (const l of connected) assert.match(l, /RC4-encrypted/, l);
        if (d.viaTracker) assert.ok(lines.some((l) => /reached over uTP after tcp: /.test(l)), 'the TCP attempt was refused first');
        console.log(`# libtorrent (uTP only) -> tessera ${d.name}: ${summary.totalBytes} bytes in ${summary.seconds} s (${(summary.totalBytes / summary.seconds / 1e6).toFixed(1)} MB/s)`);
      } finally {
        await seed.stop();
      }
    });
  }

  for (const viaTracker of [true, false]) {
    test(`a uTP-only libtorrent leecher downloads from tessera seed --no-tcp ${viaTracker ? 'through the tracker' : 'with a direct peer address'}`, { timeout: 150_000 }, async () => {
      const tesseraPort = await freePort();
      const tessera = startTessera(['seed', fx.torrents.udp, '--data', join(fx.root, 'source'), '--port', String(tesseraPort), '--no-tcp', '--verbose'], fx.root, `tessera-utp-seed-${viaTracker}`);
      const leechData = join(fx.root, `lt-leech-${viaTracker ? 'tracker' : 'direct'}`);
      try {
        await tessera.waitForLine(new RegExp(`^seeding ${fx.infoHash}`), 30_000);
        const leech = await startLibtorrent({
          role: 'leech', torrentFile: fx.torrents.udp, dataDir: leechData, port: await freePort(), utpOnly: true,
          noTrackers: !viaTracker, peers: viaTracker ? undefined : [{ host: '127.0.0.1', port: tesseraPort }],
        });
        try {
          await leech.done;
        } finally {
          await leech.stop();
        }
        await assertTreesEqual(fx.payload.root, join(leechData, fx.payload.name));
      } finally {
        await tessera.stop();
      }
      assertAllUtp(tessera.lines());
      const uploaded = /stopped seeding after uploading (\d+) bytes/.exec(tessera.lines().join('\n'));
      assert.ok(uploaded && Number(uploaded[1]) >= fx.payload.totalSize, `Tessera uploaded the payload:\n${tessera.lines().slice(-10).join('\n')}`);
    });
  }

  // Transmission ignores 127.x peers from a tracker, so Tessera dials it (--peer); Transmission has no TCP switch,
  // so Tessera's --no-tcp is what keeps the link on uTP.
  test('Transmission 3.00 downloads from tessera seed --no-tcp over uTP', { timeout: 150_000 }, async () => {
    const leechData = join(fx.root, 'tr-leech');
    const leech = await startTransmission({ role: 'leech', torrentFile: fx.torrents.http, dataDir: leechData, port: await freePort(), utp: true });
    const tessera = startTessera(['seed', fx.torrents.http, '--data', join(fx.root, 'source'), '--port', String(await freePort()), '--no-tcp', '--peer', `127.0.0.1:${leech.port}`, '--verbose'], fx.root, 'tessera-utp-seed-tr');
    try {
      await leech.done;
      await assertTreesEqual(fx.payload.root, join(leechData, fx.payload.name), { allowMissingEmpty: true });
    } finally {
      await leech.stop();
      await tessera.stop();
    }
    assertAllUtp(tessera.lines());
  });

  test('Tessera downloads from a Transmission 3.00 seeder over uTP (--no-tcp)', { timeout: 150_000 }, async () => {
    const seedData = join(fx.root, 'tr-seed');
    await makeTestPayload(seedData);
    const seed = await startTransmission({ role: 'seed', torrentFile: fx.torrents.http, dataDir: seedData, port: await freePort(), utp: true });
    try {
      await seed.ready;
      const out = join(fx.root, 'tessera-from-tr');
      const tessera = startTessera(['download', fx.torrents.http, '--out', out, '--json', '--verbose', '--no-dht', '--no-lsd', '--no-tcp', '--peer', `127.0.0.1:${seed.port}`], fx.root, 'tessera-utp-from-tr');
      const exit = await tessera.exited;
      const lines = tessera.lines();
      assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
      await assertTreesEqual(fx.payload.root, join(out, fx.payload.name));
      assertAllUtp(lines);
    } finally {
      await seed.stop();
    }
  });
});
