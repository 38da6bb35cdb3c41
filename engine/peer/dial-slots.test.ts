import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DialSlots, HANDSHAKE_TIMEOUT_MS, MAX_HALF_OPEN } from './dial-slots.js';

class FakeConnection {
  closedWith: string | null = null;
  constructor(private readonly slots: DialSlots<FakeConnection>) {}
  close(reason: string): void {
    this.closedWith = reason;
    this.slots.settled(this); // as the peer manager's onClose does
  }
}

test('a dial holds its slot until its handshake settles, and the peer limit counts it', () => {
  const slots = new DialSlots<FakeConnection>();
  assert.equal(slots.room(50), MAX_HALF_OPEN);
  assert.equal(slots.room(3), 3, 'no more than the peers there is room for');
  const [a, b] = [new FakeConnection(slots), new FakeConnection(slots)];
  slots.dialStarted();
  slots.dialStarted();
  slots.dialStarted();
  assert.equal(slots.room(50), MAX_HALF_OPEN - 3);
  slots.dialEnded(a, 0);
  slots.dialEnded(b, 0);
  slots.dialEnded(null, 0);
  assert.equal(slots.count, 2, 'connected, handshakes under way');
  assert.equal(slots.room(2), 0, 'two handshakes pending fill room for two peers');
  assert.equal(slots.settled(a), true);
  assert.equal(slots.settled(a), false, 'settles once');
  assert.equal(slots.settled(new FakeConnection(slots)), false, 'an incoming connection was never counted');
  assert.equal(slots.count, 1);
  slots.settled(b);
  assert.equal(slots.room(50), MAX_HALF_OPEN);
});

test('a connection with no handshake HANDSHAKE_TIMEOUT_MS after its dial is closed, freeing its slot', () => {
  const slots = new DialSlots<FakeConnection>();
  const [old, young] = [new FakeConnection(slots), new FakeConnection(slots)];
  slots.dialStarted();
  slots.dialStarted();
  slots.dialEnded(old, 1000);
  slots.dialEnded(young, 5000);
  slots.closeStale(1000 + HANDSHAKE_TIMEOUT_MS);
  assert.equal(old.closedWith, null, 'not before the timeout');
  slots.closeStale(1001 + HANDSHAKE_TIMEOUT_MS);
  assert.match(old.closedWith ?? '', /no handshake within 10 s/);
  assert.equal(young.closedWith, null);
  assert.equal(slots.count, 1);
});
