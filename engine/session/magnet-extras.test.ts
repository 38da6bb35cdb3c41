// Magnet extras through the protocol: dn= names the torrent before its metadata, x.pe= gives the peer, so= (BEP 53)
// selects the files, ws= adds a web seed that is used, shown, and kept across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { RangeServer } from '../testing/range-server.js';
import { patternBytes } from '../testing/wait.js';
import { Client } from './client.js';
import { SessionHarness } from './test-harness.js';

test('a magnet with dn, x.pe, so and ws: named at once, only the selected files, the web seed used and kept', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-magnet-extras-'));
  const payload = join(root, 'srv', 'pay');
  mkdirSync(payload, { recursive: true });
  const files = ['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin'].map((name, i) => ({ name, data: patternBytes(150_000 + i * 10_001, 20 + i) }));
  for (const f of files) writeFileSync(join(payload, f.name), f.data);
  const meta = parseTorrent(await createTorrent(payload, { pieceLength: 16_384 }));
  const seeder = new Client({ host: '127.0.0.1' });
  const web = new RangeServer({ root: join(root, 'srv') });
  const dataDir = join(root, 'data');
  let h: SessionHarness | null = null;
  try {
    await seeder.listen();
    // A slow peer, so the web seed has something left to do.
    seeder.setGlobalLimits({ upload: 100_000 });
    await seeder.add(meta, { downloadDir: join(root, 'srv'), useTrackers: false }).start();
    await web.listen();
    const uri = `magnet:?xt=urn:btih:${meta.infoHashHex}&dn=${encodeURIComponent('Chosen name')}&x.pe=127.0.0.1:${seeder.port}&so=0,2&ws=${encodeURIComponent(web.base)}`;
    h = await SessionHarness.open({ dataDir });
    // Added paused: nothing is fetched, so what the list shows comes from the link alone.
    const { id } = await h.send({ type: 'add', source: { kind: 'magnet', uri }, paused: true });
    const firstSeen = () => h!.events.flatMap((e) => (e.kind === 'batch' ? e.added : [])).find((t) => t.id === id);
    await h.until(() => firstSeen() !== undefined, 'the torrent is listed');
    const added = firstSeen();
    assert.equal(added?.name, 'Chosen name', 'dn= names the torrent before its metadata');
    await h.send({ type: 'resume', ids: [id] });
    await h.send({ type: 'subscribe', id, topics: ['files', 'trackers'] });
    await h.until(() => h!.get(id).state === 'seeding', 'the selected files complete', 40_000);
    const out = join(h.downloadDir, 'pay');
    for (const i of [0, 2]) assert.ok(readFileSync(join(out, files[i].name)).equals(files[i].data), `${files[i].name} downloaded`);
    await h.until(() => (h!.details?.files?.length ?? 0) === 4, 'file details');
    assert.deepEqual(h.details?.files?.map((f) => f.priority), ['normal', 'skip', 'normal', 'skip']);
    for (const i of [1, 3]) assert.ok(!existsSync(join(out, files[i].name)) || !readFileSync(join(out, files[i].name)).equals(files[i].data), `${files[i].name} not downloaded`);
    assert.ok(web.stats.bodyBytes > 0, 'the ws= web seed was used');
    await h.until(() => (h!.details?.trackers ?? []).some((t) => t.kind === 'webSeed' && t.url === web.base), 'web seed listed among the sources');
    await h.close(false);
    h = await SessionHarness.open({ dataDir });
    await h.until(() => h!.list.has(id), 'restored');
    await h.send({ type: 'subscribe', id, topics: ['trackers'] });
    await h.until(() => (h!.details?.trackers ?? []).some((t) => t.kind === 'webSeed' && t.url === web.base), 'web seed kept across a restart');
  } finally {
    await h?.close();
    await web.close();
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});
