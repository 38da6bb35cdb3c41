import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { patternBytes as pattern } from '../testing/wait.js';

// A magnet's metadata fetch talks to peers before any torrent runs; their `yourip` must reach the
// external-address vote as a running torrent's peers' does (issue 12).
test("a magnet's metadata fetch passes the peers' yourip on to the external address", { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-fetch-yourip-'));
  const seedDir = join(root, 'seed');
  mkdirSync(seedDir, { recursive: true });
  writeFileSync(join(seedDir, 'one.bin'), pattern(40_000, 3));
  const meta = parseTorrent(await createTorrent(join(seedDir, 'one.bin'), { pieceLength: 16_384 }));
  const seeder = new Client({ host: '127.0.0.1' });
  const leecher = new Client({ host: '127.0.0.1' });
  const said: [string, string][] = [];
  const peerSays = leecher.endpoint.peerSays.bind(leecher.endpoint);
  leecher.endpoint.peerSays = (ip, peerHost) => {
    said.push([ip, peerHost]);
    peerSays(ip, peerHost);
  };
  try {
    await seeder.listen();
    await leecher.listen();
    await seeder.add(meta, { downloadDir: seedDir, useTrackers: false }).start();
    const peers = [{ host: '127.0.0.1', port: seeder.port }];
    const fetched = await leecher.fetchMetadata({ infoHash: meta.infoHash, infoHashHex: meta.infoHashHex, trackers: [], peers, dhtNodes: [], webSeeds: [] }, peers);
    assert.equal(fetched.infoHashHex, meta.infoHashHex);
    // The seeder sees us at 127.0.0.1 and says so in its extended handshake.
    assert.deepEqual(said, [['127.0.0.1', '127.0.0.1']]);
  } finally {
    await leecher.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});
