import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import type { Torrent } from './torrent.js';
import { patternBytes as pattern, waitUntil } from '../testing/wait.js';

function waitFor(t: Torrent, cond: () => boolean, ms: number): Promise<void> {
  return waitUntil(cond, ms, () => `${t.have.count}/${t.meta.pieceCount} pieces`, () => (t.state === 'error' ? `torrent error: ${t.errorReason}` : null));
}

test('a leecher downloads a multi-file torrent from a seeder on loopback, byte for byte', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-torrent-'));
  const seedDir = join(root, 'seed');
  const leechDir = join(root, 'leech');
  const payload = join(seedDir, 'payload');
  mkdirSync(join(payload, 'sub'), { recursive: true });
  const files: Record<string, Buffer> = {
    'a.bin': pattern(300_001, 1),
    'empty.txt': Buffer.alloc(0),
    'tiny.txt': pattern(1_234, 2),
    'sub/b.bin': pattern(500_003, 3),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(payload, name), data);
  const meta = parseTorrent(await createTorrent(payload, { pieceLength: 32_768 }));

  const seeder = new Client({ host: '127.0.0.1' });
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await seeder.listen();
    await leecher.listen();
    const seed = seeder.add(meta, { downloadDir: seedDir, useTrackers: false });
    await seed.start();
    assert.equal(seed.state, 'seeding');
    const leech = leecher.add(meta, { downloadDir: leechDir, useTrackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    await leech.start();
    await waitFor(leech, () => leech.complete, 20_000);
    for (const [name, data] of Object.entries(files)) {
      const path = join(leechDir, 'payload', name);
      assert.ok(existsSync(path), `${name} exists`);
      assert.equal(statSync(path).size, data.length, `${name} size`);
      assert.ok(readFileSync(path).equals(data), `${name} content`);
    }
    assert.equal(leech.downloadMeter.total, meta.totalLength);
    assert.ok(seed.uploadMeter.total >= meta.totalLength);
  } finally {
    await leecher.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a magnet leecher fetches the metadata from the seeder, then the data', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-magnet-'));
  const seedDir = join(root, 'seed');
  mkdirSync(seedDir, { recursive: true });
  writeFileSync(join(seedDir, 'one.bin'), pattern(200_000, 9));
  const meta = parseTorrent(await createTorrent(join(seedDir, 'one.bin'), { pieceLength: 16_384 }));
  const seeder = new Client({ host: '127.0.0.1' });
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await seeder.listen();
    await leecher.listen();
    await seeder.add(meta, { downloadDir: seedDir, useTrackers: false }).start();
    const peers = [{ host: '127.0.0.1', port: seeder.port }];
    const fetched = await leecher.fetchMetadata(
      { infoHash: meta.infoHash, infoHashHex: meta.infoHashHex, trackers: [], peers, dhtNodes: [], webSeeds: [] },
      peers,
    );
    assert.equal(fetched.infoHashHex, meta.infoHashHex);
    assert.equal(fetched.name, 'one.bin');
    const leech = leecher.add(fetched, { downloadDir: join(root, 'leech'), useTrackers: false, peers });
    await leech.start();
    await waitFor(leech, () => leech.complete, 20_000);
    assert.ok(readFileSync(join(root, 'leech', 'one.bin')).equals(readFileSync(join(seedDir, 'one.bin'))));
  } finally {
    await leecher.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});
