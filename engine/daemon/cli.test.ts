import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stopAll, type ProcessHandle } from '../testing/processes.js';
import { httpGet, makeSmallTorrent } from './test-daemon.js';
import { WsTestClient } from './test-client.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');
const work = mkdtempSync(join(tmpdir(), 'tessera-daemon-cli-'));

after(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

function tessera(args: readonly string[], name: string): ProcessHandle {
  return startProcess(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, logFile: join(work, `${name}.log`), name, stopSignal: 'SIGTERM', killAfterMs: 15_000 });
}

test('tessera daemon: --port 0 prints its URL, answers, and exits 0 on SIGTERM with resume data saved', { timeout: 60_000 }, async () => {
  const data = join(work, 'data');
  const watchDir = join(work, 'watched');
  const proc = tessera(['daemon', '--port', '0', '--peer-port', '0', '--no-dht', '--no-lsd', '--data-dir', data, '--download-dir', join(work, 'dl'), '--watch', watchDir], 'daemon');
  const m = await proc.waitForLine(/^tessera daemon: listening on (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{43})$/, 30_000);
  const [, origin, port, token] = m;
  assert.notEqual(Number(port), 9080);
  const page = await httpGet(Number(port), '/');
  assert.equal(page.status, 200);
  assert.equal((await httpGet(Number(port), '/api')).status, 401);

  const c = await WsTestClient.connect(`ws://127.0.0.1:${port}/api?token=${token}`, { Origin: origin });
  await c.until(() => c.events[0]?.kind === 'snapshot', 'snapshot');
  const t = await makeSmallTorrent(work, 'via-cli', 5);
  const { id } = await c.send({ type: 'add', source: { kind: 'torrent', data: t.data }, paused: true });
  await c.until(() => c.list.has(id), 'the added torrent');
  // --watch: a .torrent dropped into the folder is added and renamed to .added.
  const dropped = await makeSmallTorrent(work, 'via-watch', 9);
  writeFileSync(join(watchDir, 'dropped.torrent'), dropped.data);
  await c.until(() => c.list.size === 2 && existsSync(join(watchDir, 'dropped.torrent.added')), 'the torrent from the --watch folder');

  const started = Date.now();
  proc.signal('SIGTERM');
  const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
  assert.ok(exit, `still running 15 s after SIGTERM:\n${proc.tail()}`);
  assert.equal(exit.code, 0, proc.tail());
  assert.ok(Date.now() - started < 15_000);
  await c.until(() => c.closed, 'the client was closed');
  assert.ok(proc.lines().some((l) => l === 'tessera daemon: stopped'), proc.tail());
  assert.ok(existsSync(join(data, 'torrents', `${id}.resume`)), 'resume data flushed');
});

test('tessera daemon refuses a non-loopback --host without --allow-remote, and a malformed --token', { timeout: 30_000 }, async () => {
  const remote = tessera(['daemon', '--host', '0.0.0.0', '--port', '0', '--no-dht', '--no-lsd', '--data-dir', join(work, 'd2')], 'remote');
  assert.equal((await remote.exited).code, 2);
  assert.ok(remote.lines().some((l) => /not a loopback address.*SSH tunnel.*--allow-remote/.test(l)), remote.tail());
  const weak = tessera(['daemon', '--token', 'short', '--port', '0', '--no-dht', '--no-lsd', '--data-dir', join(work, 'd3')], 'weak');
  assert.equal((await weak.exited).code, 2);
  assert.ok(weak.lines().some((l) => /--token must be/.test(l)), weak.tail());
  writeFileSync(join(work, 'not-a-folder'), 'x');
  const badWatch = tessera(['daemon', '--watch', join(work, 'not-a-folder'), '--port', '0', '--no-dht', '--no-lsd', '--data-dir', join(work, 'd4')], 'bad-watch');
  assert.equal((await badWatch.exited).code, 2);
  assert.ok(badWatch.lines().some((l) => /--watch .*not-a-folder: .* is a file, not a folder/.test(l)), badWatch.tail());
});
