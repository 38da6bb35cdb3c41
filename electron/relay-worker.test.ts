// The relay main uses, between a real engine worker and a stand-in renderer (a node MessagePort), no Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { makeTestPayload, makeTorrent } from '../engine/testing/fixtures.js';
import { waitUntil } from '../engine/testing/wait.js';
import { startEngineWorker } from '../engine/worker/host.js';
import type { EngineMessage, GlobalStats, Reply, TorrentSummary } from '../engine/api/types.js';
import { EngineRelay } from './relay.js';
import { fromNodePort } from './relay-ports.js';

test('relay: a renderer port adds a torrent through the worker, sees it in batches, and bad commands never reach the engine', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-relay-'));
  const engine = startEngineWorker({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenPort: 0, listenHost: '127.0.0.1' });
  const channel = new MessageChannel();
  const globals: GlobalStats[] = [];
  const relay = new EngineRelay(engine, { onGlobal: (g) => globals.push(g) });
  try {
    const payload = await makeTestPayload(join(root, 'src'), { name: 'relay payload', files: [{ path: 'a.bin', size: 70_000 }] });
    const made = await makeTorrent({ source: payload.root, out: join(root, 'x.torrent'), tiers: [] });
    await engine.ready;

    relay.attachRenderer(fromNodePort(channel.port1));
    const replies = new Map<number, Reply>();
    const list = new Map<string, TorrentSummary>();
    let forwardedFromEngine = 0;
    channel.port2.on('message', (m: EngineMessage) => {
      if (m.kind === 'reply') replies.set(m.requestId, m);
      else if (m.kind === 'batch') {
        forwardedFromEngine++;
        for (const t of m.added) list.set(t.id, t);
        for (const p of m.changed) if (list.has(p.id)) list.set(p.id, { ...list.get(p.id)!, ...p });
      }
    });
    // Renderer ids are its own: the relay maps them to engine ids and back.
    channel.port2.postMessage({ kind: 'request', requestId: 7, command: { type: 'add', source: { kind: 'torrent', data: new Uint8Array(readFileSync(made.file)) }, paused: true } });
    await waitUntil(() => replies.has(7), 15_000, () => 'no reply to add');
    const added = replies.get(7)!;
    assert.ok(added.ok, JSON.stringify(added));
    assert.equal((added.result as { id: string }).id, made.infoHash);
    await waitUntil(() => list.get(made.infoHash)?.state === 'paused', 15_000, () => `list: ${JSON.stringify([...list.values()])}`);
    assert.equal(list.get(made.infoHash)?.name, 'relay payload');
    assert.ok(forwardedFromEngine > 0 && globals.length > 0, 'batches pass through and the tap sees global stats');

    // Invalid: rejected by the relay with the renderer's id; the engine never sees a request with it.
    const sent: unknown[] = [];
    const realSend = engine.send.bind(engine);
    engine.send = (m) => (sent.push(m), realSend(m));
    channel.port2.postMessage({ kind: 'request', requestId: 8, command: { type: 'pause', ids: ['nope'] } });
    channel.port2.postMessage({ kind: 'request', requestId: 9, command: { type: 'launchMissiles' } });
    channel.port2.postMessage('not even an object');
    await waitUntil(() => replies.has(8) && replies.has(9) && replies.has(-1), 5_000, () => `replies: ${[...replies.keys()]}`);
    for (const id of [8, 9, -1]) {
      const r = replies.get(id)!;
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.name, 'InvalidCommand');
    }
    assert.match(!replies.get(8)!.ok ? (replies.get(8) as { error: { message: string } }).error.message : '', /command\.ids\[0\]/);
    assert.deepEqual(sent, [], 'nothing invalid was forwarded');

    // Main's own commands share the worker without clashing with the renderer's ids.
    const paused = await relay.request({ type: 'resume', ids: 'all' });
    assert.ok(paused.ok);

    relay.stopAccepting();
    assert.equal(await engine.shutdown(5000), 'clean');
  } finally {
    relay.close();
    channel.port2.close();
    await engine.shutdown(1000);
    rmSync(root, { recursive: true, force: true });
  }
});
