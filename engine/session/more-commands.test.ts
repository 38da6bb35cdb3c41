// Create a torrent and seed it, edit its trackers (and the new one is announced to), reannounce, ban a peer: through the protocol.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorrent } from '../metainfo/index.js';
import { startTracker, type LocalTracker } from '../testing/tracker.js';
import { patternBytes } from '../testing/wait.js';
import { Client } from './client.js';
import { SessionHarness } from './test-harness.js';

let root: string;
let tracker: LocalTracker;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tessera-more-'));
  tracker = await startTracker({ intervalSeconds: 60 });
});

after(async () => {
  await tracker?.close();
  rmSync(root, { recursive: true, force: true });
});

test('createTorrent hashes a folder with progress notices, keeps the tiers, adds it and seeds; a leecher downloads it', { timeout: 60_000 }, async () => {
  const album = join(root, 'album');
  mkdirSync(album, { recursive: true });
  writeFileSync(join(album, 'a.bin'), patternBytes(700_000, 3));
  writeFileSync(join(album, 'b.bin'), patternBytes(300_000, 4));
  const h = await SessionHarness.open();
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    const tiers = [[tracker.httpUrl, 'udp://127.0.0.1:9/announce'], ['http://127.0.0.1:9/other']];
    const r = await h.send({ type: 'createTorrent', path: album, trackers: tiers, webSeeds: [], pieceLength: null, private: false, comment: 'made here', format: 'hybrid', seed: true });
    const meta = parseTorrent(r.torrent);
    assert.equal(r.infoHash, meta.infoHashHex);
    assert.deepEqual(meta.announce, tiers, 'the tiers as given');
    assert.equal(meta.comment, 'made here');
    assert.ok(r.id);
    await h.until(() => h.notices.some((n) => n.type === 'createProgress' && n.path === album && n.hashedBytes === n.totalBytes && n.totalBytes === 1_000_000), 'a final createProgress notice');
    await h.until(() => h.get(r.id!).state === 'seeding', 'the created torrent seeds from where its files are', 30_000);
    await leecher.listen();
    const t = leecher.add(meta, { downloadDir: join(root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port: h.session.port }] });
    await t.start();
    const deadline = Date.now() + 30_000;
    while (!t.complete && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.ok(t.complete, 'the leecher got every piece');
    await assert.rejects(h.send({ type: 'createTorrent', path: album, trackers: [], webSeeds: [], pieceLength: null, private: false, comment: '', format: 'v2', seed: true }), /v2-only torrents cannot be seeded yet/);
  } finally {
    await leecher.close();
    await h.close();
  }
});

test('trackers set through setTorrentOptions are kept, shown by getInfo, and the added one is announced to; reannounce and banPeer answer', { timeout: 60_000 }, async () => {
  const src = join(root, 'single');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'one.bin'), patternBytes(200_000, 7));
  const h = await SessionHarness.open();
  const peer = new Client({ host: '127.0.0.1' });
  try {
    const r = await h.send({ type: 'createTorrent', path: join(src, 'one.bin'), trackers: [['http://127.0.0.1:9/dead']], webSeeds: [], pieceLength: null, private: false, comment: '', format: 'v1', seed: true });
    const id = r.id!;
    await h.until(() => h.get(id).state === 'seeding', 'seeding');
    const before = tracker.announces.length;
    await h.send({ type: 'setTorrentOptions', id, options: { trackers: [[tracker.httpUrl], ['http://127.0.0.1:9/dead']] } });
    const info = await h.send({ type: 'getInfo', id });
    assert.deepEqual(info.trackers, [[tracker.httpUrl], ['http://127.0.0.1:9/dead']]);
    await h.until(() => tracker.announces.slice(before).some((a) => a.infoHash === id), 'the new tracker is announced to');
    await h.send({ type: 'reannounce', ids: [id] });

    // A peer connects; banning it closes the connection and it stays out.
    await peer.listen();
    const meta = parseTorrent(r.torrent);
    const slow = peer.add(meta, { downloadDir: join(root, 'peer'), useTrackers: false, peers: [{ host: '127.0.0.1', port: h.session.port }] });
    // Slow, so it stays a leecher (two seeds would part on their own).
    slow.setLimits({ download: 2_000 });
    await slow.start();
    await h.send({ type: 'subscribe', id, topics: ['peers'] });
    await h.until(() => h.details?.peers?.length === 1, 'the peer is connected and listed');
    // As the Peers tab does: the address it lists.
    const ban = await h.send({ type: 'banPeer', id, peer: h.details!.peers![0].address });
    assert.equal(ban.disconnected, 1);
    await h.until(() => h.get(id).peers === 0, 'the banned peer is gone');

    // Restarted, the record still names the edited trackers.
    await h.send({ type: 'pause', ids: [id] });
    await h.until(() => h.get(id).state === 'paused', 'paused');
  } finally {
    await peer.close();
    await h.close(false);
  }
  const again = await SessionHarness.open({ dataDir: h.dataDir, downloadDir: h.downloadDir });
  try {
    const id = [...again.list.keys()][0];
    assert.deepEqual((await again.send({ type: 'getInfo', id })).trackers, [[tracker.httpUrl], ['http://127.0.0.1:9/dead']], 'kept in the resume record');
  } finally {
    await again.close();
    rmSync(join(h.dataDir, '..'), { recursive: true, force: true });
  }
});
