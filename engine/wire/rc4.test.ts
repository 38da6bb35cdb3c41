import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rc4 } from './rc4.js';

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('known keystreams (the classic test vectors)', () => {
  const cases: [string, string, string][] = [
    ['Key', 'Plaintext', 'bbf316e8d940af0ad3'],
    ['Wiki', 'pedia', '1021bf0420'],
    ['Secret', 'Attack at dawn', '45a01f645fc35b383552544b9bf5'],
  ];
  for (const [key, plain, cipher] of cases) {
    const data = ascii(plain).slice();
    new Rc4(ascii(key)).apply(data);
    assert.equal(hex(data), cipher, key);
  }
  const zeros = new Uint8Array(16);
  new Rc4(Uint8Array.from([1, 2, 3, 4, 5])).apply(zeros);
  assert.equal(hex(zeros), 'b2396305f03dc027ccc3524a0a1118a8');
});

test('the keystream continues across calls, ranges and discards', () => {
  const key = ascii('tessera');
  const whole = new Uint8Array(3000).map((_, i) => i * 7);
  const expected = whole.slice();
  new Rc4(key).apply(expected);

  const pieces = whole.slice();
  const a = new Rc4(key);
  a.apply(pieces, 0, 1);
  a.apply(pieces, 1, 1000);
  a.apply(pieces, 1000, 3000);
  assert.deepEqual(pieces, expected);

  const b = new Rc4(key);
  b.discard(1024);
  const tail = new Uint8Array(3000 - 1024);
  b.applyTo(whole, 1024, 3000, tail, 0);
  assert.deepEqual(tail, expected.subarray(1024));
});

test('applying twice restores the bytes', () => {
  const data = new Uint8Array(500).map((_, i) => i);
  new Rc4(ascii('k')).apply(data);
  new Rc4(ascii('k')).apply(data);
  assert.deepEqual(data, new Uint8Array(500).map((_, i) => i));
});

test('the four-bytes-a-turn loop and its one-byte tail give the same keystream for every length and offset', () => {
  const key = ascii('unrolled');
  const data = new Uint8Array(64).map((_, i) => i * 13);
  const expected = data.slice();
  const one = new Rc4(key);
  for (let n = 0; n < expected.length; n++) one.apply(expected, n, n + 1);
  for (let first = 0; first < 9; first++) {
    const got = data.slice();
    const r = new Rc4(key);
    r.apply(got, 0, first);
    r.apply(got, first, first + 7);
    r.apply(got, first + 7, 64);
    assert.deepEqual(got, expected, `split at ${first}`);
  }
});
