import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PieceBlame } from './bans.js';

test('the sole source of a bad piece is banned; one of several only on its second bad piece', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  const blame = new PieceBlame<{ name: string }>();
  blame.contributed(1, a);
  blame.contributed(1, b);
  blame.contributed(1, a);
  assert.deepEqual([...blame.pieces()], [1]);
  assert.deepEqual(blame.failed(1), { sources: [a, b], banned: [] });
  blame.contributed(2, a);
  blame.contributed(2, b);
  assert.deepEqual(blame.failed(2).banned, [a, b]);
  blame.contributed(3, { name: 'c' });
  assert.equal(blame.failed(3).banned.length, 1);
  blame.contributed(4, a);
  blame.forget(4);
  assert.deepEqual(blame.failed(4), { sources: [], banned: [] });
});
