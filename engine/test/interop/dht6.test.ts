// DHT over IPv6 (BEP 32), issue 12 must-show 3: a bare magnet found over an IPv6 DHT on ::1.
//
// bittorrent-dht (npm, v11) speaks IPv4 only (no `nodes6`, no udp6 socket), so the IPv6 DHT here is twelve of our
// own DhtNodes (family 6) on ::1 plus the DHT node of a libtorrent 2.0.8 seeder listening only on [::1]. libtorrent
// joins through our node 0 and announces its torrent over IPv6 (its announce_peer lands in our nodes' peer stores
// with an IPv6 address, and its lookups read our `nodes6` replies); the Tessera CLI, given only the magnet's info
// hash and one other node of ours as an `[::1]:port` bootstrap, finds the seeder, fetches the info dict over
// ut_metadata and downloads byte for byte. Then a restart finds a second seeder from the saved IPv6 table alone.
//
// Why it proves the IPv6 path: libtorrent runs no IPv4 socket at all (listen_interfaces=[::1]:port), and no IPv4
// DHT node exists in this test, so the CLI's IPv4 DHT node has nothing to bootstrap from; the peer the CLI reaches
// is [::1]:<seeder port>. Loopback rules: every node is ::1, so our nodes lift the one-node-per-IP rule
// (maxNodesPerIp; the CLI does the same when given --dht-bootstrap) and lt_client.py turns off libtorrent's
// restrict_routing_ips / restrict_search_ips; BEP 42 exempts ::1 from the id check on both sides. No DHT traffic
// leaves ::1: our nodes get explicit ::1 bootstraps, libtorrent only [::1]:port (lt_client.py refuses any other).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDht, type DhtNode } from '../../dht/node.js';
import {
  assertTreesEqual,
  freePort,
  makeTestPayload,
  makeTorrent,
  startLibtorrent,
  stopAll,
  withTimeout,
  type ClientHandle,
  type Payload,
  type ProcessHandle,
} from '../../testing/index.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

const HOST6 = '::1';
const NETWORK_SIZE = 12;

interface Fixture {
  readonly payload: Payload;
  readonly torrent: string;
  readonly infoHash: string;
}

async function fixture(root: string, name: string, seed: number): Promise<Fixture> {
  const payload = await makeTestPayload(join(root, `src-${name}`), { name, seed });
  const t = await makeTorrent({ source: payload.root, out: join(root, `${name}.torrent`), tiers: [], pieceLengthLog2: 15 });
  return { payload, torrent: t.file, infoHash: t.infoHash };
}

async function runTessera(args: string[], workDir: string, name: string, timeoutMs: number): Promise<readonly string[]> {
  const proc: ProcessHandle = startTessera(args, workDir, name);
  try {
    const exit = await withTimeout(proc.exited, timeoutMs, name);
    const lines = proc.lines();
    assert.equal(exit.code, 0, `${name} exited ${exit.code}; log ${proc.logFile}:\n${lines.slice(-40).join('\n')}`);
    return lines;
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n--- ${name} output:\n${proc.tail(60)}`);
  }
}

describe('DHT over IPv6 (BEP 32) on ::1: a bare magnet found through it', { timeout: 300_000 }, () => {
  let root = '';
  const nodes: DhtNode[] = [];
  const ports: number[] = [];
  let a: Fixture;
  let b: Fixture;
  let seedA: ClientHandle;
  let seedB: ClientHandle;

  /** Repeats a get_peers lookup from one of our nodes until libtorrent's announce over IPv6 is there. */
  async function waitAnnounced(from: DhtNode, infoHashHex: string, port: number, timeoutMs: number): Promise<void> {
    const ih = new Uint8Array(Buffer.from(infoHashHex, 'hex'));
    const deadline = Date.now() + timeoutMs;
    let last: readonly { host: string; port: number }[] = [];
    while (Date.now() < deadline) {
      last = (await withTimeout(from.lookupPeers(ih), 15_000, 'IPv6 lookup')).peers;
      if (last.some((p) => p.host === HOST6 && p.port === port)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${infoHashHex} (port ${port}) not announced over IPv6 after ${timeoutMs} ms; last lookup found ${JSON.stringify(last)}`);
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-dht6-'));
    for (let i = 0; i < NETWORK_SIZE; i++) {
      const { node, port } = await startDht({
        family: 6,
        port: 0,
        host: HOST6,
        bootstrap: i === 0 ? [] : [{ host: HOST6, port: ports[0] }],
        maxNodesPerIp: 1000,
        rpc: { queriesPerSecond: null, incomingPerSecond: null },
      });
      nodes.push(node);
      ports.push(port);
    }
    await withTimeout(Promise.all(nodes.map((n) => n.start())), 20_000, 'our IPv6 DHT nodes bootstrapped');
    // A second round so early joiners learn of later ones.
    await withTimeout(Promise.all(nodes.slice(1).map((n) => n.start())), 20_000, 'second bootstrap round');
    for (const n of nodes) assert.ok(n.nodeCount >= 8, `an IPv6 node knows only ${n.nodeCount} nodes`);
    [a, b] = await Promise.all([fixture(root, 'alpha6', 61), fixture(root, 'bravo6', 62)]);
    const viaNode = [{ host: HOST6, port: ports[0] }];
    seedA = await startLibtorrent({ role: 'seed', torrentFile: a.torrent, dataDir: join(root, 'src-alpha6'), port: await freePort(), bindAddress: HOST6, dhtBootstrap: viaNode, noTrackers: true });
    seedB = await startLibtorrent({ role: 'seed', torrentFile: b.torrent, dataDir: join(root, 'src-bravo6'), port: await freePort(), bindAddress: HOST6, dhtBootstrap: viaNode, noTrackers: true });
    await withTimeout(Promise.all([seedA.ready, seedB.ready]), 30_000, 'libtorrent IPv6 seeders ready');
  });

  after(async () => {
    await stopAll();
    for (const n of nodes) await n.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('libtorrent joins our IPv6 DHT and its announce lands with its IPv6 address', { timeout: 90_000 }, async () => {
    await waitAnnounced(nodes[NETWORK_SIZE - 1], a.infoHash, seedA.port, 60_000);
    // libtorrent answered our queries: it is in our tables as an IPv6 node.
    const known = nodes.flatMap((n) => n.save().nodes);
    assert.ok(known.every((n) => n.host === HOST6), `only ::1 nodes in the IPv6 tables: ${JSON.stringify(known.slice(0, 5))}`);
    assert.ok(nodes.some((n) => n.stats().storedPeers > 0), 'an announce_peer was stored');
    // And libtorrent learnt our nodes from the `nodes6` of our replies (its routing table grew past the one it was given).
    const ltNodes = Math.max(0, ...seedA.process.lines().map((l) => /^dht-nodes (\d+)$/.exec(l)).map((m) => (m ? Number(m[1]) : 0)));
    assert.ok(ltNodes >= 4, `libtorrent's DHT knows ${ltNodes} nodes:\n${seedA.process.tail(20)}`);
  });

  test('the Tessera CLI, bootstrapped only over IPv6, downloads a bare magnet from the libtorrent seeder it finds there', { timeout: 120_000 }, async () => {
    await waitAnnounced(nodes[NETWORK_SIZE - 2], a.infoHash, seedA.port, 60_000);
    const out = join(root, 'out-1');
    const lines = await runTessera(
      ['download', `magnet:?xt=urn:btih:${a.infoHash}`, '--out', out, '--dht-bootstrap', `[${HOST6}]:${ports[5]}`, '--no-lsd', '--json', '--verbose'],
      root,
      'tessera-dht6-magnet',
      100_000,
    );
    const summary = lastJsonLine(lines);
    assert.equal(summary.infoHash, a.infoHash);
    assert.equal(summary.complete, true);
    assert.equal(summary.totalBytes, a.payload.totalSize);
    const log = lines.join('\n');
    assert.match(log, /dht: IPv6 listening on UDP port \d+/);
    assert.match(log, /metadata verified \(\d+ bytes\)/, 'the info dict came over ut_metadata');
    assert.match(log, /new peer\(s\) from dht/, 'peers came from the DHT');
    assert.ok(
      lines.some((l) => l.startsWith(`connected to [${HOST6}]:${seedA.port} `) || l.startsWith(`connected to ${HOST6}:${seedA.port} `)),
      `connected to the libtorrent seeder at [::1]:${seedA.port}:\n${lines.filter((l) => l.startsWith('connected')).join('\n')}`,
    );
    await assertTreesEqual(a.payload.root, join(out, a.payload.name));
    // Both tables were saved on exit: the IPv6 one under v6, holding ::1 nodes.
    const saved = JSON.parse(await readFile(join(out, '.tessera', 'dht.json'), 'utf8')) as { v6?: { nodes: { host: string }[] } };
    assert.ok(saved.v6 && saved.v6.nodes.length >= 8, `dht.json holds the IPv6 table: ${JSON.stringify(saved).slice(0, 300)}`);
    assert.ok(saved.v6.nodes.every((n) => n.host === HOST6));
  });

  test('after a restart, the saved IPv6 table alone finds a second seeder (the bootstrap given answers nothing)', { timeout: 120_000 }, async () => {
    const out = join(root, 'out-1');
    for (const name of await readdir(out)) if (name !== '.tessera') await rm(join(out, name), { recursive: true, force: true });
    for (const name of await readdir(join(out, '.tessera'))) if (name !== 'dht.json') await rm(join(out, '.tessera', name), { recursive: true, force: true });
    await waitAnnounced(nodes[NETWORK_SIZE - 3], b.infoHash, seedB.port, 60_000);
    const bogus = await freePort();
    const lines = await runTessera(
      ['download', `magnet:?xt=urn:btih:${b.infoHash}`, '--out', out, '--dht-bootstrap', `[${HOST6}]:${bogus}`, '--no-lsd', '--json', '--verbose'],
      root,
      'tessera-dht6-restart',
      100_000,
    );
    const summary = lastJsonLine(lines);
    assert.equal(summary.complete, true);
    assert.match(lines.join('\n'), /dht: IPv6 listening on UDP port \d+ with the saved routing table/);
    assert.match(lines.join('\n'), /new peer\(s\) from dht/);
    assert.ok(lines.some((l) => l.startsWith(`connected to [${HOST6}]:${seedB.port} `) || l.startsWith(`connected to ${HOST6}:${seedB.port} `)), `connected to the second seeder at [::1]:${seedB.port}`);
    await assertTreesEqual(b.payload.root, join(out, b.payload.name));
  });
});
