// `tessera seed` runs on a Session and takes the same network flags as `download` and `stream` (NETWORK_OPTIONS in
// args.ts): before, it had none of --dht-bootstrap, --no-dht, --no-lsd (issue 15), so a trackerless torrent seeded
// from the command line could never be found. Everything here stays on loopback: DHT and LSD off, no port mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { patternBytes, waitUntil } from '../testing/wait.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');
const LOOPBACK_ONLY = ['--no-dht', '--no-lsd', '--no-port-mapping'];

async function fixture(): Promise<{ root: string; data: string; torrentFile: string; content: Uint8Array }> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-seed-cli-'));
  const data = join(root, 'data');
  mkdirSync(data);
  const content = patternBytes(300_000, 5);
  writeFileSync(join(data, 'film.bin'), content);
  const torrentFile = join(root, 'film.torrent');
  writeFileSync(torrentFile, await createTorrent(join(data, 'film.bin'), { pieceLength: 32 * 1024 }));
  return { root, data, torrentFile, content };
}

test('seed takes the network flags of download and serves a leecher on loopback until Ctrl+C', { timeout: 60_000 }, async () => {
  const fx = await fixture();
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, 'seed', fx.torrentFile, '--data', fx.data, '--port', '0', ...LOOPBACK_ONLY], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const leecher = new Client({ host: '127.0.0.1' });
  try {
    await waitUntil(() => /^seeding [0-9a-f]{40} /m.test(stdout) || proc.exitCode !== null, 30_000, () => `no "seeding" line; stdout: ${stdout}; stderr: ${stderr}`);
    assert.equal(proc.exitCode, null, `seed exited early: ${stderr}`);
    const port = Number(/^listening on port (\d+)$/m.exec(stdout)?.[1]);
    assert.ok(port > 0, `the port is printed: ${stdout}`);
    await leecher.listen();
    const meta = parseTorrent(readFileSync(fx.torrentFile));
    const t = leecher.add(meta, { downloadDir: join(fx.root, 'leech'), useTrackers: false, peers: [{ host: '127.0.0.1', port }] });
    await t.start();
    await waitUntil(() => t.complete, 30_000, () => `the leecher has ${t.have.count}/${meta.pieceCount} pieces`);
    assert.ok(Buffer.from(readFileSync(join(fx.root, 'leech', 'film.bin'))).equals(Buffer.from(fx.content)));
    await leecher.close();
    proc.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    const uploaded = Number(/^stopped seeding after uploading (\d+) bytes$/m.exec(stdout)?.[1]);
    assert.ok(uploaded >= fx.content.length, `uploaded ${uploaded} bytes: ${stdout}`);
  } finally {
    await leecher.close();
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(fx.root, { recursive: true, force: true });
  }
});

test('seed parses its network flags as download does: one error for the same contradiction, incomplete data refused', { timeout: 60_000 }, async () => {
  const fx = await fixture();
  try {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    for (const command of [['seed', fx.torrentFile, '--data', fx.data], ['download', fx.torrentFile, '--out', join(fx.root, 'out')]]) {
      const r = run([...command, '--no-dht', '--dht-bootstrap', '127.0.0.1:1', '--no-lsd', '--no-port-mapping']);
      assert.equal(r.status, 2, `${command[0]}: ${r.stderr}`);
      assert.match(r.stderr.trim(), /^tessera: --no-dht and --dht-bootstrap contradict each other; give one$/, command[0]);
    }
    writeFileSync(join(fx.data, 'film.bin'), Buffer.alloc(300_000));
    const r = run(['seed', fx.torrentFile, '--data', fx.data, '--port', '0', ...LOOPBACK_ONLY]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /is incomplete \(0% verified\): point --data at the folder that holds "film.bin"/);
  } finally {
    rmSync(fx.root, { recursive: true, force: true });
  }
});
