import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PieceGeometry } from '../common/geometry.js';
import { StorageError } from '../storage/types.js';
import { READ_AHEAD_CHUNK, ReadAhead } from './read-ahead.js';

const BLOCK = 16 * 1024;

/** A storage over a buffer of known bytes that counts its reads and can fail them. */
function fakeStorage(totalLength: number, pieceLength: number) {
  const geometry = new PieceGeometry(totalLength, pieceLength);
  const bytes = Buffer.alloc(totalLength);
  for (let i = 0; i < totalLength; i++) bytes[i] = (i * 7 + (i >>> 11)) & 0xff;
  const reads: { piece: number; begin: number; length: number }[] = [];
  let failing = false;
  return {
    bytes,
    reads,
    fail(on: boolean): void {
      failing = on;
    },
    storage: {
      geometry,
      readBlock(piece: number, begin: number, length: number, target: Buffer, targetOffset: number): Promise<void> {
        reads.push({ piece, begin, length });
        if (failing) return Promise.reject(new StorageError(`data for piece ${piece} is missing on disk: recheck the torrent`, 'ENOENT'));
        const at = geometry.pieceOffset(piece) + begin;
        bytes.copy(target, targetOffset, at, at + length);
        return Promise.resolve();
      },
    },
  };
}

async function block(ra: ReadAhead, piece: number, begin: number, length = BLOCK): Promise<Buffer> {
  const got = await ra.readBlock(piece, begin, length);
  assert.equal(got.data.length, length);
  got.release();
  return got.data;
}

test('a piece fetched in order is read from storage once, and every block holds the right bytes', async () => {
  const pieceLength = 256 * 1024;
  const f = fakeStorage(pieceLength * 3 - 5000, pieceLength);
  const ra = new ReadAhead(f.storage);
  for (let piece = 0; piece < 3; piece++) {
    const size = f.storage.geometry.pieceSize(piece);
    for (let begin = 0; begin < size; begin += BLOCK) {
      const length = Math.min(BLOCK, size - begin);
      const got = await block(ra, piece, begin, length);
      const at = f.storage.geometry.pieceOffset(piece) + begin;
      assert.ok(got.equals(f.bytes.subarray(at, at + length)), `piece ${piece} block at ${begin}`);
    }
  }
  assert.deepEqual(
    f.reads.map((r) => [r.piece, r.begin, r.length]),
    [
      [0, 0, pieceLength],
      [1, 0, pieceLength],
      [2, 0, pieceLength - 5000],
    ],
  );
  assert.equal(ra.size, 0, 'fully served chunks are dropped');
});

test('pieces larger than the chunk are read a chunk at a time', async () => {
  const pieceLength = 4 * READ_AHEAD_CHUNK;
  const f = fakeStorage(pieceLength, pieceLength);
  const ra = new ReadAhead(f.storage);
  for (let begin = 0; begin < pieceLength; begin += BLOCK) await block(ra, 0, begin);
  assert.deepEqual(
    f.reads.map((r) => r.begin),
    [0, 1, 2, 3].map((i) => i * READ_AHEAD_CHUNK),
  );
  assert.ok(f.reads.every((r) => r.length === READ_AHEAD_CHUNK));
});

test('a block in the middle of a chunk not held is read on its own (random access costs no more)', async () => {
  const f = fakeStorage(1024 * 1024, 256 * 1024);
  const ra = new ReadAhead(f.storage);
  const got = await block(ra, 2, 5 * BLOCK);
  assert.ok(got.equals(f.bytes.subarray(2 * 256 * 1024 + 5 * BLOCK, 2 * 256 * 1024 + 6 * BLOCK)));
  assert.deepEqual(f.reads, [{ piece: 2, begin: 5 * BLOCK, length: BLOCK }]);
  assert.equal(ra.size, 0);
});

test('blocks asked for before the chunk has loaded wait for that one read', async () => {
  const f = fakeStorage(512 * 1024, 256 * 1024);
  const ra = new ReadAhead(f.storage);
  const all = await Promise.all(Array.from({ length: 16 }, (_, i) => block(ra, 1, i * BLOCK)));
  assert.equal(f.reads.length, 1);
  assert.ok(Buffer.concat(all).equals(f.bytes.subarray(256 * 1024, 512 * 1024)));
});

test('a failed read reaches the caller and is not kept: the next request tries the disk again', async () => {
  const f = fakeStorage(512 * 1024, 256 * 1024);
  const ra = new ReadAhead(f.storage);
  f.fail(true);
  await assert.rejects(block(ra, 0, 0), /missing on disk/);
  f.fail(false);
  const got = await block(ra, 0, 0);
  assert.ok(got.equals(f.bytes.subarray(0, BLOCK)));
  assert.equal(f.reads.length, 2);
  ra.clear();
});

test('at most 8 chunks are held: the least recently used goes first', async () => {
  const f = fakeStorage(20 * 64 * 1024, 64 * 1024);
  const ra = new ReadAhead(f.storage);
  for (let piece = 0; piece < 12; piece++) await block(ra, piece, 0);
  assert.equal(ra.size, 8);
  // Piece 0 was dropped: its second block now starts inside a chunk not held and is read on its own.
  await block(ra, 0, BLOCK);
  assert.deepEqual(f.reads.at(-1), { piece: 0, begin: BLOCK, length: BLOCK });
  // Piece 11 is still held.
  const before = f.reads.length;
  await block(ra, 11, BLOCK);
  assert.equal(f.reads.length, before);
  ra.clear();
  assert.equal(ra.size, 0);
});

test('prefetch reads the chunk a queued request starts, once, and the blocks then come from memory', async () => {
  const f = fakeStorage(1024 * 1024, 256 * 1024);
  const ra = new ReadAhead(f.storage);
  assert.equal(ra.prefetch(1, 0, BLOCK), true);
  assert.equal(ra.prefetch(1, 0, BLOCK), false, 'already held');
  assert.equal(ra.prefetch(1, BLOCK, BLOCK), false, 'not the start of a chunk');
  assert.equal(ra.prefetch(2, 0, 256 * 1024), false, 'a request for the whole chunk gains nothing');
  for (let begin = 0; begin < 256 * 1024; begin += BLOCK) await block(ra, 1, begin);
  assert.deepEqual(f.reads, [{ piece: 1, begin: 0, length: 256 * 1024 }]);
  assert.equal(ra.size, 0);
});

test('a chunk buffer is reused only once every view of it is released, so bytes still queued in a socket stay intact', async () => {
  const f = fakeStorage(READ_AHEAD_CHUNK * 3, READ_AHEAD_CHUNK);
  const ra = new ReadAhead(f.storage);
  const views = [];
  for (let begin = 0; begin < READ_AHEAD_CHUNK; begin += BLOCK) views.push(await ra.readBlock(0, begin, BLOCK));
  assert.equal(ra.size, 0, 'fully served: dropped');
  assert.equal(ra.spareCount, 0, 'but a view is still out: not reusable');
  const last = views.pop()!;
  for (const v of views) v.release();
  assert.equal(ra.spareCount, 0, 'one view still out');
  // Piece 1 loads into a new buffer: the held-out view of piece 0 keeps its bytes.
  const next = await ra.readBlock(1, 0, BLOCK);
  assert.ok(last.data.equals(f.bytes.subarray(READ_AHEAD_CHUNK - BLOCK, READ_AHEAD_CHUNK)), 'the unreleased view is unchanged');
  last.release();
  assert.equal(ra.spareCount, 1, 'released: back in the pool');
  next.release();
  // Piece 2 reuses piece 0's buffer and reads the right bytes into it.
  const reused = await ra.readBlock(2, 0, BLOCK);
  assert.equal(ra.spareCount, 0);
  assert.ok(reused.data.equals(f.bytes.subarray(2 * READ_AHEAD_CHUNK, 2 * READ_AHEAD_CHUNK + BLOCK)));
  assert.equal(reused.data.buffer, last.data.buffer, 'the same memory');
  reused.release();
});
