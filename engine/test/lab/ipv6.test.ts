// IPv6 only between lab hosts (issue 12, must-show 3, peer part): a tracker on the lab's IPv6 address answers with
// `peers6`; Tessera downloads from a libtorrent and a Transmission seeder and seeds to their leechers, each client
// on its host's lab IPv6 address (ULA, routed through a router), byte for byte.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { formatEndpoint } from '../../api/endpoint.js';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout, type ClientHandle, type Payload, type ProcessHandle } from '../../testing/index.js';
import { Lab, startLabLibtorrent, startLabTessera, startLabTransmission } from '../../testing/lab/index.js';
import { lastJsonLine } from '../interop/tessera-process.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const TRACKER_PORT = 8000;
const REMOTE_PORT = 6881;
const TESSERA_PORT = 6882;
const escape = (s: string): string => s.replace(/[.[\]]/g, '\\$&');

describe('network lab: IPv6 only, through a tracker returning peers6', { timeout: 420_000 }, () => {
  let lab: Lab;
  let tracker: ProcessHandle;
  let payload: Payload;
  let torrentFile: string;
  before(async () => {
    // Tessera's host and the others on different subnets: IPv6 is routed through r.
    lab = await Lab.create({
      routers: [{ name: 'r' }],
      hosts: [{ name: 'trk' }, { name: 'tessera' }, { name: 'other' }],
      links: [{ a: 'trk', b: 'r' }, { a: 'tessera', b: 'r' }, { a: 'other', b: 'r' }],
      ipv6: true,
    });
    const trk = lab.address('trk', { family: 6 });
    tracker = lab.spawn('trk', process.execPath, ['--import', 'tsx', join(repo, 'engine/testing/lab/tools/tracker.ts'), 'server', '--host', trk, '--port', String(TRACKER_PORT), '--interval', '5'], { cwd: repo, name: 'tracker', stopSignal: 'SIGTERM' });
    await tracker.waitForLine(/^listening/, 30_000);
    payload = await makeTestPayload(join(lab.workDir, 'source'));
    torrentFile = (await makeTorrent({ source: payload.root, out: join(lab.workDir, 'v6.torrent'), tiers: [[`http://${formatEndpoint(trk, TRACKER_PORT)}/announce`]], pieceLengthLog2: 15 })).file;
  });
  after(() => lab?.close());

  const remotes = [
    { name: 'libtorrent', start: startLabLibtorrent },
    { name: 'transmission', start: startLabTransmission },
  ];
  for (const remote of remotes) {
    it(`Tessera downloads from a ${remote.name} seeder at its lab IPv6 address`, { timeout: 150_000 }, async () => {
      const seedData = join(lab.workDir, `seed-${remote.name}`);
      await makeTestPayload(seedData);
      const seed: ClientHandle = await remote.start(lab, 'other', { role: 'seed', torrentFile, dataDir: seedData, port: REMOTE_PORT, family: 6 });
      try {
        await withTimeout(seed.ready, 60_000, `${remote.name} seeding`);
        const seedAt = formatEndpoint(lab.address('other', { family: 6 }), REMOTE_PORT);
        await tracker.waitForLine(new RegExp(`^announce \\w+ ${escape(seedAt)}$`), 40_000);
        const out = join(lab.workDir, `from-${remote.name}`);
        const tessera = startLabTessera(lab, 'tessera', ['download', torrentFile, '--out', out, '--port', String(TESSERA_PORT), '--json', '--verbose'], `tessera-from-${remote.name}`);
        const exit = await withTimeout(tessera.exited, 90_000, 'Tessera download');
        assert.equal(exit.code, 0, `tessera download failed:\n${tessera.tail()}`);
        assert.equal(lastJsonLine(tessera.lines()).complete, true);
        await assertTreesEqual(payload.root, join(out, payload.name));
        // Either side may connect first: Tessera dials the address peers6 gave it, Transmission dials Tessera's.
        const otherV6 = escape(lab.address('other', { family: 6 }));
        assert.ok(tessera.lines().some((l) => new RegExp(`^connected (to|from) \\[${otherV6}\\]:\\d+ \\(`).test(l)), `Tessera connected with the seeder over IPv6:\n${tessera.tail(30)}`);
        const ours = formatEndpoint(lab.address('tessera', { family: 6 }), TESSERA_PORT);
        await tracker.waitForLine(new RegExp(`^announce \\w+ ${escape(ours)}$`), 1_000);
      } finally {
        await seed.stop();
      }
    });

    it(`Tessera seeds to a ${remote.name} leecher at its lab IPv6 address`, { timeout: 150_000 }, async () => {
      const leechData = join(lab.workDir, `leech-${remote.name}`);
      const leech: ClientHandle = await remote.start(lab, 'other', { role: 'leech', torrentFile, dataDir: leechData, port: REMOTE_PORT + 1, family: 6 });
      const leechAt = formatEndpoint(lab.address('other', { family: 6 }), REMOTE_PORT + 1);
      await tracker.waitForLine(new RegExp(`^announce \\w+ ${escape(leechAt)}$`), 40_000);
      const tessera = startLabTessera(lab, 'tessera', ['seed', torrentFile, '--data', join(lab.workDir, 'source'), '--port', String(TESSERA_PORT + 1), '--verbose'], `tessera-to-${remote.name}`);
      try {
        await withTimeout(leech.done, 90_000, `${remote.name} leecher done`);
        await assertTreesEqual(payload.root, join(leechData, payload.name), { allowMissingEmpty: remote.name === 'transmission' });
        const otherV6 = escape(lab.address('other', { family: 6 }));
        assert.ok(tessera.lines().some((l) => new RegExp(`^connected (to|from) \\[${otherV6}\\]:\\d+ \\(`).test(l)), `Tessera connected with ${leechAt} over IPv6:\n${tessera.tail(30)}`);
      } finally {
        await leech.stop();
        await tessera.stop();
      }
    });
  }
});
