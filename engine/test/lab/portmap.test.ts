// Port mapping (issue 12) in the lab: a home network behind a NAT router running miniupnpd (UPnP IGD only, or
// NAT-PMP/PCP only), a Tessera seeder at home that maps its port, and on the "public" segment a tracker and a
// libtorrent leecher whose own port is firewalled (so the seeder cannot dial out to it: the only way the data can
// flow is the leecher connecting in through the mapping). The leecher learns the router's address and the mapped
// port from the tracker and downloads byte for byte; the mapping exists while seeding and is gone after SIGTERM. A
// control with mapping off shows the public peer cannot connect.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout } from '../../testing/index.js';
import type { ProcessHandle } from '../../testing/processes.js';
import { Lab, startLabLibtorrent, startMiniupnpd, type Miniupnpd } from '../../testing/lab/index.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tools = join(repo, 'engine', 'testing', 'lab', 'tools');
const SEED_PORT = 6881;
const LEECH_PORT = 6882;
const TRACKER_PORT = 8000;

interface Home {
  lab: Lab;
  miniupnpd: Miniupnpd;
  tracker: ProcessHandle;
  torrentFile: string;
  source: string;
  payloadName: string;
  wan: string;
  pc: string;
}

async function buildHome(labs: Lab[], router: { upnp: boolean; natpmp: boolean }): Promise<Home> {
  const lab = await Lab.create({
    switches: [{ name: 'inet' }],
    routers: [{ name: 'home', nat: { wan: 'inet' } }],
    hosts: [{ name: 'pub' }, { name: 'pc' }],
    links: [{ a: 'pub', b: 'inet' }, { a: 'home', b: 'inet' }, { a: 'home', b: 'pc' }],
  });
  labs.push(lab);
  // A home PC: a default route via its router (where the mapper finds it) and multicast on the LAN (SSDP).
  const pcIf = lab.plan.attachments.find((a) => a.node === 'pc')!.ifname;
  await lab.exec('pc', 'ip', ['route', 'add', 'default', 'via', lab.address('home', { toward: 'pc' })]);
  await lab.exec('pc', 'ip', ['route', 'add', '239.0.0.0/8', 'dev', pcIf]);
  // The leecher's port is closed to unsolicited inbound: the seeder can never dial it.
  await lab.exec('pub', 'nft', ['-f', '-'], {
    input: [
      'table inet pubfw {',
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      '    ct state established,related accept',
      `    tcp dport ${LEECH_PORT} drop`,
      `    udp dport ${LEECH_PORT} drop`,
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  const pub = lab.address('pub');
  const stun = lab.spawn('pub', process.execPath, ['--import', 'tsx', join(tools, 'stun.ts'), '--port', '3478'], { cwd: repo, name: 'stun', stopSignal: 'SIGTERM' });
  const tracker = lab.spawn('pub', process.execPath, ['--import', 'tsx', join(tools, 'tracker.ts'), 'server', '--host', pub, '--port', String(TRACKER_PORT), '--interval', '5'], { cwd: repo, name: 'tracker', stopSignal: 'SIGTERM' });
  await Promise.all([stun.waitForLine(/^listening/, 30_000), tracker.waitForLine(/^listening/, 30_000)]);
  const miniupnpd = await startMiniupnpd(lab, 'home', 'pc', { ...router, stun: { host: pub, port: 3478 }, httpPort: 20_000 + (process.pid % 5000) + labs.length });
  const source = join(lab.workDir, 'source');
  const payload = await makeTestPayload(source);
  const torrent = await makeTorrent({ source: payload.root, out: join(lab.workDir, 'payload.torrent'), tiers: [[`http://${pub}:${TRACKER_PORT}/announce`]] });
  return { lab, miniupnpd, tracker, torrentFile: torrent.file, source, payloadName: payload.name, wan: lab.address('home', { toward: 'inet' }), pc: lab.address('pc') };
}

/** `tessera seed` on the home PC; port mapping on unless `--no-port-mapping` is among `extra`. */
function startSeeder(home: Home, extra: readonly string[]): ProcessHandle {
  return home.lab.spawn('pc', process.execPath, ['--import', 'tsx', join(repo, 'engine', 'cli', 'tessera.ts'), 'seed', home.torrentFile, '--data', home.source, '--port', String(SEED_PORT), '--verbose', ...extra], {
    cwd: repo,
    name: 'tessera-seed',
    env: { TESSERA_PORT_MAPPING: '1' }, // the test helpers default to 0; here the router is the lab's
    stopSignal: 'SIGTERM',
    killAfterMs: 10_000,
  });
}

describe('lab: port mapping through a NAT router running miniupnpd', { timeout: 400_000 }, () => {
  const labs: Lab[] = [];
  after(() => Promise.all(labs.map((l) => l.close())));

  const cases = [
    { name: 'UPnP IGD only', router: { upnp: true, natpmp: false }, method: 'UPnP' },
    { name: 'NAT-PMP/PCP only', router: { upnp: false, natpmp: true }, method: 'PCP' },
  ];
  for (const c of cases) {
    it(`${c.name}: the seeder maps its port, a public libtorrent leecher connects in and downloads; SIGTERM removes the mapping`, async () => {
      const home = await buildHome(labs, c.router);
      const seeder = startSeeder(home, []);
      const mapped = await seeder.waitForLine(/port mapping: Port \d+ open via \S+ on \S+.*/, 40_000).catch((e: Error) => assert.fail(`${e.message}\n${seeder.tail(30)}`));
      console.log(`# ${mapped[0]}`);
      assert.match(mapped[0], new RegExp(`Port ${SEED_PORT} open via ${c.method} on ${home.lab.address('home', { toward: 'pc' }).replace(/\./g, '\\.')} \\(external ${home.wan.replace(/\./g, '\\.')}:${SEED_PORT}\\)`));
      // The tracker sees the router's address and the mapped port.
      await home.tracker.waitForLine(new RegExp(`^announce start ${home.wan.replace(/\./g, '\\.')}:${SEED_PORT}$`), 30_000);
      const leases = await home.miniupnpd.leases();
      assert.deepEqual(leases.map((l) => l.split(':').slice(0, 4).join(':')).sort(), [`TCP:${SEED_PORT}:${home.pc}:${SEED_PORT}`, `UDP:${SEED_PORT}:${home.pc}:${SEED_PORT}`]);
      assert.match(await home.miniupnpd.rules(), new RegExp(`dnat ip to ${home.pc.replace(/\./g, '\\.')}:${SEED_PORT}`));

      const out = join(home.lab.workDir, 'leech');
      const leech = await startLabLibtorrent(home.lab, 'pub', { role: 'leech', torrentFile: home.torrentFile, dataDir: out, port: LEECH_PORT, logPeers: true });
      await withTimeout(leech.done, 90_000, 'libtorrent download through the mapped port').catch((e: Error) => assert.fail(`${e.message}\n${leech.process.tail(20)}\n${seeder.tail(20)}`));
      await assertTreesEqual(join(home.source, home.payloadName), join(out, home.payloadName));
      assert.ok(leech.process.lines().some((l) => l.startsWith(`peer-connected ${home.wan}:${SEED_PORT}`)), 'libtorrent connected to the router address and mapped port');
      await leech.stop();

      seeder.signal('SIGTERM');
      const exit = await withTimeout(seeder.exited, 20_000, 'seeder exit after SIGTERM');
      assert.equal(exit.code, 0, seeder.tail(20));
      assert.ok(seeder.lines().some((l) => /removed the \S+ mapping of TCP port 6881/.test(l)), seeder.tail(20));
      assert.deepEqual(await home.miniupnpd.leases(), [], 'leases left after SIGTERM');
      assert.doesNotMatch(await home.miniupnpd.rules(), /dnat/, 'DNAT rules left after SIGTERM');
    });
  }

  it('NAT-PMP on its own (RFC 6886) against the same router: mapped, then removed on SIGTERM', async () => {
    const home = await buildHome(labs, { upnp: false, natpmp: true });
    const tool = home.lab.spawn('pc', process.execPath, ['--import', 'tsx', join(tools, 'portmap.ts'), '--port', '7000', '--methods', 'nat-pmp'], { cwd: repo, name: 'portmap-natpmp', stopSignal: 'SIGTERM' });
    const line = await tool.waitForLine(/^(mapped|failed) /, 30_000);
    const status = JSON.parse(line.input.slice(line[0].length)) as { method: string; externalPort: number; externalAddress: string; message: string };
    assert.deepEqual([line[1], status.method, status.externalPort, status.externalAddress], ['mapped', 'nat-pmp', 7000, home.wan], status.message);
    const leases = (await home.miniupnpd.leases()).map((l) => l.split(':').slice(0, 4).join(':')).sort();
    assert.deepEqual(leases, [`TCP:7000:${home.pc}:7000`, `UDP:7000:${home.pc}:7000`]);
    tool.signal('SIGTERM');
    await tool.waitForLine(/^stopped$/, 20_000);
    assert.deepEqual(await home.miniupnpd.leases(), []);
  });

  it('control: with --no-port-mapping the public leecher cannot connect', async () => {
    const home = await buildHome(labs, { upnp: true, natpmp: true });
    const seeder = startSeeder(home, ['--no-port-mapping']);
    await home.tracker.waitForLine(new RegExp(`^announce start ${home.wan.replace(/\./g, '\\.')}:${SEED_PORT}$`), 40_000);
    const out = join(home.lab.workDir, 'leech');
    const leech = await startLabLibtorrent(home.lab, 'pub', { role: 'leech', torrentFile: home.torrentFile, dataDir: out, port: LEECH_PORT, logPeers: true });
    await new Promise((r) => setTimeout(r, 15_000));
    // libtorrent tries the router's address (from the tracker) but never gets a peer: its progress lines say 0 peers.
    const progress = leech.process.lines().filter((l) => l.startsWith('progress '));
    assert.ok(progress.length >= 5, `libtorrent printed no progress:\n${leech.process.tail(10)}`);
    assert.deepEqual(progress.filter((l) => !l.endsWith(' 0')), [], 'libtorrent had a peer without a mapping');
    assert.equal(leech.progress()?.fraction ?? 0, 0);
    assert.deepEqual(await home.miniupnpd.leases(), []);
    assert.ok(!seeder.lines().some((l) => l.includes('port mapping:')), 'the seeder tried to map with --no-port-mapping');
    await leech.stop();
  });
});
