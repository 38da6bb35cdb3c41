// Hole punching (BEP 55, issue 12 must-show 2) in the lab: two home networks, each behind its own NAT router with
// no port mapping, and a public host running the relay: a Tessera peer (case A) or libtorrent (case B). Both home
// peers are connected to the relay and learn each other's address from it by PEX; neither can be dialled, so the
// leecher asks the relay to introduce it, both dial each other at once over uTP and the leecher downloads the whole
// payload from the seeder through the punched hole, byte for byte. A control without ut_holepunch shows the two
// never connect.
//
// The routers behave like a typical Linux home router (engine/testing/lab/nat.ts): nftables masquerade, which keeps
// the source port when it is free, so a host's uTP socket (port 6881) is seen as ROUTER:6881 by everyone: mapping
// is endpoint-independent (checked below: the relay sees each home peer at its router's port 6881). Filtering is
// address-and-port-dependent: only packets belonging to a flow the home host opened come in (conntrack
// established/related), and unsolicited packets to the router itself are dropped (buildWorld says why). A punch works under exactly that: each side's own packets to the other's ROUTER:6881 open
// its router for the other's packets from there. Home peers run with --no-tcp (BEP 55 punches are uTP, and
// libtorrent's relay finds the target by the endpoint its connection comes from, which for uTP is that mapping).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout } from '../../testing/index.js';
import type { ProcessHandle } from '../../testing/processes.js';
import { Lab, startLabLibtorrent, startLabTessera } from '../../testing/lab/index.js';

const PORT = 6881;
/** The relay takes part in the swarm as a leecher held to about nothing, so the payload can only come from the seeder. */
const RELAY_RATE = 1000;

interface World {
  lab: Lab;
  torrentFile: string;
  source: string;
  payloadName: string;
  payloadBytes: number;
  pub: string;
  wan1: string;
  wan2: string;
}

async function buildWorld(labs: Lab[]): Promise<World> {
  const lab = await Lab.create({
    switches: [{ name: 'inet' }],
    routers: [
      { name: 'home1', nat: { wan: 'inet' } },
      { name: 'home2', nat: { wan: 'inet' } },
    ],
    hosts: [{ name: 'pub' }, { name: 'pc1' }, { name: 'pc2' }],
    links: [
      { a: 'pub', b: 'inet' },
      { a: 'home1', b: 'inet' },
      { a: 'home2', b: 'inet' },
      { a: 'home1', b: 'pc1' },
      { a: 'home2', b: 'pc2' },
    ],
  });
  labs.push(lab);
  // Like a home router's firewall, each router also drops unsolicited packets to its own WAN address. That matters:
  // a packet the router accepted for itself would leave a conntrack entry (other peer -> ROUTER:6881) that stops
  // masquerade from keeping port 6881 for the home host's own packets to that peer, and the punch would then come
  // from another port than the one the other side opened its router for.
  for (const router of ['home1', 'home2']) {
    const wanIf = lab.plan.nat.get(router)?.wanIf;
    assert.ok(wanIf, `lab: ${router} has no WAN interface`);
    const rules = ['table inet homefw {', '  chain input {', '    type filter hook input priority filter; policy accept;', `    iifname "${wanIf}" ct state established,related accept`, `    iifname "${wanIf}" drop`, '  }', '}', ''];
    await lab.exec(router, 'nft', ['-f', '-'], { input: rules.join('\n') });
  }
  const source = join(lab.workDir, 'source');
  const payload = await makeTestPayload(source);
  const torrent = await makeTorrent({ source: payload.root, out: join(lab.workDir, 'payload.torrent'), tiers: [] });
  return { lab, torrentFile: torrent.file, source, payloadName: payload.name, payloadBytes: payload.totalSize, pub: lab.address('pub'), wan1: lab.address('home1', { toward: 'inet' }), wan2: lab.address('home2', { toward: 'inet' }) };
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function startRelay(w: World, kind: 'tessera' | 'libtorrent'): Promise<{ connectedLine: (host: string) => RegExp; proc: ProcessHandle }> {
  const dataDir = join(w.lab.workDir, 'relay');
  if (kind === 'tessera') {
    const args = ['download', w.torrentFile, '--out', dataDir, '--port', String(PORT), '--download-limit', String(RELAY_RATE), '--upload-limit', String(RELAY_RATE), '--no-port-mapping', '--verbose'];
    const proc = startLabTessera(w.lab, 'pub', args, 'relay-tessera');
    return { proc, connectedLine: (host) => new RegExp(`connected from ${esc(host)}:${PORT} .*uTP`) };
  }
  const relay = await startLabLibtorrent(w.lab, 'pub', {
    role: 'leech',
    torrentFile: w.torrentFile,
    dataDir,
    port: PORT,
    utp: true,
    enablePex: true,
    logPeers: true,
    noTrackers: true,
    downloadLimit: RELAY_RATE,
    uploadLimit: RELAY_RATE,
  });
  // libtorrent sends no PEX while a torrent has a single peer, and sends it at once when a second one connects: the
  // seeder would hear of the leecher the moment it arrived and dial it while it dials the seeder, crossing without
  // any introduction. A public bystander connected first (no PEX of its own, held to RELAY_RATE like the relay) makes
  // the relay's first PEX to the seeder go out when the seeder connects, and the next one a minute later.
  const bystander = await startLabLibtorrent(w.lab, 'pub', {
    role: 'leech',
    torrentFile: w.torrentFile,
    dataDir: join(w.lab.workDir, 'bystander'),
    port: PORT + 1,
    utp: true,
    noPex: true,
    logPeers: true,
    noTrackers: true,
    peers: [{ host: w.pub, port: PORT }],
    downloadLimit: RELAY_RATE,
    uploadLimit: RELAY_RATE,
  });
  await bystander.process.waitForLine(new RegExp(`^peer-connected ${esc(w.pub)}:${PORT}`), 30_000);
  return { proc: relay.process, connectedLine: (host: string) => new RegExp(`^peer-connected ${esc(host)}:${PORT}`) };
}

/** The seeder on pc1 and, once the relay has it, the leecher on pc2; both dial only the relay. */
async function startHomePeers(w: World, relay: { connectedLine: (host: string) => RegExp; proc: ProcessHandle }, extra: readonly string[]): Promise<{ seeder: ProcessHandle; leecher: ProcessHandle; out: string }> {
  const common = ['--port', String(PORT), '--peer', `${w.pub}:${PORT}`, '--no-tcp', '--no-port-mapping', '--verbose', ...extra];
  const seeder = startLabTessera(w.lab, 'pc1', ['seed', w.torrentFile, '--data', w.source, ...common], 'seeder-pc1');
  // Endpoint-independent mapping: the relay sees the seeder's uTP socket at its router's address, port kept.
  await relay.proc.waitForLine(relay.connectedLine(w.wan1), 60_000).catch((e: Error) => assert.fail(`${e.message}\nrelay:\n${relay.proc.tail(20)}\nseeder:\n${seeder.tail(20)}`));
  // Past the relay's first PEX to the seeder (3 s after its handshake): the seeder never hears of the leecher from
  // the relay before its next one, a minute on, so only the leecher dials; unpunched, that dial cannot get through.
  await new Promise((r) => setTimeout(r, 5_000));
  const out = join(w.lab.workDir, 'leech');
  const leecher = startLabTessera(w.lab, 'pc2', ['download', w.torrentFile, '--out', out, ...common], 'leecher-pc2');
  await relay.proc.waitForLine(relay.connectedLine(w.wan2), 60_000).catch((e: Error) => assert.fail(`${e.message}\nrelay:\n${relay.proc.tail(20)}\nleecher:\n${leecher.tail(20)}`));
  return { seeder, leecher, out };
}

describe('lab: hole punching (BEP 55) between two peers behind two NAT routers', { timeout: 600_000 }, () => {
  const labs: Lab[] = [];
  after(() => Promise.all(labs.map((l) => l.close())));

  for (const relayKind of ['tessera', 'libtorrent'] as const) {
    it(`relay ${relayKind}: the leecher is introduced to the seeder, both dial over uTP, and the payload comes through the hole`, async () => {
      const w = await buildWorld(labs);
      try {
        const relay = await startRelay(w, relayKind);
        const { seeder, leecher, out } = await startHomePeers(w, relay, []);
        const report = (): string => `\nleecher:\n${leecher.tail(40)}\nseeder:\n${seeder.tail(40)}\nrelay:\n${relay.proc.tail(20)}`;
        const exit = await withTimeout(leecher.exited, 150_000, 'the leecher download through the punched hole').catch((e: Error) => assert.fail(`${e.message}${report()}`));
        assert.equal(exit.code, 0, `the leecher failed${report()}`);
        await assertTreesEqual(join(w.source, w.payloadName), join(out, w.payloadName));
        // The way it came: a rendezvous to the relay, its connect to both, and a uTP connection between the homes.
        const leecherLog = leecher.lines();
        assert.ok(leecherLog.some((l) => l.includes(`hole punch: ${w.wan1}:${PORT} cannot be dialled; asking ${w.pub}:${PORT}`)), `no rendezvous sent${report()}`);
        assert.ok(leecherLog.some((l) => l.includes(`says dial ${w.wan1}:${PORT}`)), `the relay sent the leecher no connect${report()}`);
        assert.ok(seeder.lines().some((l) => l.includes(`says dial ${w.wan2}:${PORT}`)), `the relay sent the seeder no connect${report()}`);
        assert.ok(leecherLog.some((l) => new RegExp(`^connected (to|from) ${esc(w.wan1)}:${PORT} .*uTP`).test(l)), `no uTP connection to the seeder's router${report()}`);
        // Both sides dialled, so two connections may have crossed: the duplicate rule leaves exactly one.
        const untilDone = leecherLog.slice(0, leecherLog.findIndex((l) => l.startsWith('download complete')));
        const opened = untilDone.filter((l) => new RegExp(`^connected (to|from) ${esc(w.wan1)}:${PORT} `).test(l)).length;
        const closed = untilDone.filter((l) => l.startsWith(`disconnected ${w.wan1}:${PORT} `)).length;
        assert.equal(opened - closed, 1, `connections to the seeder when the download completed${report()}`);
        if (relayKind === 'tessera') assert.ok(relay.proc.lines().some((l) => l.includes('hole punch: introducing')), `the Tessera relay did not introduce${report()}`);
        seeder.signal('SIGTERM');
        await withTimeout(seeder.exited, 20_000, 'seeder exit after SIGTERM');
        const uploaded = Number(/stopped seeding after uploading (\d+) bytes/.exec(seeder.lines().join('\n'))?.[1] ?? NaN);
        console.log(`# relay ${relayKind}: ${w.payloadBytes} bytes downloaded through the hole; the seeder uploaded ${uploaded} bytes`);
        // Nearly all of it went to the leecher: the relay is held to RELAY_RATE both ways.
        assert.ok(uploaded >= w.payloadBytes * 0.95, `the seeder uploaded only ${uploaded} of ${w.payloadBytes} bytes${report()}`);
      } finally {
        await w.lab.close();
      }
    });
  }

  it('control: with --no-holepunch on both home peers (Tessera relay) they never connect', async () => {
    const w = await buildWorld(labs);
    try {
      const relay = await startRelay(w, 'tessera');
      const { seeder, leecher } = await startHomePeers(w, relay, ['--no-holepunch']);
      const report = (): string => `\nleecher:\n${leecher.tail(30)}\nseeder:\n${seeder.tail(30)}`;
      // The leecher learns the seeder's address from the relay and dials it, in vain (its router drops the packets).
      await leecher.waitForLine(new RegExp(`connect ${esc(w.wan1)}:${PORT} failed`), 60_000).catch((e: Error) => assert.fail(`${e.message}${report()}`));
      await new Promise((r) => setTimeout(r, 12_000));
      assert.equal(leecher.hasExited, false, `the leecher finished without the seeder${report()}`);
      assert.deepEqual(leecher.lines().filter((l) => new RegExp(`^connected (to|from) ${esc(w.wan1)}`).test(l)), [], `the home peers connected without a hole punch${report()}`);
      assert.deepEqual(seeder.lines().filter((l) => new RegExp(`^connected (to|from) ${esc(w.wan2)}`).test(l)), [], `the home peers connected without a hole punch${report()}`);
      assert.deepEqual(leecher.lines().filter((l) => l.includes('hole punch:')), [], 'hole punching ran with --no-holepunch');
    } finally {
      await w.lab.close();
    }
  });
});
