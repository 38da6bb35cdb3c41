// IPv6 only (issue 12, must-show 3, peer part): over ::1, through a tracker on [::1] that answers with compact
// `peers6`, Tessera downloads from libtorrent and Transmission seeders and seeds to their leechers, byte for
// byte. Every peer address involved is ::1: the tracker's announce log and Tessera's "connected" lines show it.
// Last, a uTP-only libtorrent on ::1: Tessera's outgoing uTP leaves by its IPv6 UDP socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertTreesEqual,
  freePort,
  makeTestPayload,
  makeTorrent,
  startLibtorrent,
  startTracker,
  startTransmission,
  stopAll,
  type ClientHandle,
  type ClientOptions,
  type LocalTracker,
  type Payload,
  withTimeout,
} from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

type Starter = (opts: ClientOptions) => Promise<ClientHandle>;
const clients: { name: string; start: Starter }[] = [
  { name: 'libtorrent', start: startLibtorrent },
  { name: 'transmission', start: startTransmission },
];

/** Fails with a clear message when this machine cannot listen on ::1 (the suite needs IPv6 loopback). */
async function requireIpv6Loopback(): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`IPv6 loopback is unavailable here (${(err as Error).message}): this suite needs ::1 (see 'ip -6 addr show lo')`)));
    server.listen(0, '::1', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('IPv6 only: Tessera and real clients over ::1 through a tracker returning peers6', { timeout: 480_000 }, () => {
  let root: string;
  let tracker: LocalTracker;
  let payload: Payload;
  let torrent: string;
  let infoHash: string;
  before(async () => {
    await requireIpv6Loopback();
    root = mkdtempSync(join(tmpdir(), 'tessera-interop-ipv6-'));
    tracker = await startTracker({ intervalSeconds: 5, host: '::1' });
    payload = await makeTestPayload(join(root, 'source'));
    const made = await makeTorrent({ source: payload.root, out: join(root, 'ipv6.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 15 });
    torrent = made.file;
    infoHash = made.infoHash;
  });
  after(async () => {
    await stopAll();
    await tracker?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Every announce of this torrent came from ::1, and the tracker lists only ::1 peers. */
  function assertTrackerSawOnlyIpv6(): void {
    const ours = tracker.announces.filter((a) => a.infoHash === infoHash);
    assert.ok(ours.length > 0, 'the tracker saw announces');
    assert.deepEqual(ours.filter((a) => !a.addr.startsWith('[::1]:')), [], 'every announce came over IPv6');
    assert.deepEqual(tracker.peers(infoHash).filter((p) => p.ip !== '::1'), [], 'the swarm is IPv6 only');
  }

  for (const client of clients) {
    test(`Tessera downloads from a ${client.name} seeder over ::1`, { timeout: 150_000 }, async () => {
      const seedData = join(root, `seed-${client.name}`);
      await makeTestPayload(seedData);
      const port = await freePort('::1');
      const seed = await client.start({ role: 'seed', torrentFile: torrent, dataDir: seedData, port, bindAddress: '::1' });
      try {
        await withTimeout(seed.ready, 60_000, `${client.name} seeder ready`);
        await tracker.waitForPeers(infoHash, 1, 30_000, { seedsOnly: true });
        const out = join(root, `leech-from-${client.name}`);
        const tessera = startTessera(['download', torrent, '--out', out, '--json', '--verbose'], root, `tessera-ipv6-from-${client.name}`);
        const exit = await withTimeout(tessera.exited, 90_000, 'tessera download over ::1');
        const lines = tessera.lines();
        assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
        const summary = lastJsonLine(lines);
        assert.equal(summary.complete, true);
        assert.equal(summary.totalBytes, payload.totalSize);
        await assertTreesEqual(payload.root, join(out, payload.name));
        assert.ok(lines.some((l) => l.startsWith(`connected to [::1]:${port} (`)), `dialled the seeder at [::1]:${port} from peers6:\n${lines.filter((l) => l.includes('connect')).join('\n')}`);
        assertTrackerSawOnlyIpv6();
        console.log(`# ${client.name} -> tessera over ::1: ${summary.totalBytes} bytes in ${summary.seconds} s`);
      } finally {
        await seed.stop();
      }
    });

    test(`Tessera seeds to a ${client.name} leecher over ::1`, { timeout: 150_000 }, async () => {
      const leechData = join(root, `leech-${client.name}`);
      const port = await freePort('::1');
      // The leecher registers first, so Tessera's first announce already returns it in peers6 (Transmission
      // dials no loopback peer a tracker gives it; Tessera dials it).
      const leech = await client.start({ role: 'leech', torrentFile: torrent, dataDir: leechData, port, bindAddress: '::1' });
      const tessera = startTessera(['seed', torrent, '--data', join(root, 'source'), '--port', String(await freePort('::1')), '--verbose'], root, `tessera-ipv6-to-${client.name}`);
      try {
        await tracker.waitForPeers(infoHash, 1, 30_000);
        await tessera.waitForLine(new RegExp(`^seeding ${infoHash}`), 30_000);
        await withTimeout(leech.done, 90_000, `${client.name} leecher done`);
        await assertTreesEqual(payload.root, join(leechData, payload.name), { allowMissingEmpty: client.name === 'transmission' });
        assert.ok(tessera.lines().some((l) => /^connected (from|to) \[::1\]:\d+ \(/.test(l)), `Tessera logged the leecher at [::1]:\n${tessera.lines().slice(-20).join('\n')}`);
        assertTrackerSawOnlyIpv6();
      } finally {
        await leech.stop();
        await tessera.stop();
      }
      const uploaded = /stopped seeding after uploading (\d+) bytes/.exec(tessera.lines().join('\n'));
      assert.ok(uploaded && Number(uploaded[1]) >= payload.totalSize, `Tessera uploaded the whole payload:\n${tessera.lines().slice(-10).join('\n')}`);
      console.log(`# tessera -> ${client.name} over ::1: uploaded ${uploaded[1]} bytes`);
    });
  }

  test('Tessera downloads over uTP from a uTP-only libtorrent seeder over ::1 (through the IPv6 UDP socket)', { timeout: 150_000 }, async () => {
    const seedData = join(root, 'seed-utp');
    await makeTestPayload(seedData);
    const port = await freePort('::1');
    const seed = await startLibtorrent({ role: 'seed', torrentFile: torrent, dataDir: seedData, port, bindAddress: '::1', utpOnly: true, noTrackers: true });
    try {
      await withTimeout(seed.ready, 60_000, 'uTP-only libtorrent seeder ready');
      const out = join(root, 'leech-utp');
      const tessera = startTessera(['download', torrent, '--out', out, '--peer', `[::1]:${port}`, '--no-tcp', '--json', '--verbose'], root, 'tessera-ipv6-utp');
      const exit = await withTimeout(tessera.exited, 90_000, 'tessera download over uTP on ::1');
      const lines = tessera.lines();
      assert.equal(exit.code, 0, `tessera exited ${exit.code}; log ${tessera.logFile}:\n${lines.slice(-30).join('\n')}`);
      assert.equal(lastJsonLine(lines).complete, true);
      await assertTreesEqual(payload.root, join(out, payload.name));
      assert.ok(lines.some((l) => l.startsWith(`connected to [::1]:${port} (`) && l.endsWith(', uTP')), `a uTP connection to [::1]:${port}:\n${lines.filter((l) => l.includes('connect')).join('\n')}`);
    } finally {
      await seed.stop();
    }
  });
});
