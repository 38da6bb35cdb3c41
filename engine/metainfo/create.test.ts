import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { choosePieceLength, createTorrent } from './create.js';
import { parseTorrent } from './index.js';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();

function data(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

test('choosePieceLength aims at <= 2000 pieces within 16 KiB..16 MiB', () => {
  assert.equal(choosePieceLength(1), 16384);
  assert.equal(choosePieceLength(2000 * 16384), 16384);
  assert.equal(choosePieceLength(2001 * 16384), 32768);
  assert.equal(choosePieceLength(2 ** 50), 16 * 1024 * 1024);
});

test('folder torrent: sorted files, hidden included, symlinks skipped, hashes span files', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-create-'));
  try {
    const root = path.join(dir, 'My Folder');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    const a = data(20000, 1);
    const h = data(5, 2);
    const c = data(30000, 3);
    await writeFile(path.join(root, 'sub', 'c.bin'), c);
    await writeFile(path.join(root, '.hidden'), h);
    await writeFile(path.join(root, 'a.bin'), a);
    await symlink(path.join(root, 'a.bin'), path.join(root, 'link'));
    const progress: number[] = [];
    const buf = await createTorrent(root, {
      trackers: ['http://t1/announce', 'udp://t2:80'],
      pieceLength: 16384,
      private: true,
      comment: 'c',
      creationDate: null,
      onProgress: (done, total) => {
        assert.equal(total, 50005);
        progress.push(done);
      },
    });
    const m = parseTorrent(buf);
    assert.equal(m.name, 'My Folder');
    assert.deepEqual(m.files.map((f) => f.path.join('/')), ['My Folder/.hidden', 'My Folder/a.bin', 'My Folder/sub/c.bin']);
    assert.equal(m.totalLength, 50005);
    assert.equal(m.pieceCount, 4);
    const all = Buffer.concat([h, a, c]);
    for (let i = 0; i < m.pieceCount; i++) {
      assert.deepEqual(Buffer.from(m.pieces.subarray(i * 20, i * 20 + 20)), sha1(all.subarray(i * 16384, (i + 1) * 16384)));
    }
    assert.deepEqual(m.announce, [['http://t1/announce'], ['udp://t2:80']]);
    assert.equal(m.private, true);
    assert.equal(m.comment, 'c');
    assert.equal(m.createdBy, 'Tessera 0.1.0');
    assert.equal(m.creationDate, undefined);
    assert.deepEqual(progress, [16384, 32768, 49152, 50005]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('single-file torrent and errors', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-create-'));
  try {
    const f = path.join(dir, 'one.bin');
    await writeFile(f, data(100, 9));
    const m = parseTorrent(await createTorrent(f, { trackers: ['http://t/a'] }));
    assert.equal(m.multiFile, false);
    assert.equal(m.name, 'one.bin');
    assert.equal(m.pieceLength, 16384);
    assert.deepEqual(Buffer.from(m.pieces), sha1(data(100, 9)));
    assert.ok(m.creationDate! > 1_600_000_000);
    await writeFile(path.join(dir, 'empty'), '');
    await assert.rejects(createTorrent(path.join(dir, 'empty')), /total size 0/);
    await assert.rejects(createTorrent(f, { pieceLength: 1000 }), /power of two/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
