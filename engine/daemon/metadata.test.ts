import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionHarness } from '../session/test-harness.js';
import { WsTestClient } from './test-client.js';
import { makeSmallTorrent, startTestDaemon } from './test-daemon.js';

test('add a magnet with stopAfterMetadata: it pauses with its files known, priorities can be set, resume completes it', { timeout: 60_000 }, async () => {
  const d = await startTestDaemon();
  const seeder = await SessionHarness.open();
  let c: WsTestClient | null = null;
  try {
    const t = await makeSmallTorrent(d.root, 'magnetic', 44);
    const id = await seeder.send({ type: 'add', source: { kind: 'torrent', data: t.data }, savePath: d.root });
    await seeder.until(() => seeder.get(id.id).state === 'seeding', 'the in-process seeder is seeding');

    c = await WsTestClient.connect(d.wsUrl);
    const cl = c;
    const uri = `magnet:?xt=urn:btih:${id.id}&dn=magnetic&x.pe=127.0.0.1:${seeder.session.port}`;
    await cl.send({ type: 'add', source: { kind: 'magnet', uri }, stopAfterMetadata: true, savePath: join(d.root, 'fetched') });
    await cl.until(() => cl.list.get(id.id)?.stateReason === 'metadata received: choose files, then resume', 'stopped after metadata', 30_000);
    const row = cl.list.get(id.id)!;
    assert.equal(row.state, 'paused');
    assert.equal(row.totalBytes, 110_001);
    assert.equal(row.downloadedTotal, 0, 'no payload before the user resumes');
    assert.ok(cl.notices.some((n) => n.type === 'metadataReceived' && n.id === id.id));
    const info = await cl.send({ type: 'getInfo', id: id.id });
    assert.deepEqual(info.files.map((f) => f.path), ['magnetic/a.bin', 'magnetic/sub/b.bin']);
    assert.equal(info.pieceCount, 7);
    // Details go out once per change, possibly before the subscribe's reply: look from before the request.
    const mark = cl.events.length;
    await cl.send({ type: 'subscribe', id: id.id, topics: ['files'] });
    await cl.until(() => cl.events.slice(mark).some((e) => e.kind === 'batch' && e.details?.files?.length === 2), `files in the details: ${JSON.stringify(cl.events.slice(mark).map((e) => e.kind === 'batch' ? e.details : e.kind))}`);

    await cl.send({ type: 'setFilePriority', id: id.id, files: [1], priority: 'skip' });
    await cl.send({ type: 'resume', ids: [id.id] });
    await cl.until(() => cl.list.get(id.id)?.state === 'seeding', 'the wanted file downloaded', 30_000);
    assert.equal(cl.list.get(id.id)!.wantedBytes, 40_000);
    assert.deepEqual(readFileSync(join(d.root, 'fetched', 'magnetic', 'a.bin')), readFileSync(join(t.root, 'a.bin')));
  } finally {
    await c?.close();
    await seeder.close();
    await d.close();
  }
});
