import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { startHostilePeer } from '../testing/hostile-peer.js';
import { patternBytes, waitUntil as until } from '../testing/wait.js';

const pattern = (n: number): Buffer => patternBytes(n, 5);

test('corrupt data fails the hash, the piece is fetched again from an honest peer, and the liar is banned', { timeout: 40_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-hostile-'));
  const data = pattern(400_000);
  mkdirSync(join(root, 'seed'), { recursive: true });
  writeFileSync(join(root, 'seed', 'data.bin'), data);
  const meta = parseTorrent(await createTorrent(join(root, 'seed', 'data.bin'), { pieceLength: 32_768 }));
  const liar = await startHostilePeer(meta.infoHash, meta.pieceCount, 'corrupt-blocks');
  const seeder = new Client({ host: '127.0.0.1' });
  const leecher = new Client({ host: '127.0.0.1' });
  const log: string[] = [];
  try {
    await seeder.listen();
    await leecher.listen();
    await seeder.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false }).start();
    // The liar is dialled first and answers instantly, so it gets requests before the honest peer.
    const leech = leecher.add(meta, {
      downloadDir: join(root, 'leech'),
      useTrackers: false,
      peers: [{ host: '127.0.0.1', port: liar.port }],
      events: { onLog: (l) => log.push(l) },
    });
    await leech.start();
    await until(() => liar.garbageBlocksSent() > 0, 10_000, () => 'liar never asked for a block');
    leech.addPeers([{ host: '127.0.0.1', port: seeder.port }], 'test');
    await until(() => leech.complete, 30_000, () => `${leech.have.count}/${meta.pieceCount}; log:\n${log.join('\n')}`);
    assert.ok(readFileSync(join(root, 'leech', 'data.bin')).equals(data), 'file verifies byte for byte');
    assert.ok(log.some((l) => /failed its hash check/.test(l)), 'a hash failure was logged');
    assert.ok(log.some((l) => l.includes(`banned 127.0.0.1:${liar.port}`)), 'the liar was banned');
    assert.ok(leech.addressBook.isBanned('127.0.0.1', liar.port));
    assert.ok(!leech.addressBook.isBanned('127.0.0.1', seeder.port), 'the honest peer is not banned');
    assert.ok(leech.wastedBytes > 0);
  } finally {
    await leecher.close();
    await seeder.close();
    await liar.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a peer announcing an oversized message is dropped', { timeout: 15_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-hostile-'));
  mkdirSync(join(root, 'seed'), { recursive: true });
  writeFileSync(join(root, 'seed', 'x.bin'), pattern(50_000));
  const meta = parseTorrent(await createTorrent(join(root, 'seed', 'x.bin'), { pieceLength: 16_384 }));
  const bad = await startHostilePeer(meta.infoHash, meta.pieceCount, 'oversized-message');
  const leecher = new Client({ host: '127.0.0.1' });
  const log: string[] = [];
  try {
    await leecher.listen();
    const leech = leecher.add(meta, {
      downloadDir: join(root, 'leech'),
      useTrackers: false,
      peers: [{ host: '127.0.0.1', port: bad.port }],
      events: { onLog: (l) => log.push(l) },
    });
    await leech.start();
    await until(() => log.some((l) => /disconnected .*exceeds/.test(l)), 10_000, () => log.join('\n'));
    assert.equal(leech.peers.size, 0);
    assert.equal(leech.state, 'downloading', 'the torrent keeps running');
  } finally {
    await leecher.close();
    await bad.close();
    rmSync(root, { recursive: true, force: true });
  }
});
