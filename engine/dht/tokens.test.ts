import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { TokenManager, TOKEN_BYTES } from './tokens.js';

const MIN = 60_000;
function counterRandom(): (n: number) => Uint8Array {
  let c = 0;
  return (n) => new Uint8Array(n).fill(++c);
}

test('a token is accepted from the IP it was issued to, not from another', () => {
  const clock = new ManualClock(0);
  const tm = new TokenManager(clock, { random: counterRandom() });
  const tok = tm.issue('1.2.3.4');
  assert.equal(tok.length, TOKEN_BYTES);
  assert.ok(tm.check(tok, '1.2.3.4'));
  assert.equal(tm.check(tok, '1.2.3.5'), false);
  assert.equal(tm.check(tok.subarray(0, 4), '1.2.3.4'), false);
  assert.equal(tm.check(new Uint8Array(TOKEN_BYTES), '1.2.3.4'), false);
  // Outside loopback the port does not matter (NATs may change it between get_peers and announce).
  assert.deepEqual(tm.issue('1.2.3.4', 1000), tm.issue('1.2.3.4', 2000));
  assert.ok(tm.check(tok, '1.2.3.4', 5555));
  // IPv6 too; text forms of one address are the same address.
  const t6 = tm.issue('2001:db8::1');
  assert.ok(tm.check(t6, '2001:0db8:0:0:0:0:0:1'));
});

test('on loopback the token is bound to the port as well', () => {
  const tm = new TokenManager(new ManualClock(0), { random: counterRandom() });
  const tok = tm.issue('127.0.0.1', 6881);
  assert.ok(tm.check(tok, '127.0.0.1', 6881));
  assert.equal(tm.check(tok, '127.0.0.1', 6882), false);
  const t6 = tm.issue('::1', 1);
  assert.equal(tm.check(t6, '::1', 2), false);
  const always = new TokenManager(new ManualClock(0), { random: counterRandom(), bindPort: 'always' });
  assert.equal(always.check(always.issue('8.8.8.8', 1), '8.8.8.8', 2), false);
  const never = new TokenManager(new ManualClock(0), { random: counterRandom(), bindPort: 'never' });
  assert.ok(never.check(never.issue('127.0.0.1', 1), '127.0.0.1', 2));
});

test('secrets rotate every 5 minutes; a token lives through one rotation, not two', () => {
  const clock = new ManualClock(1000);
  const tm = new TokenManager(clock, { random: counterRandom() });
  const tok = tm.issue('9.9.9.9');
  clock.advance(5 * MIN - 1);
  assert.ok(tm.check(tok, '9.9.9.9'));
  assert.deepEqual(tm.issue('9.9.9.9'), tok, 'same period, same token');
  clock.advance(1); // first rotation: tok was made with what is now the previous secret
  assert.ok(tm.check(tok, '9.9.9.9'));
  const tok2 = tm.issue('9.9.9.9');
  assert.notDeepEqual(tok2, tok);
  clock.advance(5 * MIN); // second rotation: tok is gone, tok2 still fine
  assert.equal(tm.check(tok, '9.9.9.9'), false);
  assert.ok(tm.check(tok2, '9.9.9.9'));
});

test('a long idle gap expires every outstanding token', () => {
  const clock = new ManualClock(0);
  const tm = new TokenManager(clock, { random: counterRandom() });
  const tok = tm.issue('9.9.9.9');
  clock.advance(60 * MIN);
  assert.equal(tm.check(tok, '9.9.9.9'), false);
  // and rotation stays on the 5-minute grid
  const fresh = tm.issue('9.9.9.9');
  clock.advance(4 * MIN);
  assert.deepEqual(tm.issue('9.9.9.9'), fresh);
});

test('tokens from different managers (secrets) do not match', () => {
  const a = new TokenManager(new ManualClock(0));
  const b = new TokenManager(new ManualClock(0));
  assert.equal(b.check(a.issue('1.1.1.1'), '1.1.1.1'), false);
  assert.throws(() => new TokenManager(new ManualClock(0), { rotateMs: 0 }), RangeError);
});
