// A v2 magnet fetches its piece layers from a peer once; the session keeps them in the stored .torrent, so after
// a restart, with that peer gone, a recheck still verifies every piece by merkle tree (no layers: it could not).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { patternBytes } from '../testing/wait.js';
import { Client } from './client.js';
import { SessionHarness } from './test-harness.js';

const FILES: [string, number][] = [
  ['a.bin', 100_003],
  ['one.byte', 1],
  ['sub/c.bin', 70_001],
];

test('a v2 magnet keeps the piece layers it fetched: saved with the torrent, enough to verify after a restart without peers', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-v2-layers-'));
  const content = join(root, 'seed', 'content');
  FILES.forEach(([name, size], i) => {
    mkdirSync(join(content, name, '..'), { recursive: true });
    writeFileSync(join(content, name), patternBytes(size, 3 + i));
  });
  const meta = parseTorrent(await createTorrent(content, { pieceLength: 32_768, format: 'v2', creationDate: null }));
  assert.equal(meta.pieceLayers?.size, 2, 'two files longer than a piece');
  const seeder = new Client({ host: '127.0.0.1' });
  const dataDir = join(root, 'data');
  const downloadDir = join(root, 'dl');
  let h: SessionHarness | null = null;
  try {
    await seeder.listen();
    await seeder.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false }).start();
    h = await SessionHarness.open({ dataDir, downloadDir });
    const uri = `magnet:?xt=urn:btmh:1220${meta.infoHashV2Hex}&dn=content&x.pe=127.0.0.1:${seeder.port}`;
    const { id } = await h.send({ type: 'add', source: { kind: 'magnet', uri } });
    const first = h;
    await first.until(() => first.list.get(id)?.progress === 1, 'downloaded', 30_000);
    await first.until(() => first.log.some((l) => /piece layers saved with the torrent \(2 files\)/.test(l)), 'layers saved', 5_000);
    assert.ok(first.log.some((l) => /piece layer of file \d+ received from peers/.test(l)), 'the layers came from the peer');
    await first.close(false);
    h = null;
    await seeder.close();

    const stored = parseTorrent(readFileSync(join(dataDir, 'torrents', `${id}.torrent`)));
    assert.equal(stored.infoHashV2Hex, meta.infoHashV2Hex);
    for (const [rootHex, layer] of meta.pieceLayers!) assert.ok(Buffer.from(stored.pieceLayers?.get(rootHex) ?? []).equals(layer), `layer ${rootHex} stored`);

    h = await SessionHarness.open({ dataDir, downloadDir });
    const second = h;
    await second.until(() => second.list.has(id), 'restored');
    const checkedBefore = second.log.filter((l) => l.includes('checked existing data')).length;
    await second.send({ type: 'recheck', ids: [id] });
    // the full recheck reads every piece and verifies it by tree: all of them, with no peer to ask for layers
    const pieces = `${meta.pieceCount}/${meta.pieceCount} pieces verified`;
    await second.until(() => second.log.filter((l) => l.includes('checked existing data')).length > checkedBefore, 'recheck done', 20_000);
    assert.ok(second.log.filter((l) => l.includes('checked existing data')).at(-1)?.includes(pieces), second.log.filter((l) => l.includes('checked')).join('\n'));
    await second.until(() => second.list.get(id)?.state === 'seeding' && second.list.get(id)?.progress === 1, 'seeding again', 20_000);
  } finally {
    await h?.close(false);
    await seeder.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
});
