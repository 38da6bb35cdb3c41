import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_SIZE } from '../common/geometry.js';
import { patternBytes as pattern } from '../testing/wait.js';
import { PieceMemory, WORKING_SET_RESERVE, defaultPartialPieceMemory, pieceBufferLimit } from './piece-memory.js';
import { FileStorage } from './storage.js';
import { specFor, tempDir } from './test-spec.js';

test('with the piece memory spent, pieces are written through and verified from disk, in any block order', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pieceLength = 4 * BLOCK_SIZE;
    const files = [{ path: ['t', 'a.bin'], data: pattern(5 * pieceLength + 1000, 4) }];
    const { spec, all } = specFor(files, pieceLength);
    // Room for one piece buffer: piece 0 is held in memory while the others must go through.
    const memory = new PieceMemory(pieceLength);
    const storage = new FileStorage(spec, dir, memory);
    const g = storage.geometry;
    const block = (p: number, b: number): Buffer => all.subarray(g.pieceOffset(p) + b * BLOCK_SIZE, g.pieceOffset(p) + b * BLOCK_SIZE + g.blockSize(p, b));
    storage.writeBlock(0, 0, block(0, 0));
    for (let p = 1; p < g.pieceCount; p++) {
      // Blocks out of order (1, 0, 3, 2): part is hashed on arrival, the rest read back.
      const order = [1, 0, 3, 2].filter((b) => b < g.blocksInPiece(p));
      for (const b of order) storage.writeBlock(p, b * BLOCK_SIZE, block(p, b));
      assert.equal(memory.allocatedBytes, pieceLength, 'no buffer beyond the budget');
      assert.equal(await storage.finishPiece(p), true, `piece ${p} verified from disk`);
    }
    for (let b = 1; b < 4; b++) storage.writeBlock(0, b * BLOCK_SIZE, block(0, b));
    assert.equal(await storage.finishPiece(0), true);
    storage.close();
    assert.ok(readFileSync(join(dir, 't', 'a.bin')).equals(files[0].data));
    assert.equal(memory.allocatedBytes, 0, 'the buffer went back to the budget');
  } finally {
    cleanup();
  }
});

test('a piece written through with a bad block fails its check', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pieceLength = 2 * BLOCK_SIZE;
    const { spec, all } = specFor([{ path: ['b.bin'], data: pattern(2 * pieceLength, 5) }], pieceLength);
    const storage = new FileStorage(spec, dir, new PieceMemory(0));
    storage.writeBlock(1, BLOCK_SIZE, all.subarray(pieceLength + BLOCK_SIZE, 2 * pieceLength));
    storage.writeBlock(1, 0, Buffer.alloc(BLOCK_SIZE, 9));
    assert.equal(await storage.finishPiece(1), false);
    storage.close();
  } finally {
    cleanup();
  }
});

test('piece memory reuses buffers and never allocates past its limit', () => {
  const A = 4096;
  const memory = new PieceMemory(3 * A);
  const a = memory.take(A)!;
  const b = memory.take(A)!;
  assert.equal(a.length, A);
  memory.give(a);
  assert.equal(memory.take(A), a, 'a spare is reused');
  assert.ok(memory.take(A));
  assert.equal(memory.take(A), null, 'the budget is spent');
  memory.give(b);
  assert.equal(memory.take(2 * A), null, 'dropping the spare of another size still leaves too little room');
  assert.equal(memory.allocatedBytes, 2 * A, 'that spare was dropped');
});

test('a session budget keeps 64 MiB back from piece buffers; a budget that small writes every piece through', () => {
  const MiB = 2 ** 20;
  assert.equal(WORKING_SET_RESERVE, 64 * MiB);
  assert.equal(pieceBufferLimit(256 * MiB), 192 * MiB);
  assert.equal(pieceBufferLimit(null), Math.max(0, defaultPartialPieceMemory() - 64 * MiB));
  assert.equal(pieceBufferLimit(16 * MiB), 0);
  const memory = PieceMemory.forSessionBudget(64 * MiB + 16 * MiB);
  assert.equal(memory.limitBytes, 16 * MiB);
  assert.ok(memory.take(16 * MiB) !== null, 'one 16 MiB piece fits');
  assert.equal(memory.take(16 * MiB), null, 'the second goes through');
});
