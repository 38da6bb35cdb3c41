import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { startEngineWorker } from './host.js';
import type { Reply, TorrentSummary } from '../api/types.js';
import type { WorkerToHost } from './messages.js';

test('the engine runs in a worker thread: commands in, replies and batches out, clean shutdown', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-worker-'));
  const engine = startEngineWorker({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenPort: 0, listenHost: '127.0.0.1' });
  try {
    const port = await engine.ready;
    assert.ok(port > 0);
    const replies = new Map<number, Reply>();
    const list = new Map<string, TorrentSummary>();
    let batches = 0;
    engine.onMessage((m: WorkerToHost) => {
      if (m.kind === 'reply') replies.set(m.requestId, m);
      else if (m.kind === 'batch') {
        batches++;
        for (const t of m.added) list.set(t.id, t);
        for (const p of m.changed) list.set(p.id, { ...list.get(p.id)!, ...p });
      }
    });
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'x.bin'), patternBytes(50_000, 3));
    const data = await createTorrent(join(root, 'src', 'x.bin'), { pieceLength: 16_384 });
    engine.send({ kind: 'request', requestId: 1, command: { type: 'add', source: { kind: 'torrent', data }, paused: true } });
    await waitUntil(() => replies.has(1), 10_000, () => 'no reply to add');
    const added = replies.get(1)!;
    assert.ok(added.ok, JSON.stringify(added));
    const id = (added.ok && (added.result as { id: string }).id) as string;
    await waitUntil(() => list.get(id)?.state === 'paused', 10_000, () => `list: ${JSON.stringify([...list.values()])}`);
    assert.ok(batches > 0);

    // A payload that fails validation gets a typed error, and the engine keeps going.
    engine.send({ kind: 'request', requestId: 2, command: { type: 'pause', ids: ['nope'] } } as never);
    await waitUntil(() => replies.has(2), 10_000, () => 'no reply to a bad command');
    const bad = replies.get(2)!;
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.name, 'InvalidCommand');

    assert.equal(await engine.shutdown(), 'clean');
    assert.ok(existsSync(join(root, 'data', 'torrents', `${id}.resume`)), 'resume data flushed on shutdown');
  } finally {
    await engine.shutdown(1000);
    rmSync(root, { recursive: true, force: true });
  }
});
