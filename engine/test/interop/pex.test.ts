// PEX (BEP 11) against libtorrent on 127.0.0.1, and on ::1 (IPv6 peers travel in `added6`): Tessera is told about one peer only (libtorrent seeder S, by --peer;
// no tracker, no DHT). S is connected to a second libtorrent peer L, and tells Tessera about it over ut_pex; Tessera
// logs the PEX peers and connects to L, an address it learnt from nobody else.
// NOT COMMITTED until ut_pex lands in engine/torrent (our extended handshake must offer ut_pex, or libtorrent sends none).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll, withTimeout } from '../../testing/index.js';
import { formatEndpoint } from '../../api/endpoint.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

describe('PEX with libtorrent on loopback', { timeout: 220_000 }, () => {
  const roots: string[] = [];
  after(async () => {
    await stopAll();
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  for (const HOST of ['127.0.0.1', '::1']) {
    const at = (port: number): string => formatEndpoint(HOST, port);
    const family = HOST.includes(':') ? 'IPv6, added6' : 'IPv4, added';
    test(`Tessera learns a libtorrent peer through ut_pex from another and connects to it (${family})`, { timeout: 100_000 }, async () => {
      const t0 = performance.now();
      const root = await mkdtemp(join(tmpdir(), 'tessera-pex-'));
      roots.push(root);
      const payload = await makeTestPayload(join(root, 'src'), { name: 'pexload', seed: 31 });
      const torrent = await makeTorrent({ source: payload.root, out: join(root, 'pex.torrent'), tiers: [], pieceLengthLog2: 15 });
      // L first (no peers of its own), then S, which dials L: S's connection to L is outgoing, so S knows L's listen
      // port and includes it in its PEX messages. L is held to 20 kB/s so it is still leeching when Tessera comes:
      // libtorrent drops seed-to-seed connections, and sends no PEX with a single peer. L runs without ut_pex, so it
      // cannot learn Tessera's address from S and dial it first: the connection to L must be Tessera's doing.
      const l = await startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: join(root, 'lt-leech'), port: await freePort(HOST), bindAddress: HOST, noTrackers: true, noPex: true, logPeers: true, downloadLimit: 20_000 });
      const s = await startLibtorrent({
        role: 'seed',
        torrentFile: torrent.file,
        dataDir: join(root, 'src'),
        port: await freePort(HOST),
        bindAddress: HOST,
        noTrackers: true,
        enablePex: true,
        peers: [{ host: HOST, port: l.port }],
      });
      await withTimeout(s.ready, 30_000, 'libtorrent seeder S');
      await s.process.waitForLine(new RegExp(`^peer-connected ${HOST}:${l.port} `.replace(/[.[\]]/g, '\\$&')), 20_000);
      const out = join(root, 'out');
      // Slow enough (about 9 s for 4.3 MB) that libtorrent's first PEX message (about a second after the extended
      // handshake) arrives while Tessera is still downloading.
      const tessera = startTessera(
        ['download', torrent.file, '--out', out, '--peer', at(s.port), '--no-dht', '--download-limit', '500000', '--json', '--verbose'],
        root,
        'tessera-pex',
      );
      const exit = await withTimeout(tessera.exited, 60_000, `tessera; output:\n${tessera.tail(40)}`).catch(async (err: Error) => {
        await tessera.stop();
        throw err;
      });
      const lines = tessera.lines();
      assert.equal(exit.code, 0, `tessera exited ${exit.code}:\n${lines.slice(-40).join('\n')}`);
      assert.equal(lastJsonLine(lines).complete, true);
      const pexLine = lines.find((x) => /new peer\(s\) from pex/.test(x));
      assert.ok(pexLine, `no "new peer(s) from pex" line:\n${lines.join('\n')}`);
      assert.ok(pexLine.includes(`from pex from ${at(s.port)}`), `the PEX message came from S: ${pexLine}`);
      assert.ok(
        lines.some((x) => x.startsWith(`connected to ${at(l.port)} `)),
        `Tessera did not connect to L at ${at(l.port)}, which only PEX told it about:\n${lines.join('\n')}`,
      );
      await assertTreesEqual(payload.root, join(out, payload.name));
      console.log(`# PEX test (${family}): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });

    test(`two libtorrent leechers learn each other from Tessera's ut_pex and connect (${family})`, { timeout: 100_000 }, async () => {
      const root = await mkdtemp(join(tmpdir(), 'tessera-pex-out-'));
      roots.push(root);
      const payload = await makeTestPayload(join(root, 'src'), { name: 'pexload', seed: 32 });
      const torrent = await makeTorrent({ source: payload.root, out: join(root, 'pex.torrent'), tiers: [], pieceLengthLog2: 15 });
      // A and B know only Tessera, which dials both (so it knows their listen ports) and names each to the other in
      // its first PEX message, a few seconds in. They are held to 20 kB/s so they are still leeching by then.
      const leech = async (name: string) =>
        startLibtorrent({ role: 'leech', torrentFile: torrent.file, dataDir: join(root, name), port: await freePort(HOST), bindAddress: HOST, noTrackers: true, enablePex: true, downloadLimit: 20_000 });
      const a = await leech('a');
      const b = await leech('b');
      const tessera = startTessera(['seed', torrent.file, '--data', join(root, 'src'), '--port', String(await freePort(HOST)), '--peer', at(a.port), '--peer', at(b.port), '--verbose'], root, 'tessera-pex-seed');
      try {
        const aSawB = new RegExp(`^peer-connected ${HOST}:${b.port} `.replace(/[.[\]]/g, '\\$&'));
        const bSawA = new RegExp(`^peer-connected ${HOST}:${a.port} `.replace(/[.[\]]/g, '\\$&'));
        await withTimeout(Promise.any([a.process.waitForLine(aSawB, 40_000), b.process.waitForLine(bSawA, 40_000)]), 45_000, `the leechers to meet:\n${a.process.tail(10)}\n${tessera.tail(20)}`);
      } finally {
        await tessera.stop();
        await a.stop();
        await b.stop();
      }
    });
  }
});
