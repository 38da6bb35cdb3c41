// Message Stream Encryption against clients we did not write: libtorrent with encryption forced both ways
// (RC4 only) as seeder and as leecher, Transmission requiring encryption, and a refusal when ours is disabled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, startLibtorrent, startTransmission, withTimeout, type ClientHandle } from '../../testing/index.js';
import { setUpInterop, type InteropFixture } from './fixture.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

const RC4_CONNECTION = /^connected (to|from) 127\.0\.0\.1:\d+ \(.*\), RC4-encrypted$/;

describe('protocol encryption with real clients', { timeout: 300_000 }, () => {
  let fx: InteropFixture;
  before(async () => {
    fx = await setUpInterop('interop-mse', 'source');
  });
  after(async () => {
    await fx?.close();
  });

  /** `tessera download --encryption require` from `seed`, which it dials: the data verifies over an RC4 connection. */
  async function downloadEncrypted(seed: ClientHandle, torrent: string, label: string, timeoutMs: number): Promise<void> {
    const out = join(fx.root, `leech-from-${seed.client}`);
    const started = performance.now();
    const tessera = startTessera(['download', torrent, '--out', out, '--peer', `127.0.0.1:${seed.port}`, '--encryption', 'require', '--json', '--verbose'], fx.root, `tessera-from-${seed.client}`);
    const exit = await withTimeout(tessera.exited, timeoutMs, 'tessera download');
    const lines = tessera.lines();
    assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
    assert.equal(lastJsonLine(lines).complete, true);
    assert.ok(lines.some((l) => RC4_CONNECTION.test(l)), `an RC4 connection was logged:\n${lines.slice(-30).join('\n')}`);
    await assertTreesEqual(fx.payload.root, join(out, fx.payload.name));
    console.log(`# ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  test('Tessera (require) downloads from a libtorrent seeder that forces RC4', { timeout: 60_000 }, async () => {
    const seedData = join(fx.root, 'seed-lt-forced');
    await makeTestPayload(seedData);
    const seed = await startLibtorrent({ role: 'seed', torrentFile: fx.torrents.udp, dataDir: seedData, port: await freePort(), encryption: 'forced' });
    try {
      await withTimeout(seed.ready, 20_000, 'libtorrent seeding');
      await downloadEncrypted(seed, fx.torrents.udp, 'libtorrent (forced) -> tessera (require)', 45_000);
    } finally {
      await seed.stop();
    }
  });

  test('a libtorrent leecher that forces RC4 downloads from Tessera (require): our responder', { timeout: 60_000 }, async () => {
    const leechData = join(fx.root, 'leech-lt-forced');
    const tessera = startTessera(['seed', fx.torrents.udp, '--data', join(fx.root, 'source'), '--port', String(await freePort()), '--encryption', 'require', '--verbose'], fx.root, 'tessera-seed-to-lt-forced');
    try {
      const port = Number((await tessera.waitForLine(/^listening on port (\d+)/, 20_000))[1]);
      await tessera.waitForLine(new RegExp(`^seeding ${fx.infoHash}`), 20_000);
      const started = performance.now();
      const leech = await startLibtorrent({ role: 'leech', torrentFile: fx.torrents.udp, dataDir: leechData, port: await freePort(), encryption: 'forced', peers: [{ host: '127.0.0.1', port }] });
      try {
        await withTimeout(leech.done, 45_000, 'libtorrent download');
        await assertTreesEqual(fx.payload.root, join(leechData, fx.payload.name));
        assert.ok(tessera.lines().some((l) => RC4_CONNECTION.test(l)), `an RC4 connection was logged:\n${tessera.tail()}`);
        console.log(`# tessera (require) -> libtorrent (forced): ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await leech.stop();
      }
    } finally {
      await tessera.stop();
    }
  });

  test('with encryption disabled, a libtorrent peer that forces it cannot connect either way, and the log says why', { timeout: 60_000 }, async () => {
    // It dials us: its encrypted handshake is refused.
    const seeder = startTessera(['seed', fx.torrents.udp, '--data', join(fx.root, 'source'), '--port', String(await freePort()), '--encryption', 'disable', '--verbose'], fx.root, 'tessera-seed-disabled');
    try {
      const port = Number((await seeder.waitForLine(/^listening on port (\d+)/, 20_000))[1]);
      await seeder.waitForLine(new RegExp(`^seeding ${fx.infoHash}`), 20_000);
      const leech = await startLibtorrent({ role: 'leech', torrentFile: fx.torrents.udp, dataDir: join(fx.root, 'leech-lt-refused'), port: await freePort(), encryption: 'forced', peers: [{ host: '127.0.0.1', port }] });
      try {
        await seeder.waitForLine(/^refused an encrypted \(MSE\) connection from 127\.0\.0\.1:\d+: encryption is disabled$/, 20_000);
        assert.equal(leech.progress()?.fraction ?? 0, 0, 'libtorrent got no data');
      } finally {
        await leech.stop();
      }
      assert.ok(!seeder.lines().some((l) => /^connected (to|from) /.test(l)), 'no connection was made');
    } finally {
      await seeder.stop();
    }
    // We dial it: it hangs up on our plaintext handshake.
    const seed = await startLibtorrent({ role: 'seed', torrentFile: fx.torrents.udp, dataDir: join(fx.root, 'source'), port: await freePort(), encryption: 'forced' });
    try {
      await withTimeout(seed.ready, 20_000, 'libtorrent seeding');
      const leecher = startTessera(['download', fx.torrents.udp, '--out', join(fx.root, 'leech-refused'), '--peer', `127.0.0.1:${seed.port}`, '--encryption', 'disable', '--verbose'], fx.root, 'tessera-leech-disabled');
      try {
        await leecher.waitForLine(new RegExp(`^no handshake from 127\\.0\\.0\\.1:${seed.port} \\(plaintext\\): peer closed the connection$`), 20_000);
        assert.ok(!leecher.lines().some((l) => /^connected (to|from) /.test(l)), 'no connection was made');
      } finally {
        await leecher.stop();
      }
    } finally {
      await seed.stop();
    }
  });

  test('Tessera (require) downloads from a Transmission seeder that requires encryption', { timeout: 90_000 }, async () => {
    const seedData = join(fx.root, 'seed-tr-required');
    await makeTestPayload(seedData);
    // Transmission ignores 127.x peers from trackers: Tessera dials it.
    const seed = await startTransmission({ role: 'seed', torrentFile: fx.torrents.http, dataDir: seedData, port: await freePort(), encryption: 'required' });
    try {
      await withTimeout(seed.ready, 30_000, 'transmission seeding');
      await downloadEncrypted(seed, fx.torrents.http, 'transmission (required) -> tessera (require)', 60_000);
    } finally {
      await seed.stop();
    }
  });
});
