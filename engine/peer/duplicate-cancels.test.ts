import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE } from '../common/geometry.js';
import { decodeMessage, Framer } from '../wire/index.js';
import { DuplicateCancels, type CancelTarget } from './duplicate-cancels.js';
import { RequestPipeline } from './request-pipeline.js';
import type { BlockSource } from './web-seeds.js';

function fakePeer(id: number): CancelTarget & { writes: Buffer[] } {
  const writes: Buffer[] = [];
  return { id, requests: new RequestPipeline(0), closed: false, writes, send: (data) => (writes.push(Buffer.from(data)), true) };
}

function messagesIn(write: Buffer): unknown[] {
  const out: unknown[] = [];
  new Framer(1 << 17).push(write, (frame) => out.push(decodeMessage(frame)));
  return out;
}

test('cancels for blocks that arrived elsewhere go out in one write per peer at flush, none to the sender', () => {
  const requesters = new Map<string, number[]>();
  const cancelled: string[] = [];
  const picker = {
    requestersOf: (piece: number, begin: number) => requesters.get(`${piece}/${begin}`) ?? [],
    requestCancelled: (piece: number, begin: number, id: number) => void cancelled.push(`${piece}/${begin}@${id}`),
  };
  const webSeedCalls: number[][] = [];
  const cancels = new DuplicateCancels(picker, { cancelDuplicates: (_from, _piece, _begin, ids) => void webSeedCalls.push([...ids]) });
  const [a, b, c] = [fakePeer(1), fakePeer(2), fakePeer(3)];
  for (const peer of [a, b, c]) for (let i = 0; i < 3; i++) peer.requests.sent(5, i * BLOCK_SIZE, 0);
  requesters.set(`5/0`, [1, 2, 3]);
  requesters.set(`5/${BLOCK_SIZE}`, [1, 2]);
  cancels.arrived(a as unknown as BlockSource, [a, b, c], 5, 0, BLOCK_SIZE);
  cancels.arrived(a as unknown as BlockSource, [a, b, c], 5, BLOCK_SIZE, BLOCK_SIZE);
  assert.equal(b.writes.length + c.writes.length, 0, 'nothing sent before flush');
  assert.deepEqual(cancelled, ['5/0@2', '5/0@3', `5/${BLOCK_SIZE}@2`]);
  cancels.flush();
  assert.equal(a.writes.length, 0, 'the sender is not cancelled');
  assert.equal(b.writes.length, 1);
  assert.deepEqual(messagesIn(b.writes[0]), [
    { type: 'cancel', index: 5, begin: 0, length: BLOCK_SIZE },
    { type: 'cancel', index: 5, begin: BLOCK_SIZE, length: BLOCK_SIZE },
  ]);
  assert.deepEqual(messagesIn(c.writes[0]), [{ type: 'cancel', index: 5, begin: 0, length: BLOCK_SIZE }]);
  assert.equal(b.requests.size, 1, "b's requests are forgotten");
  assert.equal(webSeedCalls.length, 2, 'web seeds hear of every arrival');
  cancels.flush();
  assert.equal(b.writes.length, 1, 'a second flush sends nothing');
});

test('a closed peer is sent nothing, and a block nobody else asked for costs no write', () => {
  const picker = { requestersOf: () => [1, 2], requestCancelled: () => undefined };
  const cancels = new DuplicateCancels(picker, { cancelDuplicates: () => undefined });
  const [a, b] = [fakePeer(1), fakePeer(2)];
  b.requests.sent(0, 0, 0);
  b.closed = true;
  cancels.arrived(a as unknown as BlockSource, [a, b], 0, 0, BLOCK_SIZE);
  cancels.arrived(a as unknown as BlockSource, [a, b], 0, BLOCK_SIZE, BLOCK_SIZE); // b never asked for this one
  cancels.flush();
  assert.equal(b.writes.length, 0);
});
