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

/** The keystream one byte at a time, straight from the definition: the reference both paths must match. */
function referenceKeystream(key: Uint8Array, n: number): Uint8Array {
  const s = new Uint8Array(256).map((_, k) => k);
  let j = 0;
  for (let k = 0; k < 256; k++) {
    j = (j + s[k] + key[k % key.length]) & 0xff;
    [s[k], s[j]] = [s[j], s[k]];
  }
  const out = new Uint8Array(n);
  let i = 0;
  j = 0;
  for (let k = 0; k < n; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
    out[k] = s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

test('short calls (JavaScript) and long ones (WebAssembly, across its 63 KiB chunks) continue one keystream, for two keystreams interleaved', () => {
  const total = 400_000;
  const keyA = ascii('first key');
  const keyB = Uint8Array.from({ length: 20 }, (_, k) => k * 13);
  const streamA = referenceKeystream(keyA, total);
  const streamB = referenceKeystream(keyB, total);
  const a = new Rc4(keyA);
  const b = new Rc4(keyB);
  const dataA = new Uint8Array(total);
  const dataB = new Uint8Array(total);
  // lengths around the 256-byte threshold and the 64,512-byte chunk, and 4-byte-unaligned ones
  const lengths = [1, 3, 255, 256, 257, 4_099, 64_511, 64_512, 64_513, 17, 150_001];
  let at = 0;
  for (const len of lengths) {
    a.apply(dataA, at, at + len);
    b.applyTo(dataB, at, at + len, dataB, at);
    at += len;
  }
  a.apply(dataA, at, total);
  b.apply(dataB, at, total);
  assert.equal(hex(dataA), hex(streamA));
  assert.equal(hex(dataB), hex(streamB));
});

test('applyTo writes to another buffer at an offset and leaves the source as it was', () => {
  const src = new Uint8Array(70_000).map((_, k) => k & 0xff);
  const dst = new Uint8Array(70_010);
  new Rc4(ascii('k2')).applyTo(src, 5, 70_000, dst, 10);
  const stream = referenceKeystream(ascii('k2'), 69_995);
  for (let k = 0; k < 69_995; k++) assert.equal(dst[10 + k], src[5 + k] ^ stream[k], `byte ${k}`);
  assert.equal(src[5], 5);
});
