import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PieceGeometry } from '../common/geometry.js';
import { FileLayout } from './layout.js';
import { filesOfPieces, syncFiles } from './sync-files.js';

test('the files of some pieces, padding left out, each once; syncing them skips files not yet created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sync-'));
  try {
    const layout = new FileLayout([
      { absPath: join(dir, 'a'), offset: 0, length: 100, padding: false },
      { absPath: join(dir, '.pad'), offset: 100, length: 28, padding: true },
      { absPath: join(dir, 'b'), offset: 128, length: 300, padding: false },
    ]);
    const g = new PieceGeometry(428, 64);
    assert.deepEqual(filesOfPieces(layout, g, [0]), [join(dir, 'a')]);
    assert.deepEqual(filesOfPieces(layout, g, [1, 0]), [join(dir, 'a')], 'piece 1 ends in the padding');
    assert.deepEqual(filesOfPieces(layout, g, [1, 2, 6]), [join(dir, 'a'), join(dir, 'b')]);
    writeFileSync(join(dir, 'a'), Buffer.alloc(100));
    await syncFiles(filesOfPieces(layout, g, [0, 1, 2, 3, 4, 5, 6]));
    await assert.rejects(syncFiles([join(dir, 'a', 'not-a-dir')]), /ENOTDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
