import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DialSlots, MAX_HALF_OPEN } from './dial-slots.js';

test('a dial holds its slot until its handshake settles, and the peer limit counts it', () => {
  const slots = new DialSlots();
  assert.equal(slots.room(50), MAX_HALF_OPEN);
  assert.equal(slots.room(3), 3, 'no more than the peers there is room for');
  const a = {};
  const b = {};
  slots.dialStarted();
  slots.dialStarted();
  slots.dialStarted();
  assert.equal(slots.room(50), MAX_HALF_OPEN - 3);
  slots.dialEnded(a);
  slots.dialEnded(b);
  slots.dialEnded(null);
  assert.equal(slots.count, 2, 'connected, handshakes under way');
  assert.equal(slots.room(2), 0, 'two handshakes pending fill room for two peers');
  assert.equal(slots.settled(a), true);
  assert.equal(slots.settled(a), false, 'settles once');
  assert.equal(slots.settled({}), false, 'an incoming connection was never counted');
  assert.equal(slots.count, 1);
  slots.settled(b);
  assert.equal(slots.room(50), MAX_HALF_OPEN);
});
