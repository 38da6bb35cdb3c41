// The memory backend meets the Storage contract the torrent relies on (a second backend fits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from './memory-storage.js';
import { specFor, writePieces } from './test-spec.js';
import { patternBytes } from '../testing/wait.js';

const { spec, all } = specFor([{ path: ['a'], data: patternBytes(100_000, 1) }, { path: ['b'], data: patternBytes(30_000, 2) }], 32_768);

test('memory storage keeps verified pieces and reads blocks back', async () => {
  const storage = new MemoryStorage(spec);
  assert.equal((await storage.verify()).count, 0);
  await writePieces(storage, all);
  const out = Buffer.alloc(20_000);
  await storage.readBlock(3, 100, 20_000, out, 0);
  assert.ok(out.equals(all.subarray(3 * 32_768 + 100, 3 * 32_768 + 20_100)));
  assert.equal((await storage.verify()).count, storage.geometry.pieceCount);
});

test('memory storage refuses a piece that fails its hash, and reads of pieces it does not hold', async () => {
  const storage = new MemoryStorage(spec);
  const bad = Buffer.from(all.subarray(0, 32_768));
  bad[5] ^= 1;
  storage.writeBlock(0, 0, bad.subarray(0, 16_384));
  storage.writeBlock(0, 16_384, bad.subarray(16_384));
  assert.equal(await storage.finishPiece(0), false);
  await assert.rejects(storage.readBlock(0, 0, 16_384, Buffer.alloc(16_384), 0), { name: 'StorageError' });
});

test('memory storage seeded with data verifies it', async () => {
  const storage = new MemoryStorage(spec, all);
  assert.equal((await storage.verify()).count, storage.geometry.pieceCount);
  await storage.deleteFiles();
  assert.equal((await storage.verify()).count, 0);
});
