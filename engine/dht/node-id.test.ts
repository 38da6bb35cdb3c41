import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  bucketIndex,
  commonPrefixLength,
  compareDistance,
  compareIds,
  crc32c,
  isBep42Exempt,
  isValidNodeIdFor,
  nodeIdFor,
  randomIdInBucket,
  xorDistance,
} from './node-id.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLES = path.resolve(repoRoot, '..', 'shared', 'corpus', 'dht-krpc-samples.json');

interface Bep42 {
  prefix_vectors: { ip: string; r: number; node_id_prefix_hex: string }[];
  full_id_vectors: { ip: string; node_id: string; valid: boolean }[];
}
function loadBep42(): Bep42 {
  if (!existsSync(SAMPLES)) throw new Error(`DHT corpus not found at ${SAMPLES}: these tests need shared/corpus/dht-krpc-samples.json next to the repo`);
  return (JSON.parse(readFileSync(SAMPLES, 'utf8')) as { bep42_node_id: Bep42 }).bep42_node_id;
}

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const id20 = fc.uint8Array({ minLength: 20, maxLength: 20 });
/** A deterministic "random" source for tests. */
const fixedRandom = (byte: number) => (n: number) => new Uint8Array(n).fill(byte);

test('crc32c check value', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('BEP 42 prefix vectors (corpus): first 21 bits and the last byte', () => {
  const v = loadBep42();
  assert.equal(v.prefix_vectors.length, 5);
  for (const { ip, r, node_id_prefix_hex } of v.prefix_vectors) {
    for (const fill of [0x00, 0xff]) {
      const id = nodeIdFor(ip, r, fixedRandom(fill));
      const want = hex(node_id_prefix_hex);
      assert.equal(id.length, 20);
      assert.equal(id[0], want[0], `${ip} byte 0`);
      assert.equal(id[1], want[1], `${ip} byte 1`);
      assert.equal(id[2] & 0xf8, want[2] & 0xf8, `${ip} byte 2`);
      assert.equal(id[19], r);
      assert.ok(isValidNodeIdFor(id, ip));
    }
  }
});

test('BEP 42 full-id vectors (corpus), IPv4 and IPv6', () => {
  const v = loadBep42();
  assert.equal(v.full_id_vectors.length, 4);
  for (const { ip, node_id, valid } of v.full_id_vectors) {
    assert.equal(isValidNodeIdFor(hex(node_id), ip), valid, `${ip} ${node_id}`);
  }
});

test('BEP 42: ids made for one address do not pass for another; local addresses are exempt', () => {
  fc.assert(
    fc.property(fc.ipV4(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 20 }), (a, r, flip) => {
      const id = nodeIdFor(a, r);
      assert.ok(isValidNodeIdFor(id, a));
      // Any change in the first 21 bits (or in r's low 3 bits) breaks it, unless the address is exempt.
      const bad = new Uint8Array(id);
      if (flip === 20) bad[19] ^= 0x01;
      else bad[flip >> 3] ^= 0x80 >> (flip & 7);
      assert.equal(isValidNodeIdFor(bad, a), isBep42Exempt(a));
    }),
  );
  const outsider = nodeIdFor('124.31.75.21', 1, fixedRandom(0));
  assert.equal(isValidNodeIdFor(outsider, '21.75.31.124'), false);
  for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.1', '172.31.255.255', '169.254.1.1', '::1', 'fd00::1', 'fe80::1']) {
    assert.ok(isBep42Exempt(ip), ip);
    assert.ok(isValidNodeIdFor(new Uint8Array(20), ip), ip);
  }
  for (const ip of ['172.32.0.1', '8.8.8.8', '2001:db8::1']) assert.equal(isBep42Exempt(ip), false, ip);
  // IPv4-mapped IPv6 is checked as IPv4.
  assert.ok(isValidNodeIdFor(hex('5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401'), '::ffff:124.31.75.21'));
  assert.equal(isValidNodeIdFor(new Uint8Array(20), 'not an ip'), false);
  assert.equal(isValidNodeIdFor(new Uint8Array(19), '127.0.0.1'), false);
  assert.throws(() => nodeIdFor('nope', 1), RangeError);
  assert.throws(() => nodeIdFor('1.2.3.4', 256), RangeError);
});

test('xor distance, compare and common prefix agree', () => {
  fc.assert(
    fc.property(id20, id20, id20, (t, a, b) => {
      assert.equal(Math.sign(compareDistance(t, a, b)), Math.sign(compareIds(xorDistance(t, a), xorDistance(t, b))));
      assert.equal(compareDistance(t, a, a), 0);
      assert.deepEqual(xorDistance(a, b), xorDistance(b, a));
      const cpl = commonPrefixLength(a, b);
      const d = xorDistance(a, b);
      // cpl leading zero bits in the distance, then a one (unless equal).
      const bits = Array.from(d, (x) => x.toString(2).padStart(8, '0')).join('');
      assert.equal(cpl, bits.indexOf('1') === -1 ? 160 : bits.indexOf('1'));
    }),
  );
  const a = new Uint8Array(20);
  assert.equal(commonPrefixLength(a, a), 160);
  assert.equal(bucketIndex(a, a), 159);
  const b = new Uint8Array(20);
  b[0] = 0x80;
  assert.equal(bucketIndex(a, b), 0);
  b[0] = 0x01;
  assert.equal(bucketIndex(a, b), 7);
});

test('randomIdInBucket lands in the bucket asked for', () => {
  fc.assert(
    fc.property(id20, fc.integer({ min: 0, max: 159 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (own, i, rnd) => {
      const id = randomIdInBucket(own, i, () => rnd.slice());
      assert.equal(commonPrefixLength(own, id), i);
      const atLeast = randomIdInBucket(own, i, () => rnd.slice(), true);
      assert.ok(commonPrefixLength(own, atLeast) >= i);
    }),
  );
  assert.equal(toHex(randomIdInBucket(new Uint8Array(20), 0, fixedRandom(0))).slice(0, 2), '80');
});
