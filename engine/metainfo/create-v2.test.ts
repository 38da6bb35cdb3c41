import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTorrent } from './create.js';
import { parseTorrent } from './index.js';
import { fileRoot, leafHashes } from './merkle.js';
import { content } from './test-v2-torrents.js';

test('v2 and hybrid creation: layout, roots, piece layers and the hybrid v1 hashes over the padded data', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-create-v2-unit-'));
  try {
    const root = path.join(dir, 'pack');
    await mkdir(path.join(root, 'd'), { recursive: true });
    const a = content(50_000, 1);
    const b = content(16_384, 2);
    await writeFile(path.join(root, 'a'), a);
    await writeFile(path.join(root, 'd', 'b'), b);
    await writeFile(path.join(root, 'e'), '');
    const progress: number[] = [];
    const v2 = parseTorrent(await createTorrent(root, { format: 'v2', pieceLength: 32768, onProgress: (h) => progress.push(h) }));
    assert.equal(v2.version, 2);
    assert.equal(progress.at(-1), a.length + b.length);
    assert.deepEqual(v2.files.map((f) => [f.path.join('/'), f.length, f.padding]), [
      ['pack/a', 50000, false],
      ['pack/.pad/15536', 15536, true],
      ['pack/d/b', 16384, false],
      ['pack/.pad/16384', 16384, true],
      ['pack/e', 0, false],
    ]);
    assert.deepEqual(v2.files[0].piecesRoot, fileRoot(leafHashes(a)));
    assert.deepEqual([...v2.pieceLayers!.keys()], [Buffer.from(fileRoot(leafHashes(a))).toString('hex')], 'only files longer than a piece have a layer');

    const hy = parseTorrent(await createTorrent(root, { format: 'hybrid', pieceLength: 32768 }));
    assert.equal(hy.version, 'hybrid');
    const padded = Buffer.concat([a, Buffer.alloc(15536), b, Buffer.alloc(16384)]);
    for (let p = 0; p < hy.pieceCount; p++) {
      const want = createHash('sha1').update(padded.subarray(p * 32768, (p + 1) * 32768)).digest();
      assert.deepEqual(Buffer.from(hy.pieces.subarray(p * 20, p * 20 + 20)), want, `piece ${p}`);
    }
    // v1 stays the default and has no v2 parts
    const v1 = parseTorrent(await createTorrent(root, { pieceLength: 32768 }));
    assert.equal(v1.version, 1);
    assert.equal(v1.infoHashV2, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
