import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../bencode/index.js';
import { waitUntil } from '../testing/wait.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repo, 'engine', 'cli', 'tessera.ts');

function tessera(args: string[], timeoutMs = 30_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, TESSERA_PORT_MAPPING: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertInputError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /^tessera: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('create, then info --json describes the torrent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  try {
    mkdirSync(join(dir, 'album', 'disc 1'), { recursive: true });
    writeFileSync(join(dir, 'album', 'disc 1', 'track.flac'), Buffer.alloc(70_000, 7));
    writeFileSync(join(dir, 'album', 'cover.jpg'), Buffer.alloc(1_000, 3));
    writeFileSync(join(dir, 'album', 'empty'), '');
    const out = join(dir, 'album.torrent');
    const created = tessera(['create', join(dir, 'album'), '--out', out, '--tracker', 'http://127.0.0.1:1/announce', '--tracker', 'udp://127.0.0.1:2', '--piece-length', '32768']);
    assert.equal(created.code, 0, created.stderr);
    const info = tessera(['info', out, '--json']);
    assert.equal(info.code, 0, info.stderr);
    const j = JSON.parse(info.stdout);
    assert.equal(j.name, 'album');
    assert.match(j.infoHash, /^[0-9a-f]{40}$/);
    assert.equal(j.pieceLength, 32768);
    assert.equal(j.totalLength, 71_000);
    assert.equal(j.pieceCount, 3);
    assert.equal(j.private, false);
    assert.deepEqual(j.trackers, [['http://127.0.0.1:1/announce'], ['udp://127.0.0.1:2']]);
    assert.deepEqual(
      j.files.map((f: { path: string; length: number }) => [f.path, f.length]),
      [['album/cover.jpg', 1000], ['album/disc 1/track.flac', 70000], ['album/empty', 0]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed torrents, magnets and arguments exit 2 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  try {
    const bad = join(dir, 'bad.torrent');
    writeFileSync(bad, 'd4:infod4:name3:abc');
    assertInputError(tessera(['info', bad]), /bencode|torrent/);
    const badPieces = join(dir, 'pieces.torrent');
    writeFileSync(badPieces, encode({ info: { name: 'x', 'piece length': 16384, length: 10, pieces: Buffer.alloc(19) } }));
    assertInputError(tessera(['info', badPieces]), /pieces/);
    assertInputError(tessera(['info', 'magnet:?dn=nohash']), /magnet/);
    assertInputError(tessera(['info', 'magnet:?xt=urn:btih:1234']), /magnet/);
    assertInputError(tessera(['download', 'magnet:?xt=urn:btih:zz', '--out', dir]), /magnet/);
    assertInputError(tessera(['info', join(dir, 'missing.torrent')]), /no such file/);
    assertInputError(tessera(['download', bad]), /--out/);
    assertInputError(tessera(['frobnicate']), /unknown command/);
    assertInputError(tessera(['download', bad, '--out', dir, '--port', 'abc']), /--port/);
    assertInputError(tessera(['download', bad, '--out', dir, '--no-utp', '--no-tcp']), /--no-utp and --no-tcp together leave no way to reach peers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('info reads a magnet link', () => {
  const r = tessera(['info', 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=hello&tr=udp%3A%2F%2F127.0.0.1%3A6969', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.infoHash, 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a');
  assert.equal(j.name, 'hello');
  assert.deepEqual(j.trackers, ['udp://127.0.0.1:6969']);
});

test('a torrent whose paths try to escape writes only inside the download folder', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-escape-'));
  try {
    const data = Buffer.alloc(40_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const { createHash } = await import('node:crypto');
    const pieceLength = 16384;
    const pieces: Buffer[] = [];
    for (let o = 0; o < data.length; o += pieceLength) pieces.push(createHash('sha1').update(data.subarray(o, o + pieceLength)).digest());
    const files = [
      { length: 10_000, path: ['..', '..', 'escaped.txt'] },
      { length: 10_000, path: ['/etc', 'passwd'] },
      { length: 10_000, path: ['same.txt'] },
      { length: 10_000, path: ['same.txt'] },
    ];
    const torrent = join(dir, 'evil.torrent');
    writeFileSync(torrent, encode({ info: { name: '../../evil', 'piece length': pieceLength, pieces: Buffer.concat(pieces), files } }));
    const info = JSON.parse(tessera(['info', torrent, '--json']).stdout);
    const paths: string[] = info.files.map((f: { path: string }) => f.path);
    assert.equal(new Set(paths).size, 4, `paths made unique: ${paths.join(', ')}`);
    for (const p of paths) {
      assert.ok(!p.split('/').some((c) => c === '..' || c === '' || c === '.'), `no traversal in ${p}`);
    }
    // Seed the sanitised layout, then download it into a sandboxed folder: nothing may appear outside it.
    const seedDir = join(dir, 'sandbox', 'seed');
    let offset = 0;
    for (const p of paths) {
      mkdirSync(join(seedDir, ...p.split('/').slice(0, -1)), { recursive: true });
      writeFileSync(join(seedDir, ...p.split('/')), data.subarray(offset, offset + 10_000));
      offset += 10_000;
    }
    const leechDir = join(dir, 'sandbox', 'a', 'b', 'leech');
    const { Client } = await import('../session/client.js');
    const { parseTorrent } = await import('../metainfo/index.js');
    const meta = parseTorrent(readFileSync(torrent));
    const seeder = new Client({ host: '127.0.0.1' });
    const leecher = new Client({ host: '127.0.0.1' });
    try {
      await seeder.listen();
      await leecher.listen();
      await seeder.add(meta, { downloadDir: seedDir, useTrackers: false }).start();
      const t = leecher.add(meta, { downloadDir: leechDir, useTrackers: false, peers: [{ host: '127.0.0.1', port: seeder.port }] });
      await t.start();
      await waitUntil(() => t.complete, 20_000, () => `${t.have.count}/${meta.pieceCount} pieces`);
    } finally {
      await leecher.close();
      await seeder.close();
    }
    assert.deepEqual(readdirSync(join(dir, 'sandbox')).sort(), ['a', 'seed']);
    assert.deepEqual(readdirSync(join(dir, 'sandbox', 'a')), ['b']);
    assert.deepEqual(readdirSync(join(dir, 'sandbox', 'a', 'b')), ['leech']);
    assert.equal(existsSync(join(dir, 'escaped.txt')), false);
    let got = Buffer.alloc(0);
    for (const p of paths) got = Buffer.concat([got, readFileSync(join(leechDir, ...p.split('/')))]);
    assert.ok(got.equals(data), 'data lands in the sanitised files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
