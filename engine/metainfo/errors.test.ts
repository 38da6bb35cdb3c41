// Regression (v2 fuzzer, seed 1482235706): a file named "\n\0" made a two-line MetainfoError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MagnetError, MetainfoError } from './errors.js';

test('metainfo and magnet errors stay one line whatever names they quote', () => {
  const e = new MetainfoError("torrent: invalid length of '\n\u0000'", { cause: 1 });
  assert.equal(e.message, "torrent: invalid length of '\\n\\u0000'");
  assert.equal(e.cause, 1);
  assert.doesNotMatch(new MagnetError('magnet: bad dn \r\n\t\u007f').message, /[\u0000-\u001f\u007f]/);
});
