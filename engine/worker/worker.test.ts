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

test('the worker serves file streams on loopback: streamUrl answers a URL that serves the file', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-worker-'));
  const engine = startEngineWorker({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenPort: 0, listenHost: '127.0.0.1' });
  try {
    await engine.ready;
    const replies = new Map<number, Reply>();
    engine.onMessage((m: WorkerToHost) => {
      if (m.kind === 'reply') replies.set(m.requestId, m);
    });
    const ask = async (requestId: number, command: Parameters<typeof engine.send>[0] & { kind: 'request' }): Promise<unknown> => {
      engine.send(command);
      await waitUntil(() => replies.has(requestId), 10_000, () => `no reply to ${command.command.type}`);
      const r = replies.get(requestId)!;
      if (!r.ok) throw new Error(r.error.message);
      return r.result;
    };
    mkdirSync(join(root, 'src'), { recursive: true });
    const bytes = patternBytes(70_000, 9);
    writeFileSync(join(root, 'src', 'song.flac'), bytes);
    const data = await createTorrent(join(root, 'src', 'song.flac'), { pieceLength: 16_384 });
    const { id } = (await ask(1, { kind: 'request', requestId: 1, command: { type: 'add', source: { kind: 'torrent', data }, savePath: join(root, 'src') } })) as { id: string };
    const s = (await ask(2, { kind: 'request', requestId: 2, command: { type: 'streamUrl', id, file: 0 } })) as { url: string; contentType: string };
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/stream\/[0-9a-f]{64}\/[0-9a-f]{40}\/0\/song\.flac$/);
    assert.equal(s.contentType, 'audio/flac');
    const res = await fetch(s.url, { headers: { Range: 'bytes=16000-40000' } });
    assert.equal(res.status, 206);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(16000, 40001)));
    assert.equal(await engine.shutdown(), 'clean');
  } finally {
    await engine.shutdown(1000);
    rmSync(root, { recursive: true, force: true });
  }
});
