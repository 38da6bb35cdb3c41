// The port we announce and our external address (issue 12): a port change re-announces every torrent at once (and
// no more often than the gap), trackers get the external port, a router's public address is adopted (a private one
// is not: another NAT is upstream), peers' yourip counts once three agree, and the DHT's node id follows (BEP 42).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../common/clock.js';
import { isValidNodeIdFor } from '../dht/node-id.js';
import { parseTorrent } from '../metainfo/index.js';
import { buildV2, content } from '../metainfo/test-v2-torrents.js';
import { FakeIgd, FakePmpRouter } from '../net/portmap/test-fake-router.js';
import { startTracker } from '../testing/tracker.js';
import { waitUntil } from '../testing/wait.js';
import { Client } from './client.js';
import { ExternalEndpoint, type AddressSource } from './external-endpoint.js';
import { SessionDht } from './dht.js';
import type { Entry } from './entry.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function endpoint(gapMs = 200): { e: ExternalEndpoint; lines: string[]; reannounces: number[] } {
  const lines: string[] = [];
  const reannounces: number[] = [];
  const e = new ExternalEndpoint({ clock: systemClock, log: (l) => lines.push(l), reannounce: () => (reannounces.push(Date.now()), 2), reannounceGapMs: gapMs });
  return { e, lines, reannounces };
}

describe('ExternalEndpoint', () => {
  it('re-announces when the announced port changes, at once and then at most once per gap', async () => {
    const { e, lines, reannounces } = endpoint(300);
    e.advertisedPortIs(6881);
    e.advertisedPortIs(6881);
    assert.equal(reannounces.length, 0, 'the first port is not a change');
    e.advertisedPortIs(40_001);
    assert.equal(reannounces.length, 1, 'at once');
    assert.ok(lines.includes('port mapping: the port we announce changed from 6881 to 40001; re-announcing to trackers'), lines.join('\n'));
    assert.ok(lines.includes('port mapping: re-announced 2 torrents with port 40001'));
    e.advertisedPortIs(40_002);
    e.advertisedPortIs(40_003);
    assert.equal(reannounces.length, 1, 'a flapping router does not set the pace');
    await waitUntil(() => reannounces.length === 2, 2_000, () => `${reannounces.length} re-announces`);
    assert.ok(reannounces[1]! - reannounces[0]! >= 290, `gap ${reannounces[1]! - reannounces[0]!} ms`);
    assert.ok(lines.includes('port mapping: re-announced 2 torrents with port 40003'), 'the newest port goes out');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(reannounces.length, 2);
    e.close();
  });

  it("adopts a router's public address, not a private or carrier-grade one; a router beats peers", () => {
    const { e, lines } = endpoint();
    const heard: [string, AddressSource][] = [];
    e.onAddress((ip, source) => heard.push([ip, source]));
    e.routerSays('10.0.0.2', 'UPnP');
    e.routerSays('10.0.0.2', 'UPnP');
    e.routerSays('100.64.3.4', 'PCP');
    assert.equal(e.address, null);
    assert.equal(lines.filter((l) => l.includes('10.0.0.2 is not public')).length, 1, 'said once');
    assert.ok(lines.some((l) => l.includes('100.64.3.4 is not public: another NAT is upstream')));
    e.routerSays('203.0.113.5', 'UPnP');
    assert.equal(e.address, '203.0.113.5');
    assert.ok(lines.includes('external address 203.0.113.5 (from UPnP)'));
    for (const peer of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) e.peerSays('192.0.2.9', peer);
    assert.equal(e.address, '203.0.113.5', "peers' votes do not override the router");
    assert.deepEqual(heard, [['203.0.113.5', 'UPnP']]);
  });

  it("adopts peers' yourip once three distinct peers agree and a majority does", () => {
    const { e } = endpoint();
    e.peerSays('192.0.2.9', '198.51.100.1');
    e.peerSays('192.0.2.9', '198.51.100.1');
    e.peerSays('192.0.2.9', '198.51.100.2');
    assert.equal(e.address, null, 'two peers are not enough');
    e.peerSays('10.1.1.1', '198.51.100.7');
    e.peerSays('192.0.2.9', '198.51.100.3');
    assert.equal(e.address, '192.0.2.9');
    assert.equal(e.addressSource, 'peers');
  });
});

describe('a port change reaches trackers and the DHT follows the external address', { timeout: 60_000 }, () => {
  it('the router moves our external port at renewal: trackers hear the new port at once, not at the next interval', async () => {
    const router = await FakePmpRouter.start();
    const tracker = await startTracker({ intervalSeconds: 1800 });
    let external = 40_001;
    router.behaviour.grantPort = () => external;
    const lines: string[] = [];
    const client = new Client({ port: 0, host: '127.0.0.1', log: (l) => lines.push(l), portMapping: { gateway: '127.0.0.1', methods: ['pcp'], pmp: { port: router.port, tries: 2, firstTimeoutMs: 50 }, retryMs: 600_000 } });
    const dir = mkdtempSync(join(tmpdir(), 'tessera-endpoint-'));
    try {
      await client.listen();
      assert.equal(client.advertisedPort, 40_001, client.reachability.status().message);
      const meta = parseTorrent(buildV2('ep', [{ path: ['a.bin'], data: content(20_000, 3) }], 16_384, { hybrid: true, top: { announce: tracker.httpUrl } }));
      const torrent = client.add(meta, { downloadDir: dir });
      await torrent.start();
      const ports = (): string[] => tracker.announces.map((a) => a.addr.split(':').pop()!);
      await waitUntil(() => ports().includes('40001'), 10_000, () => `announced: ${ports().join(', ')}`);
      const before = tracker.announces.length;
      external = 40_002;
      await (client.reachability as unknown as { mapper: { round(): Promise<void> } }).mapper.round();
      assert.equal(client.advertisedPort, 40_002);
      await waitUntil(() => tracker.announces.slice(before).some((a) => a.addr.endsWith(':40002')), 5_000, () => `announced since: ${ports().slice(before).join(', ')}`);
      assert.ok(lines.includes('port mapping: the port we announce changed from 40001 to 40002; re-announcing to trackers'), lines.join('\n'));
      assert.equal(client.reachability.status().externalAddress, '203.0.113.7');
      assert.equal(client.endpoint.address, '203.0.113.7');
      await client.remove(torrent);
    } finally {
      await client.close();
      await tracker.close();
      await router.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a renewal that fails and finds the router again on the same port announces nothing new', async () => {
    const igd = await FakeIgd.start();
    const lines: string[] = [];
    const client = new Client({ port: 0, host: '127.0.0.1', log: (l) => lines.push(l) });
    try {
      await client.listen();
      igd.behaviour.taken.add(client.port); // the router gives another external port than our listen port
      await client.setPortMapping({ gateway: '127.0.0.1', methods: ['upnp'], upnp: { target: { host: '127.0.0.1', port: igd.ssdpPort }, timeoutMs: 300 }, retryMs: 600_000 });
      const external = client.advertisedPort;
      assert.notEqual(external, client.port, client.reachability.status().message);
      const changes = (): string[] => lines.filter((l) => l.includes('the port we announce changed'));
      assert.deepEqual(changes(), [`port mapping: the port we announce changed from ${client.port} to ${external}; re-announcing to trackers`]);
      igd.behaviour.addFault = 501;
      igd.behaviour.addFaultTimes = 1;
      await (client.reachability as unknown as { mapper: { round(): Promise<void> } }).mapper.round();
      assert.ok(lines.some((l) => l.includes('renewal failed')), lines.join('\n'));
      assert.equal(client.advertisedPort, external);
      assert.equal(changes().length, 1, changes().join('\n'));
    } finally {
      await client.close();
      await igd.close();
    }
  });

  it('the DHT takes a BEP 42 node id for the external address the router reported, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-endpoint-dht-'));
    const lines: string[] = [];
    const { e } = endpoint();
    const dht = new SessionDht(join(dir, 'dht.json'), (l) => lines.push(l));
    try {
      e.routerSays('203.0.113.5', 'PCP'); // known before the DHT starts
      await dht.start({ bootstrap: [], port: 0, host: '127.0.0.1', clock: systemClock, endpoint: e }, []);
      const node = (dht as unknown as { node: { v4: { id: Uint8Array; externalIp: string | null } } }).node.v4; // the IPv4 node of the two (BEP 32)
      assert.equal(node.externalIp, '203.0.113.5');
      assert.ok(isValidNodeIdFor(node.id, '203.0.113.5'), 'node id fits the address');
      assert.ok(lines.some((l) => /^dht: new node id [0-9a-f]{8}… to fit our external address 203\.0\.113\.5 \(from PCP; BEP 42\)$/.test(l)), lines.join('\n'));
      e.routerSays('198.51.100.20', 'PCP'); // the router's address changed (a new lease from the ISP)
      assert.ok(isValidNodeIdFor(node.id, '198.51.100.20'), 'node id follows the new address');
      assert.equal(lines.filter((l) => l.startsWith('dht: new node id')).length, 2);

      // Torrents on the DHT announce the port the trackers get, and again under a new one when it changes.
      const dhtNode = node as unknown as { track(h: Uint8Array, o: { port: number | null }): unknown };
      const ports: (number | null)[] = [];
      const track = dhtNode.track.bind(dhtNode);
      dhtNode.track = (h, o) => (ports.push(o.port), track(h, o));
      e.advertisedPortIs(6881);
      const entry = { id: 'ab'.repeat(20), meta: undefined, torrent: undefined, fetch: { addPeers: () => undefined }, dhtHandle: null } as unknown as Entry;
      dht.track(entry, e.port ?? 0);
      e.advertisedPortIs(40_005);
      assert.deepEqual(ports, [6881, 40_005]);
      dht.untrack(entry);
    } finally {
      await dht.stop([]);
      e.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
