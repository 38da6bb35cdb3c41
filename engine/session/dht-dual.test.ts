// The session's DHT on both address families (BEP 32): an IPv4 node and an IPv6 node, loopback only. A running
// torrent's peers come from both; the node count covers both; both tables are saved in dht.json and reloaded.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDht, type DhtNode, type PeerAddress } from '../dht/node.js';
import { UdpSocket } from '../net/udp.js';
import { systemClock } from '../common/clock.js';
import { SessionDht } from './dht.js';
import type { Entry } from './entry.js';

const HOST = '127.0.0.1';
const HOST6 = '::1';
const INFO_HASH = 'd6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6';

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(what());
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a torrent finds its peers on the IPv4 and the IPv6 DHT; both tables are counted, saved and reloaded', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-dht-dual-'));
  const nodes: DhtNode[] = [];
  const logs: string[] = [];
  let ours = new SessionDht(join(dir, 'dht.json'), (l) => logs.push(l));
  const found: PeerAddress[] = [];
  const entry = { id: INFO_HASH, meta: null, magnet: null, torrent: { addPeers: (ps: PeerAddress[]) => found.push(...ps) }, fetch: null, dhtHandle: null } as unknown as Entry;
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    const hub4 = await startDht({ port: 0, host: HOST, bootstrap: [], maxNodesPerIp: 100 });
    const hub6 = await startDht({ family: 6, port: 0, host: HOST6, bootstrap: [], maxNodesPerIp: 100 });
    nodes.push(hub4.node, hub6.node);
    const bootstrap = [
      { host: HOST, port: hub4.port },
      { host: HOST6, port: hub6.port },
    ];
    // A peer announced on each family, by a node of that family.
    const seeder4 = (await startDht({ port: 0, host: HOST, bootstrap, maxNodesPerIp: 100 })).node;
    const seeder6 = (await startDht({ family: 6, port: 0, host: HOST6, bootstrap, maxNodesPerIp: 100 })).node;
    nodes.push(seeder4, seeder6);
    const ih = new Uint8Array(Buffer.from(INFO_HASH, 'hex'));
    await Promise.all([seeder4.announce(ih, 4004), seeder6.announce(ih, 6006)]);

    await ours.start({ port: 0, host: HOST, bootstrap, maxNodesPerIp: 100, clock: systemClock }, []);
    assert.match(logs.join('\n'), /dht: listening on UDP port \d+/);
    assert.match(logs.join('\n'), /dht: IPv6 listening on UDP port \d+/);
    ours.track(entry, 5005);
    await until(
      () => found.some((p) => p.host === HOST && p.port === 4004) && found.some((p) => p.host === HOST6 && p.port === 6006),
      20_000,
      () => `peers found: ${JSON.stringify(found)}`,
    );
    await until(() => ours.nodeCount6 >= 2, 10_000, () => `IPv6 table: ${ours.nodeCount6}`);
    assert.ok(ours.nodeCount > ours.nodeCount6, `both families counted: ${ours.nodeCount} total, ${ours.nodeCount6} IPv6`);
    const six = ours.nodeCount6;
    ours.untrack(entry);
    await ours.stop([]);

    const saved = JSON.parse(await readFile(join(dir, 'dht.json'), 'utf8')) as { version: number; nodes: { host: string }[]; v6: { nodes: { host: string }[] } };
    assert.equal(saved.version, 1);
    assert.ok(saved.nodes.length >= 2 && saved.nodes.every((n) => n.host === HOST));
    assert.ok(saved.v6.nodes.length === six && saved.v6.nodes.every((n) => n.host === HOST6));

    // A restart with no bootstrap at all starts both tables from the file.
    ours = new SessionDht(join(dir, 'dht.json'), (l) => logs.push(l));
    await ours.start({ port: 0, host: HOST, bootstrap: [], maxNodesPerIp: 100, clock: systemClock }, []);
    assert.equal(ours.nodeCount6, six);
    assert.match(logs.join('\n'), /dht: IPv6 listening on UDP port \d+ with the saved routing table/);
    assert.ok(ours.nodeCount > six);
  } finally {
    clearInterval(keepAlive);
    await ours.stop([]);
    await Promise.all(nodes.map((n) => n.close()));
    await rm(dir, { recursive: true, force: true });
  }
});

test('the IPv6 DHT uses the listen port\'s IPv6 socket when the session hands one over, and stays off when told', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-dht-dual-'));
  const logs: string[] = [];
  const shared6 = await UdpSocket.bind({ family: 6, port: 0, host: HOST6 });
  const ours = new SessionDht(join(dir, 'dht.json'), (l) => logs.push(l));
  const off = new SessionDht(join(dir, 'dht-off.json'), (l) => logs.push(`off: ${l}`));
  try {
    await ours.start({ port: shared6.port, host: HOST, bootstrap: [], clock: systemClock, shared6 }, []);
    assert.match(logs.join('\n'), new RegExp(`dht: IPv6 listening on UDP port ${shared6.port}\\b`));
    // The shared socket carries the node's queries: a ping to it is answered from that port.
    const probe = await UdpSocket.bind({ family: 6, port: 0, host: HOST6 });
    const got: Uint8Array[] = [];
    probe.onMessage((d) => got.push(d));
    probe.send(Buffer.from('d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:xx1:y1:qe'), HOST6, shared6.port);
    await until(() => got.length > 0, 5_000, () => 'no answer to a ping on the shared IPv6 socket');
    assert.match(Buffer.from(got[0]).toString('latin1'), /1:y1:r/);
    await probe.close();
    await off.start({ port: 0, host: HOST, bootstrap: [], clock: systemClock, ipv6: false }, []);
    assert.ok(!logs.some((l) => l.startsWith('off: dht: IPv6')), logs.join('\n'));
  } finally {
    await ours.stop([]);
    await off.stop([]);
    await shared6.close();
    await rm(dir, { recursive: true, force: true });
  }
});
