// Issue 15: a reply means the change is durable. A real `tessera daemon` process is sent one command that changes
// saved state (pause, a queue move, a settings change), and is killed with SIGKILL 50 ms after the reply; the
// records and settings it left on disk must hold the change. Before the fix, records were written only at the next
// 5 s checkpoint, so each of these was lost.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../../api/types.js';
import { makeSmallTorrent } from '../../daemon/test-daemon.js';
import { WsTestClient } from '../../daemon/test-client.js';
import { ResumeStore } from '../../storage/resume/resume-store.js';
import { generateToken } from '../../daemon/token.js';
import { stopAll } from '../../testing/index.js';
import { startTessera } from './tessera-process.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-durable-'));
after(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Killed {
  readonly dataDir: string;
  readonly ids: string[];
}

/** Starts a daemon allowing one active download, adds three torrents, sends `command(ids)`, and SIGKILLs the daemon 50 ms after its reply. */
async function killAfterReply(name: string, command: (ids: string[]) => Command): Promise<Killed> {
  const dir = join(root, name);
  const dataDir = join(dir, 'data');
  const token = generateToken();
  const daemon = startTessera(
    ['daemon', '--port', '0', '--peer-port', '0', '--token', token, '--data-dir', dataDir, '--download-dir', join(dir, 'dl'), '--no-dht', '--no-lsd'],
    dir,
    name,
  );
  const m = await daemon.waitForLine(/tessera daemon: listening on http:\/\/127\.0\.0\.1:(\d+)\//, 30_000);
  const client = await WsTestClient.connect(`ws://127.0.0.1:${m[1]}/api?token=${token}`);
  try {
    // One active download: the others wait in the queue, so pausing or moving them changes nothing but their records
    // (a running torrent's start or stop writes its record anyway).
    await client.send({ type: 'setSettings', settings: { maxActiveDownloads: 1 } });
    const ids: string[] = [];
    for (const seed of [1, 2, 3]) {
      const t = await makeSmallTorrent(join(dir, 'src'), `t${seed}`, seed);
      ids.push((await client.send({ type: 'add', source: { kind: 'torrent', data: t.data }, savePath: join(dir, 'dl') })).id);
    }
    const reply = await client.request(command(ids));
    assert.ok(reply.ok, `the command failed: ${JSON.stringify(reply)}`);
    await sleep(50);
    daemon.signal('SIGKILL');
    const exit = await daemon.exited;
    assert.equal(exit.signal, 'SIGKILL', 'the daemon was killed, not stopped');
    return { dataDir, ids };
  } finally {
    client.ws.terminate();
    await daemon.stop();
  }
}

test('pause survives kill -9 50 ms after the reply', { timeout: 60_000 }, async () => {
  const { dataDir, ids } = await killAfterReply('pause', (ids) => ({ type: 'pause', ids: [ids[1]] }));
  const { records } = await new ResumeStore(dataDir).loadAll();
  assert.deepEqual(
    records.map((r) => [r.id, r.intent]),
    [
      [ids[0], 'active'],
      [ids[1], 'paused'],
      [ids[2], 'active'],
    ],
  );
});

test('a queue move survives kill -9 50 ms after the reply', { timeout: 60_000 }, async () => {
  const { dataDir, ids } = await killAfterReply('queue', (ids) => ({ type: 'queueMove', ids: [ids[2]], to: 'up' }));
  const { records } = await new ResumeStore(dataDir).loadAll();
  assert.deepEqual(
    records.map((r) => [r.id, r.queuePosition]),
    [
      [ids[0], 0],
      [ids[2], 1],
      [ids[1], 2],
    ],
  );
});

test('a settings change survives kill -9 50 ms after the reply', { timeout: 60_000 }, async () => {
  const { dataDir } = await killAfterReply('settings', () => ({ type: 'setSettings', settings: { maxActiveDownloads: 7, stalledAfterMinutes: 13 } }));
  const saved = (await new ResumeStore(dataDir).loadSettings()) as { maxActiveDownloads?: number; stalledAfterMinutes?: number } | null;
  assert.equal(saved?.maxActiveDownloads, 7);
  assert.equal(saved?.stalledAfterMinutes, 13);
});
