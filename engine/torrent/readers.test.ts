import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { Bitfield } from '../common/bitfield.js';
import { PiecePicker } from '../picker/index.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { specFor, writePieces } from '../storage/test-spec.js';
import { patternBytes } from '../testing/wait.js';
import { ReaderClosedError, TorrentReaders } from './readers.js';

const PIECE = 32_768;

/** 2 files over 40 pieces; verified pieces only when the test says so. */
function setup() {
  const { spec, all } = specFor([{ path: ['a.bin'], data: patternBytes(PIECE * 10 + 5, 1) }, { path: ['movie.mp4'], data: patternBytes(PIECE * 30 - 5, 2) }], PIECE);
  const storage = new MemoryStorage(spec);
  const clock = new ManualClock(1000);
  const picker = new PiecePicker(storage.geometry, { now: () => clock.now() });
  const have = new Bitfield(storage.geometry.pieceCount);
  let refills = 0;
  const readers = new TorrentReaders({ storage, picker, clock, hasPiece: (p) => have.has(p), deadlinesChanged: () => refills++ });
  const verify = async (pieces: number[]): Promise<void> => {
    await writePieces(storage, all, pieces);
    for (const p of pieces) {
      have.set(p);
      picker.pieceVerified(p);
      readers.pieceVerified(p);
    }
  };
  const deadlines = (): number[] => Array.from({ length: storage.geometry.pieceCount }, (_, p) => p).filter((p) => picker.deadlineOf(p) !== Infinity);
  return { all, storage, clock, picker, readers, verify, deadlines, refills: () => refills };
}

test('a read waits for its pieces to verify, then returns the file\'s bytes (across a piece and a file boundary)', async () => {
  const s = setup();
  const reader = s.readers.open(0, PIECE * 10 + 5, false);
  const into = Buffer.alloc(PIECE + 10);
  let done = false;
  const read = reader.read(PIECE * 9 - 5, into).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'pieces 8 and 9 are not verified yet');
  await s.verify([8]);
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  await s.verify([9, 10]);
  await read;
  assert.ok(into.equals(s.all.subarray(PIECE * 9 - 5, PIECE * 10 + 5)));
  await assert.rejects(reader.read(PIECE * 10, Buffer.alloc(6)), RangeError, 'past the end of the file');
});

test('deadlines: a window ahead of the position, both ends of a media file at once; a seek moves the window; close drops it', async () => {
  const s = setup();
  const offset = PIECE * 10 + 5;
  const movie = s.readers.open(offset, PIECE * 30 - 5, true);
  const first = s.deadlines();
  assert.ok(first.includes(10) && first.includes(39), `head and tail pieces of the media file: ${first}`);
  assert.ok(s.picker.deadlineOf(10) <= s.picker.deadlineOf(11) && s.picker.deadlineOf(11) < s.picker.deadlineOf(14), 'nearer pieces are due sooner');
  assert.ok(s.refills() > 0, 'the peers are topped up when deadlines change');
  // A seek to piece 30: the window moves there at once, the old one is dropped.
  const pending = movie.read(PIECE * 20 - 5, Buffer.alloc(100)).catch((e: unknown) => e);
  const after = s.deadlines();
  assert.ok(after.includes(30) && after.includes(33), `${after}`);
  assert.ok(!after.includes(12) && !after.includes(11), `the old window is gone: ${after}`);
  assert.ok(s.picker.deadlineOf(30) < s.picker.deadlineOf(33));
  movie.close();
  assert.deepEqual(s.deadlines(), []);
  assert.ok((await pending) instanceof ReaderClosedError, 'a pending read fails once its reader closes');
});

test('many readers: the union of their windows, each piece at its earliest deadline; closeAll fails reads and refuses new readers', async () => {
  const s = setup();
  const a = s.readers.open(0, PIECE * 10 + 5, false);
  const b = s.readers.open(PIECE * 10 + 5, PIECE * 30 - 5, false);
  const both = s.deadlines();
  assert.ok(both.includes(0) && both.includes(10), `${both}`);
  a.close();
  assert.ok(!s.deadlines().includes(0) && s.deadlines().includes(10));
  const pending = b.read(0, Buffer.alloc(10)).catch((e: unknown) => e);
  s.readers.closeAll('the torrent stopped');
  assert.ok((await pending) instanceof ReaderClosedError);
  assert.throws(() => s.readers.open(0, 10, false), ReaderClosedError);
  assert.equal(s.picker.deadlineCount, 0);
});

test('the read rate is measured from the reads, and a faster reader gets a longer window', async () => {
  const s = setup();
  await s.verify(Array.from({ length: 10 }, (_, p) => p));
  const reader = s.readers.open(PIECE * 10 + 5, PIECE * 30 - 5, false);
  const small = s.deadlines().length;
  const slow = s.readers.open(0, PIECE * 10 + 5, false);
  const buf = Buffer.alloc(PIECE);
  // 128 KiB/s of reads over two seconds (the clock is the test's).
  for (let i = 0; i < 9; i++) {
    await slow.read(i * PIECE, buf);
    s.clock.advance(250);
  }
  assert.ok(slow.rate > 100_000 && slow.rate < 200_000, `measured ${slow.rate} B/s`);
  slow.close();
  // The movie reader at the default 1 MB/s: 8 s ahead is far more than the minimum of 4 pieces.
  assert.ok(small > 4, `${small} pieces ahead`);
  reader.close();
});

test('a warm-up reader holds the start of the file only until a player reads: its window gives way, and comes back when the player closes', async () => {
  const s = setup();
  const offset = PIECE * 10 + 5;
  const warm = s.readers.open(offset, PIECE * 30 - 5, false, true);
  assert.ok(s.deadlines().includes(10) && s.deadlines().includes(13), `the start of the file before any player asks: ${s.deadlines()}`);
  // A player opens the file and seeks to piece 30 at once: the warm-up window no longer competes with it.
  const player = s.readers.open(offset, PIECE * 30 - 5, false);
  const pending = player.read(PIECE * 20 - 5, Buffer.alloc(100)).catch((e: unknown) => e);
  const during = s.deadlines();
  assert.ok(during.includes(30) && during.includes(33), `${during}`);
  assert.ok(!during.some((p) => p < 30), `no piece of the unread start: ${during}`);
  player.close();
  assert.ok((await pending) instanceof ReaderClosedError);
  assert.ok(s.deadlines().includes(10), `the warm-up window again: ${s.deadlines()}`);
  // Once the warm-up reader reads itself it is an ordinary reader: its window stays beside another's.
  const reading = warm.read(PIECE * 5 - 5, Buffer.alloc(100)).catch((e: unknown) => e);
  const other = s.readers.open(offset, PIECE * 30 - 5, false);
  const otherRead = other.read(PIECE * 25 - 5, Buffer.alloc(100)).catch((e: unknown) => e);
  const both = s.deadlines();
  assert.ok(both.includes(15) && both.includes(35), `both windows: ${both}`);
  s.readers.closeAll('done');
  await Promise.all([reading, otherRead]);
});
