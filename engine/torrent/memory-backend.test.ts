// A Torrent downloads into a second Storage backend (memory) with nothing changed in the torrent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { dialPeer } from '../net/dial.js';
import { systemClock } from '../common/clock.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { makePeerId } from '../wire/index.js';
import { Torrent } from './torrent.js';
import { patternBytes, waitUntil } from '../testing/wait.js';

test('a torrent on a memory storage downloads from a seeder on loopback', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-memory-'));
  const data = patternBytes(400_000, 7);
  mkdirSync(join(root, 'seed'));
  writeFileSync(join(root, 'seed', 'one.bin'), data);
  const meta = parseTorrent(await createTorrent(join(root, 'seed', 'one.bin'), { pieceLength: 32_768 }));
  const seeder = new Client({ host: '127.0.0.1' });
  const storage = new MemoryStorage(meta);
  const leech = new Torrent({
    meta,
    downloadDir: join(root, 'never-written'),
    storage,
    peerId: makePeerId(),
    listenPort: () => 0,
    clock: systemClock,
    dial: (host, port) => dialPeer(host, port, meta.infoHash, 'prefer'),
    useTrackers: false,
  });
  try {
    await seeder.listen();
    await seeder.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false }).start();
    await leech.start();
    leech.addPeers([{ host: '127.0.0.1', port: seeder.port }], 'the test');
    await waitUntil(() => leech.complete, 20_000, () => `${leech.have.count}/${meta.pieceCount} pieces`);
    const out = Buffer.alloc(data.length);
    for (let p = 0; p < meta.pieceCount; p++) await storage.readBlock(p, 0, storage.geometry.pieceSize(p), out, storage.geometry.pieceOffset(p));
    assert.ok(out.equals(data));
  } finally {
    await leech.stop();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});
