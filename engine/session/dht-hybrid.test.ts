// The session's DHT keeps a hybrid torrent in both swarms: announced under its v1 hash and its truncated v2 hash
// (BEP 52), so a peer that knows only one of them finds us. Three nodes on 127.0.0.1, no bootstrap routers.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDht, type DhtNode, type PeerAddress } from '../dht/node.js';
import { parseTorrent } from '../metainfo/index.js';
import { buildV2, content } from '../metainfo/test-v2-torrents.js';
import { systemClock } from '../common/clock.js';
import { SessionDht } from './dht.js';
import type { Entry } from './entry.js';

const HOST = '127.0.0.1';
const PORT = 40_777;

test('a hybrid torrent is announced on the DHT under both its hashes', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-dht-hybrid-'));
  const nodes: DhtNode[] = [];
  const ours = new SessionDht(join(dir, 'dht.json'), () => undefined);
  const meta = parseTorrent(buildV2('hy', [{ path: ['a.bin'], data: content(20_000, 3) }], 16_384, { hybrid: true }));
  // Only what SessionDht reads of an entry: a running torrent with its metainfo.
  const entry = { id: meta.infoHashHex, meta, magnet: null, torrent: { addPeers: () => undefined }, fetch: null, dhtHandle: null } as unknown as Entry;
  // The DHT's sockets and timers are unref'd: keep the test's event loop alive while it waits on them.
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    const { node: hub, port: hubPort } = await startDht({ port: 0, host: HOST, bootstrap: [], maxNodesPerIp: 100 });
    nodes.push(hub);
    const bootstrap = [{ host: HOST, port: hubPort }];
    await ours.start({ port: 0, host: HOST, bootstrap, maxNodesPerIp: 100, clock: systemClock }, []);
    const seeker = (await startDht({ port: 0, host: HOST, bootstrap, maxNodesPerIp: 100 })).node;
    nodes.push(seeker);
    ours.track(entry, PORT);
    const found = async (hash: Uint8Array): Promise<boolean> => {
      const peers: PeerAddress[] = [...(await seeker.lookupPeers(hash)).peers];
      return peers.some((p) => p.port === PORT);
    };
    const v2 = meta.infoHashV2!.subarray(0, 20);
    const deadline = Date.now() + 20_000;
    let v1Found = false;
    let v2Found = false;
    while (!(v1Found && v2Found) && Date.now() < deadline) {
      v1Found ||= await found(meta.infoHash);
      v2Found ||= await found(v2);
      if (!(v1Found && v2Found)) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(v1Found, 'our peer not found under the v1 info hash');
    assert.ok(v2Found, 'our peer not found under the truncated v2 info hash');
  } finally {
    clearInterval(keepAlive);
    ours.untrack(entry);
    await ours.stop([]);
    await Promise.all(nodes.map((n) => n.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
