import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topicsFor, withPlayerTopics } from './sync.js';

test('the player open on the shown torrent adds its files and piece map to the subscription, once', () => {
  const id = 'a'.repeat(40);
  assert.deepEqual(withPlayerTopics(topicsFor('peers'), { kind: 'player', id, file: null }, id), ['peers', 'files', 'pieces']);
  assert.deepEqual(withPlayerTopics(topicsFor('files'), { kind: 'player', id, file: 2 }, id), ['files', 'pieces']);
  assert.deepEqual(withPlayerTopics(topicsFor('speed'), { kind: 'player', id: 'b'.repeat(40), file: 0 }, id), [], 'another torrent: nothing added');
  assert.deepEqual(withPlayerTopics(topicsFor('trackers'), { kind: 'magnet' }, id), ['trackers']);
  assert.deepEqual(withPlayerTopics(topicsFor('trackers'), null, id), ['trackers']);
});
