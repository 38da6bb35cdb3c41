// Local service discovery over IPv6 (BEP 14, issue 12): peers on an IPv6-only segment find each other through the
// group [ff15::efc0:988f]:6771 and one downloads from the other, byte for byte. The segment is a switch of this
// lab's own (the multicast never leaves its namespaces); the hosts' IPv4 addresses are removed, so the only way to
// learn the seeder's address is an IPv6 announce, and the only way to reach it is IPv6. No peer is given on the
// command line, no tracker, no DHT.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertTreesEqual, makeTestPayload, makeTorrent, withTimeout } from '../../testing/index.js';
import { Lab, startLabLibtorrent, startLabTessera } from '../../testing/lab/index.js';

const PORT = 6881;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function ipv6OnlySegment(labs: Lab[]): Promise<{ lab: Lab; torrentFile: string; source: string; payloadName: string }> {
  const lab = await Lab.create({
    switches: [{ name: 'lan' }],
    hosts: [{ name: 'seed' }, { name: 'leech' }],
    links: [{ a: 'seed', b: 'lan' }, { a: 'leech', b: 'lan' }],
    ipv6: true,
  });
  labs.push(lab);
  for (const host of ['seed', 'leech']) {
    await lab.exec(host, 'ip', ['-4', 'addr', 'flush', 'scope', 'global']);
    const v4 = await lab.exec(host, 'ip', ['-4', '-o', 'addr', 'show', 'scope', 'global']);
    assert.equal(v4.stdout.trim(), '', `${host} still has an IPv4 address: the segment must be IPv6 only`);
  }
  const source = join(lab.workDir, 'source');
  const payload = await makeTestPayload(source);
  const torrent = await makeTorrent({ source: payload.root, out: join(lab.workDir, 'payload.torrent'), tiers: [] });
  return { lab, torrentFile: torrent.file, source, payloadName: payload.name };
}

describe('lab: local service discovery over IPv6 on an IPv6-only segment', { timeout: 400_000 }, () => {
  const labs: Lab[] = [];
  after(() => Promise.all(labs.map((l) => l.close())));

  it('a Tessera leecher hears a libtorrent seeder announce on [ff15::efc0:988f]:6771 and downloads from it over IPv6', async () => {
    const w = await ipv6OnlySegment(labs);
    try {
      const seedAddress = w.lab.address('seed', { family: 6 });
      const out = join(w.lab.workDir, 'out');
      // The leecher first, its torrent running (so tracked by LSD), when the seeder makes its first announces (libtorrent
      // sends three within 6 s of starting, then one every 5 minutes).
      const leecher = startLabTessera(w.lab, 'leech', ['download', w.torrentFile, '--out', out, '--port', String(PORT), '--no-port-mapping', '--verbose'], 'tessera-leech', { lsd: true });
      await leecher.waitForLine(/^checked existing data/, 60_000).catch((e: Error) => assert.fail(`${e.message}\nleecher:\n${leecher.tail(20)}`));
      const seeder = await startLabLibtorrent(w.lab, 'seed', { role: 'seed', torrentFile: w.torrentFile, dataDir: w.source, port: PORT, noTrackers: true, lsd: true, logPeers: true, family: 6 });
      const report = (): string => `\nleecher:\n${leecher.tail(40)}\nseeder:\n${seeder.process.tail(20)}`;
      const exit = await withTimeout(leecher.exited, 120_000, 'the download from the peer found by LSD over IPv6').catch((e: Error) => assert.fail(`${e.message}${report()}`));
      assert.equal(exit.code, 0, `the leecher failed${report()}`);
      await assertTreesEqual(join(w.source, w.payloadName), join(out, w.payloadName));
      const log = leecher.lines();
      assert.ok(log.some((l) => /new peer\(s\) from lsd \(IPv6\)/.test(l)), `the seeder was not found by LSD over IPv6${report()}`);
      assert.ok(log.some((l) => new RegExp(`^connected to \\[?${esc(seedAddress)}\\]?:${PORT} `).test(l)), `no connection to [${seedAddress}]:${PORT}${report()}`);
      console.log(`# LSD over IPv6: Tessera found libtorrent at [${seedAddress}]:${PORT} and downloaded the payload byte for byte`);
    } finally {
      await w.lab.close();
    }
  });

  // Two Tessera peers: each hears the other's announce, and one accepts the other's IPv6 connection (dual-stack
  // listening, engine/net/listener.ts).
  it('two Tessera peers find each other by LSD over IPv6 and one downloads from the other, byte for byte', async () => {
    const w = await ipv6OnlySegment(labs);
    try {
      const seedAddress = w.lab.address('seed', { family: 6 });
      const out = join(w.lab.workDir, 'out');
      // The seeder is `download` on complete data with a seed ratio, so it stays up (and runs LSD) until it has served one copy.
      const seeder = startLabTessera(w.lab, 'seed', ['download', w.torrentFile, '--out', w.source, '--seed-ratio', '1', '--port', String(PORT), '--no-port-mapping', '--verbose'], 'tessera-seed', { lsd: true });
      await seeder.waitForLine(/^checked existing data/, 60_000).catch((e: Error) => assert.fail(`${e.message}\nseeder:\n${seeder.tail(20)}`));
      const leecher = startLabTessera(w.lab, 'leech', ['download', w.torrentFile, '--out', out, '--port', String(PORT), '--no-port-mapping', '--verbose'], 'tessera-leech', { lsd: true });
      const report = (): string => `\nleecher:\n${leecher.tail(40)}\nseeder:\n${seeder.tail(40)}`;
      const exit = await withTimeout(leecher.exited, 60_000, 'the download from the Tessera peer found by LSD over IPv6').catch((e: Error) => assert.fail(`${e.message}${report()}`));
      assert.equal(exit.code, 0, `the leecher failed${report()}`);
      await assertTreesEqual(join(w.source, w.payloadName), join(out, w.payloadName));
      assert.ok(leecher.lines().some((l) => /new peer\(s\) from lsd \(IPv6\)/.test(l)) || seeder.lines().some((l) => /new peer\(s\) from lsd \(IPv6\)/.test(l)), `neither found the other by LSD over IPv6${report()}`);
      assert.ok(leecher.lines().some((l) => new RegExp(`^connected (to|from) \\[?${esc(seedAddress)}\\]?:`).test(l)), `the leecher never connected to the seeder over IPv6${report()}`);
    } finally {
      await w.lab.close();
    }
  });
});
