// Issue 15: WebTorrent leeching from a Tessera seeder that requires encryption stalled at 0 bytes after a completed
// RC4 handshake in about a third of the connections (13 of 20 here). The cause was not MSE: the seeder unchoked every
// peer the moment it connected, and when that unchoke came in the same read as our handshake WebTorrent lost it (it
// registers its 'unchoke' handler a microtask after the handshake) and never requested a block. Plaintext
// connections stalled the same way. Fresh WebTorrent leechers, one after another, each dial the seeder over loopback
// TCP and must finish byte for byte within a bound; the stall count is printed whatever the outcome.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTreesEqual, freePort, makeTestPayload, makeTorrent, startWebtorrent, stopAll, withTimeout, type Payload, type WebtorrentOptions } from '../../testing/index.js';
import { startTessera } from './tessera-process.js';

/** A 1.2 MB download over loopback takes about 1.5 s with WebTorrent's start-up; a stalled leecher waits for this. */
const PER_LEECHER_MS = 20_000;

const root = mkdtempSync(join(tmpdir(), 'tessera-wt-rc4-'));
let payload: Payload;
let torrentFile: string;
let infoHash: string;

before(async () => {
  payload = await makeTestPayload(join(root, 'seed'), { name: 'wt-rc4', files: [{ path: 'a.bin', size: 1_000_000 }, { path: 'b.bin', size: 200_003 }], seed: 15 });
  const torrent = await makeTorrent({ source: payload.root, out: join(root, 'wt-rc4.torrent'), tiers: [], pieceLengthLog2: 15 });
  torrentFile = torrent.file;
  infoHash = torrent.infoHash;
});
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Seeds with `tessera seed --encryption <policy>` and runs `count` WebTorrent leechers against it one after
 * another. Every one must finish within PER_LEECHER_MS over a connection Tessera logged as `label`.
 */
async function leechersInARow(name: string, count: number, policy: 'require' | 'disable', wtEncryption: WebtorrentOptions['encryption'], label: RegExp): Promise<void> {
  const tessera = startTessera(['seed', torrentFile, '--data', join(root, 'seed'), '--port', String(await freePort()), '--encryption', policy, '--no-port-mapping', '--verbose'], root, `tessera-${name}`);
  const stalls: string[] = [];
  try {
    const port = Number((await tessera.waitForLine(/^listening on port (\d+)/, 20_000))[1]);
    await tessera.waitForLine(new RegExp(`^seeding ${infoHash}`), 20_000);
    for (let i = 0; i < count; i++) {
      const dataDir = join(root, `${name}-${i}`);
      const started = performance.now();
      const leech = await startWebtorrent({ role: 'leech', torrentFile, dataDir, port: await freePort(), peers: [{ host: '127.0.0.1', port }], encryption: wtEncryption });
      try {
        await withTimeout(leech.done, PER_LEECHER_MS, `WebTorrent leecher ${i}`);
        await assertTreesEqual(payload.root, join(dataDir, payload.name));
        console.log(`# ${name} leecher ${i}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
      } catch (err) {
        stalls.push(`leecher ${i}: ${(err as Error).message} (last progress ${JSON.stringify(leech.progress())})`);
      } finally {
        await leech.stop();
      }
    }
    const connections = tessera.lines().filter((l) => /^connected from /.test(l));
    console.log(`# ${name}: ${count - stalls.length}/${count} leechers finished, ${stalls.length} stalled`);
    assert.deepEqual(stalls, [], `stalled:\n${stalls.join('\n')}\nseeder log ${tessera.logFile}:\n${tessera.tail(20)}`);
    assert.ok(connections.length >= count && connections.every((l) => label.test(l)), `every connection was ${label}:\n${connections.join('\n')}`);
  } finally {
    await tessera.stop();
  }
}

describe('WebTorrent leechers download from a Tessera seeder, connection after connection', { timeout: 30 * (PER_LEECHER_MS + 10_000) + 120_000 }, () => {
  test('20 in a row over RC4 (Tessera requires encryption; WebTorrent offers RC4 and plaintext): none stalls', { timeout: 20 * (PER_LEECHER_MS + 10_000) + 60_000 }, async () => {
    await leechersInARow('rc4', 20, 'require', 'prefer', /^connected from 127\.0\.0\.1:\d+ \(WebTorrent [^)]*\), RC4-encrypted$/);
  });

  test('10 in a row in plaintext (encryption off on both sides): none stalls', { timeout: 10 * (PER_LEECHER_MS + 10_000) + 60_000 }, async () => {
    await leechersInARow('plain', 10, 'disable', 'off', /^connected from 127\.0\.0\.1:\d+ \(WebTorrent [^)]*\), plaintext$/);
  });
});
