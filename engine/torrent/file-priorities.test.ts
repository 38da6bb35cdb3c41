import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FilePriority } from '../api/types.js';
import { Bitfield } from '../common/bitfield.js';
import { fileProgress, filesInPiece, piecePrioritiesFor, wantedBytes, type FileExtent } from './file-priorities.js';

/** Files laid end to end; a negative length is a padding file of that many bytes. */
function layout(lengths: number[]): FileExtent[] {
  let offset = 0;
  return lengths.map((l) => {
    const f = { offset, length: Math.abs(l), padding: l < 0 || Object.is(l, -0) };
    offset += Math.abs(l);
    return f;
  });
}

function total(files: FileExtent[]): number {
  return files.length === 0 ? 0 : files[files.length - 1].offset + files[files.length - 1].length;
}

function prios(files: FileExtent[], pieceLength: number, fp: FilePriority[], firstLast = false): number[] {
  const count = Math.ceil(total(files) / pieceLength);
  return Array.from(piecePrioritiesFor(files, pieceLength, count, fp, { firstLastPiecesFirst: firstLast }));
}

function bits(s: string): Bitfield {
  const b = new Bitfield(s.length);
  for (let i = 0; i < s.length; i++) if (s[i] === '1') b.set(i);
  return b;
}

describe('piecePrioritiesFor', () => {
  it('maps skip/low/normal/high to 0/1/4/7', () => {
    const files = layout([10, 10, 10, 10]);
    assert.deepEqual(prios(files, 10, ['skip', 'low', 'normal', 'high']), [0, 1, 4, 7]);
  });

  it('a piece straddling a skipped and a wanted file is wanted, with the highest priority', () => {
    // pieces of 10: file a = [0,15), b = [15,25), c = [25,40)
    const files = layout([15, 10, 15]);
    assert.deepEqual(prios(files, 10, ['skip', 'low', 'skip']), [0, 1, 1, 0]);
    assert.deepEqual(prios(files, 10, ['high', 'skip', 'low']), [7, 7, 1, 1]);
    assert.deepEqual(prios(files, 10, ['low', 'normal', 'high']), [1, 4, 7, 7]);
  });

  it('a piece only inside skipped files gets 0', () => {
    const files = layout([5, 5, 10]);
    assert.deepEqual(prios(files, 10, ['skip', 'skip', 'normal']), [0, 4]);
  });

  it('zero-length files count for nothing, wherever they sit', () => {
    const files = layout([10, 0, 10, 0]);
    assert.deepEqual(prios(files, 10, ['skip', 'high', 'skip', 'high']), [0, 0]);
    assert.deepEqual(prios(files, 10, ['normal', 'skip', 'low', 'skip']), [4, 1]);
    assert.deepEqual(prios(layout([0, 0]), 10, ['high', 'high']), []);
  });

  it('padding files count for nothing, even when marked high', () => {
    // a = [0,6), pad = [6,10), b = [10,30)
    const files = layout([6, -4, 20]);
    assert.deepEqual(prios(files, 10, ['skip', 'high', 'low']), [0, 1, 1]);
    assert.deepEqual(prios(files, 10, ['normal', 'skip', 'skip']), [4, 0, 0]);
  });

  it('handles the last short piece', () => {
    const files = layout([10, 13]); // pieces of 10: 3 pieces, the last of 3 bytes
    assert.deepEqual(prios(files, 10, ['skip', 'high']), [0, 7, 7]);
    assert.deepEqual(prios(files, 10, ['normal', 'skip']), [4, 0, 0]);
  });

  it('firstLastPiecesFirst raises the first and last piece of every wanted file to 7', () => {
    const files = layout([50, 5, 45]);
    assert.deepEqual(prios(files, 10, ['normal', 'skip', 'low'], true), [7, 4, 4, 4, 7, 7, 1, 1, 1, 7]);
    assert.deepEqual(prios(files, 10, ['skip', 'skip', 'skip'], true), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // a one-piece file: its only piece is first and last
    assert.deepEqual(prios(layout([10, 3, 7]), 10, ['skip', 'low', 'skip'], true), [0, 7]);
  });

  it('refuses mismatched lists, unknown priorities and files beyond the pieces', () => {
    const files = layout([10, 10]);
    assert.throws(() => piecePrioritiesFor(files, 10, 2, ['normal']), RangeError);
    assert.throws(() => piecePrioritiesFor(files, 10, 2, ['normal', 'urgent' as FilePriority]), RangeError);
    assert.throws(() => piecePrioritiesFor(files, 10, 2, ['normal', 'toString' as FilePriority]), RangeError);
    assert.throws(() => piecePrioritiesFor(files, 10, 1, ['normal', 'normal']), RangeError);
    assert.throws(() => piecePrioritiesFor(files, 0, 2, ['normal', 'normal']), RangeError);
  });
});

describe('wantedBytes', () => {
  it('sums files that are not skipped, without padding', () => {
    const files = layout([6, -4, 20, 0, 7]);
    assert.equal(wantedBytes(files, ['normal', 'high', 'low', 'high', 'skip']), 26);
    assert.equal(wantedBytes(files, ['skip', 'skip', 'skip', 'skip', 'skip']), 0);
    assert.throws(() => wantedBytes(files, ['normal']), RangeError);
  });
});

describe('fileProgress', () => {
  it('counts verified bytes per file, exact at the edges', () => {
    // pieces of 10: a = [0,15), b = [15,25), empty, c = [25,43): 5 pieces, the last of 3 bytes
    const files = layout([15, 10, 0, 18]);
    assert.deepEqual(fileProgress(files, 10, bits('00000')), [0, 0, 0, 0]);
    assert.deepEqual(fileProgress(files, 10, bits('11111')), [15, 10, 0, 18]);
    assert.deepEqual(fileProgress(files, 10, bits('01000')), [5, 5, 0, 0]);
    assert.deepEqual(fileProgress(files, 10, bits('00100')), [0, 5, 0, 5]);
    assert.deepEqual(fileProgress(files, 10, bits('00001')), [0, 0, 0, 3]);
    assert.deepEqual(fileProgress(files, 10, bits('10011')), [10, 0, 0, 13]);
  });

  it('a file inside one piece is all or nothing', () => {
    const files = layout([3, 4, 3]);
    assert.deepEqual(fileProgress(files, 10, bits('1')), [3, 4, 3]);
    assert.deepEqual(fileProgress(files, 10, bits('0')), [0, 0, 0]);
  });

  it('counts long runs of pieces (the byte-wise popcount path)', () => {
    const files = layout([5, 1000, 5]); // pieces of 10: 101 pieces
    const have = new Bitfield(101);
    for (let p = 0; p < 101; p += 3) have.set(p);
    let expect = 0;
    for (let p = 0; p < 101; p++) {
      if (!have.has(p)) continue;
      const lo = Math.max(p * 10, 5);
      const hi = Math.min(p * 10 + 10, 1005);
      expect += Math.max(0, hi - lo);
    }
    assert.equal(fileProgress(files, 10, have)[1], expect);
  });
});

describe('filesInPiece', () => {
  it('lists the data files holding bytes of a piece', () => {
    const files = layout([15, 0, 10, -5, 13]);
    assert.deepEqual(filesInPiece(files, 10, 0), [0]);
    assert.deepEqual(filesInPiece(files, 10, 1), [0, 2]);
    assert.deepEqual(filesInPiece(files, 10, 2), [2], 'padding is not listed');
    assert.deepEqual(filesInPiece(files, 10, 3), [4]);
    assert.deepEqual(filesInPiece(files, 10, 4), [4]);
  });
});

// ---------------------------------------------------------------- properties

const PRIOS: FilePriority[] = ['skip', 'low', 'normal', 'high'];
const RANK: Record<FilePriority, number> = { skip: 0, low: 1, normal: 4, high: 7 };

const torrentArb = fc
  .record({
    lengths: fc.array(fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -9, max: -1 })), { minLength: 1, maxLength: 12 }),
    pieceLength: fc.integer({ min: 1, max: 25 }),
    seed: fc.array(fc.constantFrom(...PRIOS), { minLength: 12, maxLength: 12 }),
    firstLast: fc.boolean(),
    haveSeed: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  })
  .filter((t) => t.lengths.some((l) => l > 0));

describe('file priority properties', () => {
  it('matches a byte-by-byte model, and every wanted byte lies in a wanted piece', () => {
    fc.assert(
      fc.property(torrentArb, (t) => {
        const files = layout(t.lengths);
        const fp = files.map((_, i) => t.seed[i]);
        const size = total(files);
        const count = Math.ceil(size / t.pieceLength);
        const got = piecePrioritiesFor(files, t.pieceLength, count, fp, { firstLastPiecesFirst: t.firstLast });
        // model: every byte of a data file raises its piece to the file's rank
        const model = new Uint8Array(count);
        files.forEach((f, i) => {
          if (f.padding) return;
          for (let b = f.offset; b < f.offset + f.length; b++) {
            const p = Math.floor(b / t.pieceLength);
            model[p] = Math.max(model[p], RANK[fp[i]]);
          }
          if (t.firstLast && RANK[fp[i]] > 0 && f.length > 0) {
            model[Math.floor(f.offset / t.pieceLength)] = 7;
            model[Math.floor((f.offset + f.length - 1) / t.pieceLength)] = 7;
          }
        });
        assert.deepEqual(Array.from(got), Array.from(model));
        // skipping everything wants nothing; wanted bytes never exceed wanted pieces' bytes
        let wantedPieceBytes = 0;
        for (let p = 0; p < count; p++) if (got[p] > 0) wantedPieceBytes += Math.min(t.pieceLength, size - p * t.pieceLength);
        assert.ok(wantedBytes(files, fp) <= wantedPieceBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('fileProgress matches a byte-by-byte model and is bounded by the file length', () => {
    fc.assert(
      fc.property(torrentArb, (t) => {
        const files = layout(t.lengths);
        const count = Math.ceil(total(files) / t.pieceLength);
        const have = new Bitfield(count);
        for (let p = 0; p < count; p++) if (t.haveSeed[p % t.haveSeed.length] !== (p % 7 === 3)) have.set(p);
        const got = fileProgress(files, t.pieceLength, have);
        files.forEach((f, i) => {
          let model = 0;
          for (let b = f.offset; b < f.offset + f.length; b++) if (have.has(Math.floor(b / t.pieceLength))) model++;
          assert.equal(got[i], model, `file ${i}`);
          assert.ok(got[i] >= 0 && got[i] <= f.length);
        });
        const full = fileProgress(files, t.pieceLength, Bitfield.full(count));
        assert.deepEqual(full, files.map((f) => f.length));
      }),
      { numRuns: 300 },
    );
  });

  it('filesInPiece agrees with the piece ranges', () => {
    fc.assert(
      fc.property(torrentArb, (t) => {
        const files = layout(t.lengths);
        const count = Math.ceil(total(files) / t.pieceLength);
        for (let p = 0; p < count; p++) {
          const model = files
            .map((f, i) => ({ f, i }))
            .filter(({ f }) => !f.padding && f.length > 0 && f.offset < (p + 1) * t.pieceLength && f.offset + f.length > p * t.pieceLength)
            .map(({ i }) => i);
          assert.deepEqual(filesInPiece(files, t.pieceLength, p), model);
        }
      }),
      { numRuns: 200 },
    );
  });
});
