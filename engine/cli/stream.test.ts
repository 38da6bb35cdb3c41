// `tessera stream` as a user runs it: a process that downloads from an in-process Tessera seeder on 127.0.0.1, prints
// the stream URL as its first line of stdout once serving, serves every byte of the chosen file, and exits 0 on SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../metainfo/create.js';
import { SessionHarness } from '../session/test-harness.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { chooseStreamFile } from './stream.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');

function getBody(url: string): Promise<{ status: number; body: Buffer; type: string | undefined }> {
  return new Promise((res, rej) => {
    const req = request(url, { timeout: 60_000 }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks), type: r.headers['content-type'] }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', rej);
    req.end();
  });
}

test('chooseStreamFile: --file, else the largest media file, else the largest file; a bad index is one clear line', () => {
  const files = [
    { index: 0, path: 't/big.iso', length: 900 },
    { index: 1, path: 't/movie.MKV', length: 500 },
    { index: 2, path: 't/extra.mp4', length: 100 },
  ];
  assert.equal(chooseStreamFile(files, undefined).index, 1);
  assert.equal(chooseStreamFile(files.filter((f) => f.index === 0), undefined).index, 0);
  assert.equal(chooseStreamFile(files, 2).index, 2);
  assert.throws(() => chooseStreamFile(files, 7), /--file 7: the torrent has no such file \(indices: 0, 1, 2/);
});

test('tessera stream prints the URL first, serves the file byte for byte while downloading, exits 0 on SIGINT', { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-stream-cli-'));
  const seeder = await SessionHarness.open();
  let child: ReturnType<typeof spawn> | null = null;
  try {
    const src = join(root, 'src', 'show');
    mkdirSync(src, { recursive: true });
    const clip = patternBytes(1_500_001, 3);
    writeFileSync(join(src, 'notes.bin'), patternBytes(2_000_000, 4)); // larger, but not media
    writeFileSync(join(src, 'clip.webm'), clip);
    const torrent = await createTorrent(src, { pieceLength: 32_768 });
    writeFileSync(join(root, 'show.torrent'), torrent);
    const { id } = await seeder.send({ type: 'add', source: { kind: 'torrent', data: torrent }, savePath: join(root, 'src') });
    await seeder.until(() => seeder.get(id).state === 'seeding', 'the seeder is seeding');
    await seeder.send({ type: 'setSettings', settings: { uploadLimit: 2_000_000 } });

    const proc = spawn(process.execPath, ['--import', 'tsx', entry, 'stream', join(root, 'show.torrent'), '--out', join(root, 'out'), '--peer', `127.0.0.1:${seeder.session.port}`, '--no-dht', '--no-lsd', '--no-port-mapping'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    await waitUntil(() => stdout.includes('\n'), 60_000, () => `the first line of stdout (stderr: ${stderr})`);
    const url = stdout.split('\n')[0];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/stream\/[0-9a-f]{64}\/[0-9a-f]{40}\/\d+\/clip\.webm$/, 'the first line is the URL of the media file');
    const got = await getBody(url);
    assert.equal(got.status, 200);
    assert.equal(got.type, 'video/webm');
    assert.ok(got.body.equals(clip), 'every byte equals the file');
    proc.kill('SIGINT');
    assert.equal(await exited, 0, `exit 0 after SIGINT; stderr: ${stderr}`);
    child = null;
    assert.equal(stdout.trim().split('\n').length, 1, `stdout holds the URL only: ${stdout}`);
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await seeder.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('tessera stream --player with the player missing: one clear line, exit 1', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-stream-cli-'));
  try {
    const src = join(root, 'one.mp4');
    writeFileSync(src, patternBytes(50_000, 5));
    writeFileSync(join(root, 'one.torrent'), await createTorrent(src, { pieceLength: 16_384 }));
    // No player on this PATH: the stream command must say so (its own node is started by absolute path).
    const proc = spawn(process.execPath, ['--import', 'tsx', entry, 'stream', join(root, 'one.torrent'), '--out', root, '--player', 'mpv', '--no-dht', '--no-lsd', '--no-port-mapping'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: join(root, 'no-bin') },
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^tessera: mpv is not installed \(or not on PATH\): install it, or open the printed URL in any player$/m);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
