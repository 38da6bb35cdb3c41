import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideQueue, moveInQueue, type QueueItem } from './queue.js';

const item = (id: string, position: number, over: Partial<QueueItem> = {}): QueueItem => ({
  id,
  position,
  wantsToRun: true,
  complete: false,
  forceStart: false,
  stalled: false,
  ...over,
});

test('downloads take slots in queue order; the rest wait with a reason', () => {
  const d = decideQueue([item('c', 2), item('a', 0), item('b', 1), item('d', 3)], { maxActiveDownloads: 2, maxActiveSeeds: 5 });
  assert.deepEqual([...d.run].sort(), ['a', 'b']);
  assert.deepEqual(d.waiting.get('c'), { queuedFor: 'download', reason: 'waiting: 2 of 2 download slots in use' });
  assert.ok(d.waiting.has('d'));
});

test('seeds and downloads have separate slots', () => {
  const d = decideQueue(
    [item('s1', 0, { complete: true }), item('s2', 1, { complete: true }), item('d1', 2), item('d2', 3)],
    { maxActiveDownloads: 1, maxActiveSeeds: 1 },
  );
  assert.deepEqual([...d.run].sort(), ['d1', 's1']);
  assert.equal(d.waiting.get('s2')?.queuedFor, 'seed');
  assert.equal(d.waiting.get('d2')?.queuedFor, 'download');
});

test('paused torrents neither run nor wait; force start ignores the queue', () => {
  const d = decideQueue([item('a', 0, { wantsToRun: false }), item('b', 1), item('c', 2, { forceStart: true }), item('e', 3)], {
    maxActiveDownloads: 1,
    maxActiveSeeds: 1,
  });
  assert.deepEqual([...d.run].sort(), ['b', 'c']);
  assert.equal(d.waiting.has('a'), false);
  assert.ok(d.waiting.has('e'));
});

test('a stalled download keeps running but frees its slot for the next one', () => {
  const d = decideQueue([item('a', 0, { stalled: true }), item('b', 1), item('c', 2)], { maxActiveDownloads: 1, maxActiveSeeds: 1 });
  assert.deepEqual([...d.run].sort(), ['a', 'b']);
  assert.ok(d.waiting.has('c'));
});

test('zero means no limit', () => {
  const d = decideQueue([item('a', 0), item('b', 1), item('c', 2)], { maxActiveDownloads: 0, maxActiveSeeds: 0 });
  assert.equal(d.run.size, 3);
});

test('queue moves: top, bottom, up, down, several at once', () => {
  const order = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(moveInQueue(order, ['d'], 'top'), ['d', 'a', 'b', 'c', 'e']);
  assert.deepEqual(moveInQueue(order, ['b'], 'bottom'), ['a', 'c', 'd', 'e', 'b']);
  assert.deepEqual(moveInQueue(order, ['c'], 'up'), ['a', 'c', 'b', 'd', 'e']);
  assert.deepEqual(moveInQueue(order, ['c'], 'down'), ['a', 'b', 'd', 'c', 'e']);
  assert.deepEqual(moveInQueue(order, ['a'], 'up'), order, 'the first stays first');
  assert.deepEqual(moveInQueue(order, ['b', 'd'], 'up'), ['b', 'a', 'd', 'c', 'e']);
  assert.deepEqual(moveInQueue(order, ['a', 'b'], 'up'), order, 'a block at the top cannot move up');
  assert.deepEqual(moveInQueue(order, ['d', 'e'], 'down'), order);
  assert.deepEqual(moveInQueue(order, ['e', 'a'], 'top'), ['a', 'e', 'b', 'c', 'd'], 'relative order kept');
});

test('the pause schedule holds downloads (stalled ones too) but not seeds or force-started torrents, and frees no slot for them', () => {
  const reason = 'Paused: schedule until 07:00';
  const d = decideQueue(
    [item('d1', 0), item('d2', 1, { stalled: true }), item('forced', 2, { forceStart: true }), item('s1', 3, { complete: true }), item('off', 4, { wantsToRun: false })],
    { maxActiveDownloads: 1, maxActiveSeeds: 5, downloadsPausedReason: reason },
  );
  assert.deepEqual([...d.run].sort(), ['forced', 's1']);
  assert.deepEqual(d.waiting.get('d1'), { queuedFor: 'download', reason, bySchedule: true });
  assert.deepEqual(d.waiting.get('d2'), { queuedFor: 'download', reason, bySchedule: true });
  assert.equal(d.waiting.has('off'), false);
  const after = decideQueue([item('d1', 0), item('d2', 1)], { maxActiveDownloads: 1, maxActiveSeeds: 5, downloadsPausedReason: null });
  assert.deepEqual([...after.run], ['d1']);
  assert.equal(after.waiting.get('d2')?.bySchedule, undefined);
});
