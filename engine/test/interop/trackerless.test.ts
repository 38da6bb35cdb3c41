// Trackerless torrents, proven against clients we did not write, all on 127.0.0.1:
//  1. a private Mainline DHT (20 bittorrent-dht nodes from npm + libtorrent sessions, all bootstrapped on loopback);
//     a libtorrent seeder announces a torrent with no trackers; the Tessera CLI, given only the magnet's info hash and
//     one bootstrap node, finds it through the DHT, fetches the info dict over ut_metadata and downloads it;
//  2. the other way: an in-process Tessera Session seeds into the same DHT and a libtorrent magnet leecher finds it;
//  3. the routing table Tessera saved on exit finds a second seeder after a restart whose bootstrap node is gone;
//  4. hostile ut_metadata peers (malformed or oversized pieces, an absurd size, a forged but well-formed info dict)
//     cost only their own connections: the info dict still comes from the honest peer.
// No DHT node here ever contacts anything but 127.0.0.1: bittorrent-dht gets `bootstrap` explicitly, libtorrent gets
// dht_bootstrap_nodes=127.0.0.1:<port> (lt_client.py refuses any other), Tessera gets --dht-bootstrap / dht.bootstrap.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import DHT, { type DhtPeer } from 'bittorrent-dht';
import { btLookup, destroy, listen, ready } from './bt-dht.js';
import {
  assertTreesEqual,
  freePort,
  makeTestPayload,
  makeTorrent,
  startLibtorrent,
  stopAll,
  waitUntil,
  withTimeout,
  type ClientHandle,
  type Payload,
  type ProcessHandle,
} from '../../testing/index.js';
import { startHostilePeer, type HostileBehaviour, type HostilePeer } from '../../testing/hostile-peer.js';
import { Session } from '../../session/session.js';
import { Client } from '../../session/client.js';
import { parseMagnet, parseTorrent } from '../../metainfo/index.js';
import type { EngineEvent, TorrentSummary } from '../../api/types.js';
import { lastJsonLine, startTessera } from './tessera-process.js';

const HOST = '127.0.0.1';
const DHT_SIZE = 20;


/** Repeats bittorrent-dht lookups until one returns `port` on 127.0.0.1 for the info hash: the announce has landed. */
async function waitAnnounced(d: DHT, infoHashHex: string, port: number | null, timeoutMs: number): Promise<DhtPeer[]> {
  const deadline = Date.now() + timeoutMs;
  let last: DhtPeer[] = [];
  while (Date.now() < deadline) {
    last = await withTimeout(btLookup(d, infoHashHex), 10_000, 'bittorrent-dht lookup');
    if (last.some((p) => p.host === HOST && (port === null || p.port === port))) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${infoHashHex} (port ${port}) not announced in the DHT after ${timeoutMs} ms; last lookup found ${JSON.stringify(last)}`);
}

async function runTessera(args: string[], workDir: string, name: string, timeoutMs: number): Promise<{ proc: ProcessHandle; lines: readonly string[] }> {
  const proc = startTessera(args, workDir, name);
  try {
    const exit = await withTimeout(proc.exited, timeoutMs, `${name}`);
    const lines = proc.lines();
    assert.equal(exit.code, 0, `${name} exited ${exit.code}; log ${proc.logFile}:\n${lines.slice(-40).join('\n')}`);
    return { proc, lines };
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n--- ${name} output:\n${proc.tail(60)}`);
  }
}

const timings: string[] = [];
async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    const line = `${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    timings.push(line);
    console.log(`# ${line}`);
  }
}

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

describe('trackerless: a private DHT on loopback', { timeout: 300_000 }, () => {
  let root = '';
  const nodes: DHT[] = [];
  let bootstrapPort = 0;
  let a: Fixture;
  let b: Fixture;
  let c: Fixture;
  let seedA: ClientHandle;
  let seedB: ClientHandle;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-trackerless-'));
    const first = new DHT({ bootstrap: false });
    nodes.push(first);
    bootstrapPort = await listen(first);
    for (let i = 1; i < DHT_SIZE; i++) {
      const d = new DHT({ bootstrap: [`${HOST}:${bootstrapPort}`] });
      nodes.push(d);
      await listen(d);
    }
    await withTimeout(Promise.all(nodes.slice(1).map(ready)), 15_000, 'bittorrent-dht nodes ready');
    [a, b, c] = await Promise.all([fixture(root, 'alpha', 11), fixture(root, 'bravo', 12), fixture(root, 'charlie', 13)]);
    // Two libtorrent seeders with the DHT on, bootstrapped from a node that is not the one Tessera is given.
    const viaNode = [{ host: HOST, port: nodes[1].address().port }];
    seedA = await startLibtorrent({ role: 'seed', torrentFile: a.torrent, dataDir: join(root, 'src-alpha'), port: await freePort(), dhtBootstrap: viaNode, noTrackers: true });
    seedB = await startLibtorrent({ role: 'seed', torrentFile: b.torrent, dataDir: join(root, 'src-bravo'), port: await freePort(), dhtBootstrap: viaNode, noTrackers: true });
    await withTimeout(Promise.all([seedA.ready, seedB.ready]), 30_000, 'libtorrent seeders ready');
  });

  after(async () => {
    await stopAll();
    await Promise.all(nodes.map(destroy));
    if (timings.length) console.log(`# timings:\n#   ${timings.join('\n#   ')}`);
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('Tessera downloads a magnet (info hash only) from a libtorrent seeder it finds through the DHT', { timeout: 120_000 }, async () => {
    // The seeder's announce must have reached the DHT: a far node of the network finds it.
    await timed('1. libtorrent seeder announced into the DHT', () => waitAnnounced(nodes[DHT_SIZE - 2], a.infoHash, seedA.port, 60_000));
    const out = join(root, 'out-1');
    const { lines } = await timed('1. Tessera magnet download via DHT (CLI, 4.3 MB)', () =>
      runTessera(['download', `magnet:?xt=urn:btih:${a.infoHash}`, '--out', out, '--dht-bootstrap', `${HOST}:${bootstrapPort}`, '--json', '--verbose'], root, 'tessera-dht-magnet', 90_000),
    );
    const summary = lastJsonLine(lines);
    assert.equal(summary.infoHash, a.infoHash);
    assert.equal(summary.complete, true);
    assert.equal(summary.totalBytes, a.payload.totalSize);
    const log = lines.join('\n');
    assert.match(log, /metadata verified \(\d+ bytes\)/, 'the info dict came over ut_metadata');
    assert.match(log, /new peer\(s\) from dht/, 'peers came from the DHT');
    assert.ok(lines.some((l) => l.startsWith(`connected to ${HOST}:${seedA.port} `)), `connected to the libtorrent seeder at ${seedA.port}`);
    await assertTreesEqual(a.payload.root, join(out, a.payload.name));
    // The routing table was saved on exit, for test 3.
    const saved = JSON.parse(await readFile(join(out, '.tessera', 'dht.json'), 'utf8')) as unknown;
    assert.ok(saved && typeof saved === 'object', 'dht.json holds the routing table');
  });

  test('a libtorrent magnet leecher finds a Tessera seeder through the DHT and downloads from it', { timeout: 120_000 }, async () => {
    const logs: string[] = [];
    let list = new Map<string, TorrentSummary>();
    const onEvent = (e: EngineEvent): void => {
      if (e.kind === 'snapshot') list = new Map(e.torrents.map((t) => [t.id, t]));
      else if (e.kind === 'batch') for (const t of e.added) list.set(t.id, t);
    };
    const session = await Session.open({
      dataDir: join(root, 'tessera-seeder-session'),
      defaultDownloadDir: join(root, 'src-charlie'),
      onEvent,
      listenHost: HOST,
      listenPort: 0,
      dht: { bootstrap: [{ host: HOST, port: nodes[2].address().port }], maxNodesPerIp: 64 },
      log: (line) => logs.push(line),
    });
    let leech: ClientHandle | null = null;
    try {
      const reply = await session.request({
        kind: 'request',
        requestId: 1,
        command: { type: 'add', source: { kind: 'torrent', data: new Uint8Array(await readFile(c.torrent)) }, savePath: join(root, 'src-charlie') },
      });
      assert.ok(reply.ok, `add: ${JSON.stringify(reply)}`);
      await waitUntil(() => logs.some((l) => /checked existing data: (\d+)\/\1 pieces verified/.test(l)), 30_000, () => `Tessera seeder never verified its data:\n${logs.join('\n')}`);
      const dhtPort = Number(/dht: listening on UDP port (\d+)/.exec(logs.join('\n'))?.[1]);
      assert.ok(dhtPort > 0, `the DHT started:\n${logs.join('\n')}`);
      await timed('2. Tessera seeder announced into the DHT', () => waitAnnounced(nodes[DHT_SIZE - 4], c.infoHash, dhtPort, 60_000));
      const leechDir = join(root, 'lt-leech-charlie');
      leech = await startLibtorrent({
        role: 'leech',
        torrentFile: '',
        magnet: `magnet:?xt=urn:btih:${c.infoHash}`,
        dataDir: leechDir,
        port: await freePort(),
        dhtBootstrap: [{ host: HOST, port: nodes[3].address().port }],
        logPeers: true,
      });
      const l = leech;
      await timed('2. libtorrent magnet download from Tessera via DHT', () => withTimeout(l.done, 90_000, `libtorrent leecher; output:\n${l.process.tail(40)}`));
      assert.ok(l.process.lines().includes('metadata'), 'libtorrent got the info dict over ut_metadata');
      assert.ok(
        l.process.lines().some((x) => x.startsWith(`peer-connected ${HOST}:${dhtPort} `)),
        `libtorrent connected to Tessera at ${dhtPort}:\n${l.process.tail(40)}`,
      );
      await assertTreesEqual(c.payload.root, join(leechDir, c.payload.name));
    } finally {
      await leech?.stop();
      await session.close();
    }
  });

  test('after a restart, the saved routing table finds a seeder though the bootstrap node is gone', { timeout: 120_000 }, async () => {
    const out = join(root, 'out-1');
    // Keep only the saved routing table from the first run: its download and resume data go.
    for (const name of await readdir(out)) if (name !== '.tessera') await rm(join(out, name), { recursive: true, force: true });
    for (const name of await readdir(join(out, '.tessera'))) if (name !== 'dht.json') await rm(join(out, '.tessera', name), { recursive: true, force: true });
    assert.deepEqual(await readdir(join(out, '.tessera')), ['dht.json']);
    // The bootstrap node of the first run stops; the new run is given a port where nothing answers.
    await destroy(nodes[0]);
    const bogus = await freePort();
    await timed('3. second libtorrent seeder announced into the DHT', () => waitAnnounced(nodes[DHT_SIZE - 3], b.infoHash, seedB.port, 60_000));
    const { lines } = await timed('3. Tessera magnet download after restart (saved table, dead bootstrap)', () =>
      runTessera(['download', `magnet:?xt=urn:btih:${b.infoHash}`, '--out', out, '--dht-bootstrap', `${HOST}:${bogus}`, '--json', '--verbose'], root, 'tessera-dht-restart', 90_000),
    );
    const summary = lastJsonLine(lines);
    assert.equal(summary.infoHash, b.infoHash);
    assert.equal(summary.complete, true);
    const log = lines.join('\n');
    assert.match(log, /dht: listening on UDP port \d+ with the saved routing table/);
    assert.match(log, /new peer\(s\) from dht/);
    assert.ok(lines.some((l) => l.startsWith(`connected to ${HOST}:${seedB.port} `)), `connected to the second seeder at ${seedB.port}`);
    await assertTreesEqual(b.payload.root, join(out, b.payload.name));
  });
});

describe('trackerless: hostile ut_metadata peers', { timeout: 150_000 }, () => {
  let root = '';
  const hostile: HostilePeer[] = [];
  let real: Fixture;
  let realInfo: Uint8Array;
  let sameSize: Buffer;
  let otherInfo: Uint8Array;
  let infoHash: Buffer;
  let honest: ClientHandle;
  const describePeers = (): string => hostile.map((h) => `${h.connections()}c/${h.metadataRequests()}r`).join(' ');

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-hostile-meta-'));
    real = await fixture(root, 'delta', 21);
    realInfo = parseTorrent(new Uint8Array(await readFile(real.torrent))).infoBytes;
    infoHash = Buffer.from(real.infoHash, 'hex');
    assert.equal(createHash('sha1').update(realInfo).digest('hex'), real.infoHash);
    // Well-formed info dicts that are not the one the info hash names: the same torrent under another name (same
    // size: every piece passes the size checks, only the final hash can tell), and a different, bigger torrent.
    sameSize = Buffer.from(realInfo);
    const at = sameSize.indexOf(Buffer.from('5:delta'));
    assert.ok(at > 0);
    sameSize.write('5:omega', at, 'latin1');
    const other = await fixture(root, 'echoechoecho', 22);
    otherInfo = parseTorrent(new Uint8Array(await readFile(other.torrent))).infoBytes;
    assert.notEqual(otherInfo.length, realInfo.length);
    honest = await startLibtorrent({ role: 'seed', torrentFile: real.torrent, dataDir: join(root, 'src-delta'), port: await freePort(), noTrackers: true });
    await withTimeout(honest.ready, 30_000, 'honest libtorrent seeder');
  });

  after(async () => {
    for (const h of hostile) await h.close();
    await stopAll();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Starts a metadata fetch from `liars` alone, waits for `liarsDone`, then tells it about the honest peer. */
  async function fetchPastLiars(label: string, liars: HostilePeer[], liarsDone: (logs: readonly string[]) => boolean): Promise<string[]> {
    const client = new Client({ host: HOST, port: 0 });
    await client.listen();
    const logs: string[] = [];
    try {
      const magnet = parseMagnet(`magnet:?xt=urn:btih:${real.infoHash}`);
      // The liars first, alone: they announce their sizes and answer before the honest peer is known.
      const pending = client.fetchMetadataCancellable(magnet, liars.map((h) => ({ host: HOST, port: h.port })), (l) => logs.push(l));
      await timed(`5${label}. hostile peers had their say`, () => waitUntil(() => liarsDone(logs), 20_000, () => `hostile peers: ${describePeers()}\n${logs.join('\n')}`));
      pending.fetch.addPeers([{ host: HOST, port: honest.port }]);
      const meta = await timed(`5${label}. metadata from the honest peer after the hostile ones`, () =>
        withTimeout(pending.result, 30_000, `metadata fetch; log:\n${logs.join('\n')}\nhostile: ${describePeers()}`),
      );
      assert.equal(Buffer.from(meta.infoHash).toString('hex'), real.infoHash);
      assert.deepEqual(Buffer.from(meta.infoBytes), Buffer.from(realInfo));
      assert.equal(meta.name, 'delta');
      return logs;
    } finally {
      await client.close();
    }
  }

  // Regression (was its own file): a peer that lies about the metadata size and answers first locked the
  // magnet out of the real info dict for good.
  test('regression: a forged info dict of another size, answered first, does not lock the fetch out of the real one', { timeout: 60_000 }, async () => {
    const liar = await startHostilePeer(infoHash, 1, 'metadata-serve', { metadata: otherInfo });
    hostile.push(liar);
    await fetchPastLiars('b', [liar], (l) => l.some((x) => x.includes('did not match the info hash')));
    await liar.close();
  });

  test('malformed, oversized and same-size forged metadata cost only their peers', { timeout: 60_000 }, async () => {
    const behaviours: [HostileBehaviour, Uint8Array][] = [
      ['metadata-wrong-length', realInfo],
      ['metadata-bad-bencode', realInfo],
      ['metadata-oversized-message', realInfo],
      ['metadata-huge-size', realInfo],
      ['metadata-serve', sameSize],
    ];
    const liars: HostilePeer[] = [];
    for (const [behaviour, metadata] of behaviours) liars.push(await startHostilePeer(infoHash, 1, behaviour, { metadata }));
    hostile.push(...liars);
    const logs = await fetchPastLiars('a', liars, (l) =>
      // Each was connected; all but the one with the absurd size were asked for a piece and answered; the forgery was caught.
      liars.every((h, i) => h.connections() > 0 && (i === 3 || h.metadataRequests() > 0)) && l.some((x) => x.includes('did not match the info hash')),
    );
    assert.ok(logs.some((l) => l.includes('did not match the info hash')), 'the same-size forgery was caught by the hash check');
    for (const l of liars) await l.close();
  });
});
