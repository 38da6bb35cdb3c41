import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PieceMap } from '../../engine/api/types.js';
import { bufferedAhead, bufferedSpans, fileOffset, spansTotal } from './stream-buffer.js';

/** A piece map from a string: '1' = have, '0' = missing. */
function mapOf(pieces: string, pieceLength: number): PieceMap {
  const have = new Uint8Array(Math.ceil(pieces.length / 8));
  [...pieces].forEach((c, i) => {
    if (c === '1') have[i >> 3] |= 0x80 >> (i & 7);
  });
  return { pieceCount: pieces.length, pieceLength, have, downloading: new Uint8Array(have.length), availability: new Uint16Array(pieces.length) };
}

describe('fileOffset', () => {
  it('sums the lengths of the files before it', () => {
    const files = [
      { index: 0, length: 10 },
      { index: 1, length: 25 },
      { index: 2, length: 5 },
    ];
    assert.equal(fileOffset(files, 0, 16), 0);
    assert.equal(fileOffset(files, 2, 16), 35);
    assert.equal(fileOffset(files, 9, 16), null);
  });

  it('a skipped index (a padding file left out of the list) moves the next file to a piece boundary', () => {
    const files = [
      { index: 2, length: 7 },
      { index: 0, length: 10 },
    ];
    assert.equal(fileOffset(files, 2, 16), 16);
  });
});

describe('bufferedSpans', () => {
  it('maps runs of verified pieces onto the file, clipped to its bytes', () => {
    // pieces of 10 bytes; the file is bytes [15, 55): pieces 1..5
    const map = mapOf('011001', 10);
    const spans = bufferedSpans(map, 15, 40);
    assert.deepEqual(spans, [
      [0, 15 / 40],
      [35 / 40, 1],
    ]);
    assert.ok(Math.abs(spansTotal(spans) - 20 / 40) < 1e-9);
  });

  it('nothing downloaded, everything downloaded, and an empty file', () => {
    assert.deepEqual(bufferedSpans(mapOf('0000', 10), 0, 40), []);
    assert.deepEqual(bufferedSpans(mapOf('1111', 10), 0, 40), [[0, 1]]);
    assert.deepEqual(bufferedSpans(mapOf('1111', 10), 10, 0), []);
  });

  it('bufferedAhead: how much is contiguous from the play position', () => {
    const spans = bufferedSpans(mapOf('1101', 10), 0, 40);
    assert.equal(bufferedAhead(spans, 0.1), 0.4);
    assert.equal(bufferedAhead(spans, 0.6), 0);
    assert.equal(bufferedAhead(spans, 0.8), 0.19999999999999996);
  });
});
