// NOT COMMITTED: fails on main (MetadataFetch keeps a liar's metadata_size after the hash check fails).
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

function listen(d: DHT): Promise<number> {
  return new Promise((resolve) => d.listen(0, HOST, () => resolve(d.address().port)));
}

function ready(d: DHT): Promise<void> {
  return new Promise((resolve) => (d.ready ? resolve() : d.on('ready', () => resolve())));
}

function destroy(d: DHT): Promise<void> {
  return new Promise((resolve) => d.destroy(() => resolve()));
}

/** One bittorrent-dht get_peers lookup; the peers it reported for `infoHashHex`. */
function btLookup(d: DHT, infoHashHex: string): Promise<DhtPeer[]> {
  return new Promise((resolve, reject) => {
    const found: DhtPeer[] = [];
    const onPeer = (peer: DhtPeer, ih: Uint8Array): void => {
      if (Buffer.from(ih).toString('hex') === infoHashHex) found.push(peer);
    };
    d.on('peer', onPeer);
    d.lookup(infoHashHex, (err) => {
      d.off('peer', onPeer);
      if (err) reject(err);
      else resolve(found);
    });
  });
}

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

describe('metadata fetch: a forged size must not lock out the real info dict (engine bug, see report)', { timeout: 150_000 }, () => {
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

  test('a forged info dict of another size, answered first, does not lock the fetch out of the real one', { timeout: 60_000 }, async () => {
    const liar = await startHostilePeer(infoHash, 1, 'metadata-serve', { metadata: otherInfo });
    hostile.push(liar);
    await fetchPastLiars('b', [liar], (l) => l.some((x) => x.includes('did not match the info hash')));
    await liar.close();
  });
});
