import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE } from '../common/geometry.js';
import { END_GAME_PIPELINE, MIN_PIPELINE, RequestPipeline } from './request-pipeline.js';

test('a new pipeline asks for MIN_PIPELINE blocks, then waits until a quarter has drained', () => {
  const p = new RequestPipeline(0);
  assert.equal(p.wanted(0), MIN_PIPELINE);
  for (let i = 0; i < MIN_PIPELINE; i++) p.sent(0, i * BLOCK_SIZE, 0);
  assert.equal(p.wanted(0), 0);
});

test('while a stream reads, its target replaces the rate, slow start and MIN_PIPELINE (up to reqq, less one)', () => {
  const p = new RequestPipeline(0);
  assert.equal(p.wanted(100 * BLOCK_SIZE, 96), 96, 'the stream target, not two seconds of the rate (200)');
  for (let i = 0; i < MIN_PIPELINE; i++) p.sent(0, i * BLOCK_SIZE, 0);
  assert.equal(p.wanted(0, 96), 96 - MIN_PIPELINE);
  assert.equal(p.wanted(0, 16), 0, 'a target below what is in flight asks for nothing');
  assert.equal(p.wanted(0, MIN_PIPELINE + 1), 1, 'no waiting for a quarter to drain: urgent blocks go out at once');
  assert.equal(p.wanted(0), 0, 'not streaming: the ordinary slow start');
  p.peerQueueLength = 50;
  assert.equal(p.wanted(0, 500), 49 - MIN_PIPELINE);
});

test('the pipeline follows the rate (two seconds of it) up to the peer reqq, less one', () => {
  const p = new RequestPipeline(0);
  assert.equal(p.wanted(100 * BLOCK_SIZE), 200);
  p.peerQueueLength = 50;
  assert.equal(p.wanted(100 * BLOCK_SIZE), 49);
});

test('in end game a peer gets duplicates only once its own queue is half drained, up to END_GAME_PIPELINE', () => {
  const p = new RequestPipeline(0);
  p.peerQueueLength = 20_000; // libtorrent's max_allowed_in_request_queue in the swarm bench
  const rate = 500 * BLOCK_SIZE; // a fast peer: its rate alone would ask for 1000 blocks
  assert.equal(p.wanted(rate, undefined, true), END_GAME_PIPELINE, 'an empty queue helps with the end');
  for (let i = 0; i < 200; i++) p.sent(0, i * BLOCK_SIZE, 0);
  assert.equal(p.wanted(rate), 800, 'outside end game the rate decides');
  assert.equal(p.wanted(rate, undefined, true), 0, 'a peer with its own blocks queued gets no duplicates');
  for (let i = 0; i < 200 - END_GAME_PIPELINE / 2; i++) p.received(0, i * BLOCK_SIZE, 10);
  assert.equal(p.wanted(rate, undefined, true), END_GAME_PIPELINE / 2);
  assert.equal(p.wanted(rate, 64, true), 64 - END_GAME_PIPELINE / 2, "a reading stream keeps its own target, end game or not");
  p.peerQueueLength = 10;
  p.outstanding.clear();
  assert.equal(p.wanted(rate, undefined, true), 9, "never past the peer's reqq");
});

test('prompt blocks grow the floor (slow start); slow ones shrink it; a choke resets it', () => {
  const p = new RequestPipeline(0);
  p.sent(1, 0, 0);
  p.sent(1, BLOCK_SIZE, 0);
  p.received(1, 0, 500);
  assert.equal(p.floor, MIN_PIPELINE + 1);
  assert.equal(p.size, 1);
  p.received(1, BLOCK_SIZE, 2500);
  assert.equal(p.floor, MIN_PIPELINE);
  p.choked();
  assert.equal(p.floor, 0);
});

test('no block for 30 s: snubbed (once); for 45 s: its requests go back to the ledger', () => {
  const p = new RequestPipeline(0);
  p.sent(2, BLOCK_SIZE * 3, 0);
  assert.equal(p.markSnubbed(30_000), false);
  assert.equal(p.markSnubbed(30_001), true);
  assert.equal(p.markSnubbed(30_002), false);
  assert.ok(p.snubbed);
  assert.equal(p.timedOut(45_001), true);
  const back: string[] = [];
  p.dropAll({ requestCancelled: (piece, begin, id) => back.push(`${piece}:${begin}:${id}`) }, 9);
  assert.deepEqual(back, [`2:${BLOCK_SIZE * 3}:9`]);
  assert.equal(p.size, 0);
  p.received(2, 0, 46_000);
  assert.equal(p.snubbed, false);
});
