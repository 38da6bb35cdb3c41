// `tessera doctor` against a real `tessera daemon` process: the ranked reasons, and one-line errors with exit 1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stopAll, type ProcessHandle } from '../testing/processes.js';
import { freePort } from '../testing/ports.js';
import { makeSmallTorrent } from '../daemon/test-daemon.js';
import { WsTestClient } from '../daemon/test-client.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');
const work = mkdtempSync(join(tmpdir(), 'tessera-doctor-cli-'));

after(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
function tessera(args: readonly string[], name: string): ProcessHandle {
  return startProcess(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, logFile: join(work, `${name}-${++runs}.log`), name, stopSignal: 'SIGTERM', killAfterMs: 15_000 });
}

async function run(args: readonly string[]): Promise<{ code: number | null; lines: readonly string[] }> {
  const p = tessera(args, 'doctor');
  const exit = await p.exited;
  return { code: exit.code, lines: p.lines() };
}

test('tessera doctor prints the ranked reasons of a torrent in a running daemon; unknown hash and no daemon: exit 1, one line', { timeout: 120_000 }, async () => {
  const data = join(work, 'data');
  const daemon = tessera(['daemon', '--port', '0', '--peer-port', '0', '--no-dht', '--no-lsd', '--no-port-mapping', '--data-dir', data, '--download-dir', join(work, 'dl')], 'daemon');
  try {
    const [, origin, port, token] = await daemon.waitForLine(/^tessera daemon: listening on (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{43})$/, 30_000);
    const c = await WsTestClient.connect(`ws://127.0.0.1:${port}/api?token=${token}`, { Origin: origin });
    const t = await makeSmallTorrent(work, 'paused-one', 3);
    const { id } = await c.send({ type: 'add', source: { kind: 'torrent', data: t.data }, paused: true });
    c.ws.terminate();

    // The token from the daemon's data folder.
    const ok = await run(['doctor', id.toUpperCase(), '--port', port, '--data-dir', data]);
    assert.equal(ok.code, 0, ok.lines.join('\n'));
    assert.equal(ok.lines[0], `${id}: 1 reason, most important first`);
    assert.equal(ok.lines[1], '1. [blocking] paused (paused)');
    assert.equal(ok.lines[3], '   what to do: Resume');

    // --url and --token, as JSON.
    const json = await run(['doctor', id, '--url', `ws://127.0.0.1:${port}/api`, '--token', token, '--json']);
    assert.equal(json.code, 0, json.lines.join('\n'));
    assert.equal(JSON.parse(json.lines.join('\n'))[0].code, 'paused');

    const unknown = await run(['doctor', 'ab'.repeat(20), '--port', port, '--token', token]);
    assert.equal(unknown.code, 1);
    assert.deepEqual(unknown.lines, [`tessera: no torrent with id ${'ab'.repeat(20)}`]);

    const wrongToken = await run(['doctor', id, '--port', port, '--token', 'x'.repeat(20)]);
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.lines.join('\n'), /^tessera: the daemon refused the token \(401\)/);
  } finally {
    await daemon.stop();
  }
  const closed = await freePort();
  const none = await run(['doctor', 'ab'.repeat(20), '--port', String(closed), '--token', 'y'.repeat(20)]);
  assert.equal(none.code, 1);
  assert.equal(none.lines.length, 1);
  assert.match(none.lines[0], new RegExp(`^tessera: cannot reach the daemon at ws://127\\.0\\.0\\.1:${closed}/api\\?token=…: .*ECONNREFUSED`));
  const bad = await run(['doctor', 'not-a-hash']);
  assert.equal(bad.code, 2);
  assert.match(bad.lines[0], /is not an info hash/);
});
