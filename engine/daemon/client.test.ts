import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineMessage } from '../api/types.js';
import { decodeBinaryMessage } from '../api/wire.js';
import { Session } from '../session/session.js';
import { waitUntil } from '../testing/wait.js';
import { ClientConnection, type ClientSocket } from './client.js';
import { makeSmallTorrent } from './test-daemon.js';

class FakeSocket implements ClientSocket {
  bufferedAmount = 0;
  terminated = false;
  readonly sent: EngineMessage[] = [];
  send(frame: Uint8Array): void {
    this.sent.push(decodeBinaryMessage(frame) as EngineMessage);
  }
  terminate(): void {
    this.terminated = true;
  }
  events(): Exclude<EngineMessage, { kind: 'reply' }>[] {
    return this.sent.filter((m): m is Exclude<EngineMessage, { kind: 'reply' }> => m.kind !== 'reply');
  }
}

async function withSession(f: (s: Session) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-client-'));
  const session = await Session.open({ dataDir: join(root, 'data'), defaultDownloadDir: join(root, 'dl'), listenHost: '127.0.0.1', listenPort: 0, batchIntervalMs: 20 });
  try {
    await f(session);
  } finally {
    await session.close();
    rmSync(root, { recursive: true, force: true });
  }
}

test('a slow client: batches are dropped while it is behind, then it gets a fresh snapshot and batches again', { timeout: 20_000 }, async () => {
  await withSession(async (session) => {
    const socket = new FakeSocket();
    const client = new ClientConnection(session, socket, { dropBatchesAbove: 10_000, resyncBelow: 1_000, disconnectAbove: 1e9, maxInFlight: 4 });
    // An idle session sends only heartbeats: keep a torrent's row changing (its speed limit, raised step
    // by step) so batches flow at the session's pace.
    const added = await session.request({ kind: 'request', requestId: 1, command: { type: 'add', source: { kind: 'torrent', data: (await makeSmallTorrent(mkdtempSync(join(tmpdir(), 'tessera-churn-')), 'churn')).data }, paused: true } });
    assert.ok(added.ok && added.result !== null && typeof added.result === 'object' && 'id' in added.result, JSON.stringify(added));
    const id = added.result.id as string;
    let n = 1;
    const churn = setInterval(() => void session.request({ kind: 'request', requestId: ++n, command: { type: 'setTorrentOptions', id, options: { downloadLimit: 1000 + n } } }), 15);
    try {
      assert.equal(socket.events()[0]?.kind, 'snapshot', 'a snapshot on connect');
      await waitUntil(() => socket.events().length >= 4, 5000, () => `batches while live: ${JSON.stringify(socket.sent.slice(-3)).slice(0, 600)}`);
      socket.bufferedAmount = 50_000; // the peer stopped reading
      const sentWhenStuck = socket.sent.length;
      await waitUntil(() => client.droppedBatches >= 5, 5000, () => `dropped ${client.droppedBatches}`);
      assert.equal(socket.sent.length, sentWhenStuck, 'nothing queued while behind');
      socket.bufferedAmount = 0; // drained
      await waitUntil(() => client.resyncs === 1 && socket.events().at(-1)?.kind === 'batch', 5000, () => 'resynced');
      const after = socket.events().slice(sentWhenStuck);
      assert.equal(after[0].kind, 'snapshot', 'the first message after draining is a snapshot');
      for (let i = 1; i < after.length; i++) assert.equal(after[i].seq, after[i - 1].seq + 1);
      assert.ok(after[0].seq > socket.events()[sentWhenStuck - 1].seq + 1, 'the seq gap shows what was dropped');
    } finally {
      clearInterval(churn);
      client.close();
    }
  });
});

test('a client that never reads its replies is disconnected; too many requests at once get Busy', { timeout: 20_000 }, async () => {
  await withSession(async (session) => {
    const socket = new FakeSocket();
    const client = new ClientConnection(session, socket, { dropBatchesAbove: 1e9, resyncBelow: 0, disconnectAbove: 1e6, maxInFlight: 2 });
    try {
      for (let i = 1; i <= 3; i++) client.handle(JSON.stringify({ kind: 'request', requestId: i, command: { type: 'getSettings' } }));
      await waitUntil(() => socket.sent.filter((m) => m.kind === 'reply').length === 3, 5000, () => 'three replies');
      const busy = socket.sent.find((m) => m.kind === 'reply' && !m.ok);
      assert.ok(busy && busy.kind === 'reply' && !busy.ok && busy.error.name === 'Busy' && busy.requestId === 3, JSON.stringify(busy));
      socket.bufferedAmount = 2e6;
      client.handle(JSON.stringify({ kind: 'request', requestId: 9, command: { type: 'getSettings' } }));
      await waitUntil(() => socket.terminated, 5000, () => 'terminated');
    } finally {
      client.close();
    }
  });
});
