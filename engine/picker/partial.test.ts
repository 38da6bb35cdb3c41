import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { checkPartial, dropRequest, missingOf, newPartial, takeDuplicates, takeMissing, type Partial } from './partial.js';
import type { BlockRequest } from './types.js';

const CAP = 3;
const geo = new PieceGeometry(4 * BLOCK_SIZE, 4 * BLOCK_SIZE); // one piece of 4 blocks
const fail = (msg: string): never => {
  throw new Error(msg);
};
const blocks = (out: BlockRequest[]): number[] => out.map((r) => r.begin / BLOCK_SIZE);

function withRequests(): Partial {
  const part = newPartial(0, 4, CAP);
  assert.equal(takeMissing(part, 1, CAP, geo, 2, []), 2); // peer 1 has blocks 0, 1
  return part;
}

test('takeMissing requests missing blocks lowest first, up to the limit, and skips them next time', () => {
  const part = newPartial(0, 4, CAP);
  const out: BlockRequest[] = [];
  assert.equal(takeMissing(part, 1, CAP, geo, 3, out), 3);
  assert.deepEqual(blocks(out), [0, 1, 2]);
  assert.equal(takeMissing(part, 2, CAP, geo, 10, out), 1);
  assert.deepEqual(blocks(out), [0, 1, 2, 3]);
  assert.equal(missingOf(part), 0);
  checkPartial(part, CAP, fail);
});

test("dropRequest frees a block only when its last requester's request goes", () => {
  const part = withRequests();
  takeDuplicates(part, 1, 2, CAP, geo, 10, []); // peer 2 duplicates blocks 0 and 1
  assert.equal(dropRequest(part, 0, CAP, 1), false); // peer 2 still has it
  assert.equal(dropRequest(part, 0, CAP, 1), false); // peer 1 no longer has it
  assert.equal(dropRequest(part, 0, CAP, 2), true);
  assert.equal(dropRequest(part, 1, CAP, undefined), true); // every request at once
  assert.equal(part.nRequested, 0);
  assert.equal(part.hint, 0);
  assert.equal(missingOf(part), 4);
});

test('takeDuplicates never gives a peer a block twice and stops at the limit', () => {
  const part = withRequests();
  const mine: BlockRequest[] = [];
  takeDuplicates(part, 1, 1, CAP, geo, 10, mine);
  assert.deepEqual(mine, []);
  const out: BlockRequest[] = [];
  takeDuplicates(part, 1, 2, CAP, geo, 1, out);
  assert.deepEqual(blocks(out), [0]);
  checkPartial(part, CAP, fail);
});
