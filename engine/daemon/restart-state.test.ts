// A daemon restart keeps what the user and the seeding goals decided: a torrent its ratio goal paused
// still says so (and which goal), and a peer the user banned is still refused (not dialled when given).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { freePort } from '../testing/ports.js';
import { startProcess, stopAll, type ProcessHandle } from '../testing/processes.js';
import { makeSmallTorrent } from './test-daemon.js';
import { WsTestClient } from './test-client.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');
const work = mkdtempSync(join(tmpdir(), 'tessera-daemon-restart-'));
const clients: Client[] = [];

after(async () => {
  for (const c of clients) await c.close();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

async function daemon(args: readonly string[], name: string): Promise<{ proc: ProcessHandle; ws: WsTestClient }> {
  const proc = startProcess(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, logFile: join(work, `${name}.log`), name, stopSignal: 'SIGTERM', killAfterMs: 15_000 });
  const [, origin, port, token] = await proc.waitForLine(/^tessera daemon: listening on (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{43})$/, 30_000);
  const ws = await WsTestClient.connect(`ws://127.0.0.1:${port}/api?token=${token}`, { Origin: origin });
  await ws.until(() => ws.events[0]?.kind === 'snapshot', 'snapshot');
  return { proc, ws };
}

async function stop(proc: ProcessHandle): Promise<void> {
  proc.signal('SIGTERM');
  const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
  assert.equal(exit?.code, 0, proc.tail());
}

/** A leecher in this process, listening on loopback; `peerPort`: dial the daemon. */
async function leecher(meta: ReturnType<typeof parseTorrent>, name: string, peerPort?: number) {
  const c = new Client({ host: '127.0.0.1' });
  clients.push(c);
  const port = await c.listen();
  const t = c.add(meta, { downloadDir: join(work, name), useTrackers: false, peers: peerPort ? [{ host: '127.0.0.1', port: peerPort }] : [] });
  await t.start();
  return { port, t };
}

test('after a daemon restart, a goal-paused torrent still reads "ratio goal 0.50 reached" and a banned peer stays banned', { timeout: 120_000 }, async () => {
  const peerPort = await freePort();
  const dl = join(work, 'dl');
  const args = ['daemon', '--port', '0', '--peer-port', String(peerPort), '--no-dht', '--no-lsd', '--no-utp', '--data-dir', join(work, 'data'), '--download-dir', dl];
  const small = await makeSmallTorrent(dl, 'goal', 9);
  const meta = parseTorrent(small.data);

  const first = await daemon(args, 'first');
  const { id } = await first.ws.send({ type: 'add', source: { kind: 'torrent', data: small.data } });
  await first.ws.until(() => first.ws.list.get(id)?.state === 'seeding', 'seeding its data', 30_000);
  await first.ws.send({ type: 'setTorrentOptions', id, options: { ratioLimit: 0.5 } });
  // A leecher takes half the size: the goal pauses the torrent.
  await leecher(meta, 'k', peerPort);
  await first.ws.until(() => first.ws.list.get(id)?.goalReached === 'ratio', 'paused by its ratio goal', 30_000);
  const before = first.ws.list.get(id)!;
  assert.equal(before.state, 'paused');
  assert.match(before.stateReason, /ratio goal 0\.50 reached/);
  // A peer the user bans (listening, never connected yet).
  const banned = await leecher(meta, 'banned');
  await first.ws.send({ type: 'banPeer', id, peer: `127.0.0.1:${banned.port}` });
  await stop(first.proc);
  assert.ok(existsSync(join(work, 'data', 'banned-peers.json')), 'the ban list is saved');

  const second = await daemon(args, 'second');
  await second.ws.until(() => second.ws.list.has(id), 'the torrent listed again');
  const after = second.ws.list.get(id)!;
  assert.equal(after.state, 'paused');
  assert.match(after.stateReason, /ratio goal 0\.50 reached/);
  assert.equal(after.goalReached, 'ratio', 'so Resume still offers to raise or ignore the goal');

  // Seed without the goal (the Goal dialog's "ignore"), and give it the banned peer and a fresh one:
  // the fresh one gets everything, the banned one is never dialled.
  await second.ws.send({ type: 'setTorrentOptions', id, options: { ratioLimit: null } });
  await second.ws.send({ type: 'resume', ids: [id] });
  await second.ws.until(() => second.ws.list.get(id)?.state === 'seeding', 'seeding again', 30_000);
  assert.equal(second.ws.list.get(id)?.goalReached, null);
  const fresh = await leecher(meta, 'fresh');
  await second.ws.send({ type: 'addPeers', id, peers: [`127.0.0.1:${banned.port}`, `127.0.0.1:${fresh.port}`] });
  const deadline = Date.now() + 30_000;
  while (!fresh.t.complete && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(fresh.t.complete, 'the peer that is not banned got every piece');
  assert.equal(banned.t.downloadMeter.total, 0, 'the banned peer got nothing');
  assert.equal(banned.t.peers.size, 0, 'and no connection');
  await stop(second.proc);
});
