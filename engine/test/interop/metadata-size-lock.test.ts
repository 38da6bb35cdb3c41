// Regression: a peer that lies about the metadata size (and answers first) must not lock a magnet
// out of the real info dict; the honest peer added afterwards still delivers it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, makeTestPayload, makeTorrent, startLibtorrent, stopAll, waitUntil, withTimeout, type ClientHandle, type Payload } from '../../testing/index.js';
import { startHostilePeer, type HostilePeer } from '../../testing/hostile-peer.js';
import { Client } from '../../session/client.js';
import { parseMagnet, parseTorrent } from '../../metainfo/index.js';

const HOST = '127.0.0.1';

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

describe('metadata fetch: a forged size must not lock out the real info dict (regression)', { timeout: 150_000 }, () => {
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
      await waitUntil(() => liarsDone(logs), 20_000, () => `hostile peers: ${describePeers()}\n${logs.join('\n')}`);
      pending.fetch.addPeers([{ host: HOST, port: honest.port }]);
      const meta = await withTimeout(pending.result, 30_000, `metadata fetch (${label}); log:\n${logs.join('\n')}\nhostile: ${describePeers()}`);
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
