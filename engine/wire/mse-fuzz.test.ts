/** Fuzz: MSE handshakes fed random, mutated or oddly chunked bytes only ever wait, finish or throw MseError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MseError } from './errors.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, MAX_PAD, MseInitiator, MseResponder, type MseStep } from './mse.js';
import { chunked, exchange, lookup } from './test-mse.js';
import { byteEdits, mutate } from './test-mutate.js';

const RUNS = Number(process.env.WIRE_FUZZ_RUNS ?? 200);
const infoHash = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
const find = lookup([infoHash]);

/** A seeded byte source, so a machine's keys and padding repeat from run to run of one case. */
function seeded(seed: number): (n: number) => Uint8Array {
  let x = seed | 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** Feeds chunks until done or an MseError; anything else thrown fails the property. Returns how it ended. */
function feed(receive: (c: Uint8Array) => MseStep, chunks: readonly Uint8Array[]): 'waiting' | 'done' | 'refused' {
  try {
    for (const c of chunks) if (receive(c).done) return 'done';
    return 'waiting';
  } catch (err) {
    if (err instanceof MseError) return 'refused';
    throw err;
  }
}

const methods = fc.constantFrom(CRYPTO_RC4, CRYPTO_PLAINTEXT, CRYPTO_RC4 | CRYPTO_PLAINTEXT);
const cuts = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 });

test('A and B agree, whatever the padding, IA and chunking', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer(), methods, methods, fc.uint8Array({ maxLength: 300 }), cuts, (seedA, seedB, provide, allow, ia, sizes) => {
      fc.pre((provide & allow) !== 0);
      const a = new MseInitiator({ infoHash, provide, initialPayload: ia, random: seeded(seedA) });
      const b = new MseResponder({ allow, findInfoHash: find, random: seeded(seedB) });
      const r = exchange(a, b, (n) => sizes[n % sizes.length]);
      const method = provide & allow & CRYPTO_RC4 ? 'rc4' : 'plaintext';
      assert.equal(r.a.method, method);
      assert.equal(r.b.method, method);
      assert.deepEqual(r.b.payload, ia);
      if (method === 'rc4') {
        const probe = Uint8Array.from([1, 2, 3, 4]);
        r.a.encrypt!.apply(probe);
        r.b.decrypt!.apply(probe);
        assert.deepEqual(probe, Uint8Array.from([1, 2, 3, 4]));
      }
    }),
    { numRuns: RUNS },
  );
});

test('random bytes never crash or stall a machine past the padding bounds', () => {
  fc.assert(
    fc.property(fc.integer(), fc.uint8Array({ minLength: 0, maxLength: 1400 }), cuts, (seed, junk, sizes) => {
      const chunks = chunked(junk, (n) => sizes[n % sizes.length]);
      const b = new MseResponder({ allow: CRYPTO_RC4 | CRYPTO_PLAINTEXT, findInfoHash: find, random: seeded(seed) });
      const byB = feed((c) => b.receive(c), chunks);
      // Ya, then req1 must start within MAX_PAD bytes: random bytes cannot hold it.
      if (junk.length >= 96 + MAX_PAD + 20) assert.equal(byB, 'refused');
      const a = new MseInitiator({ infoHash, provide: CRYPTO_RC4, random: seeded(seed) });
      a.start();
      const byA = feed((c) => a.receive(c), chunks);
      if (junk.length >= 96 + MAX_PAD + 8) assert.equal(byA, 'refused');
    }),
    { numRuns: RUNS },
  );
});

test('mutated handshakes from a peer with the same keys end in a result or an MseError, never anything else', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer(), byteEdits, cuts, (seedA, seedB, changes, sizes) => {
      const both = CRYPTO_RC4 | CRYPTO_PLAINTEXT;
      const a = new MseInitiator({ infoHash, provide: both, initialPayload: Uint8Array.from([19, 1, 2]), random: seeded(seedA) });
      const b = new MseResponder({ allow: both, findInfoHash: find, random: seeded(seedB) });
      const start = a.start();
      const two = b.receive(start).send!;
      const three = a.receive(two).send!;
      const four = b.receive(three).send!;
      // Replay each side's transcript, mutated, to a fresh twin of the other side (same seed, so same keys).
      const b2 = new MseResponder({ allow: both, findInfoHash: find, random: seeded(seedB) });
      feed((c) => b2.receive(c), chunked(mutate(Uint8Array.from([...start, ...three]), changes), (n) => sizes[n % sizes.length]));
      const a2 = new MseInitiator({ infoHash, provide: both, random: seeded(seedA) });
      a2.start();
      feed((c) => a2.receive(c), chunked(mutate(Uint8Array.from([...two, ...four]), changes), (n) => sizes[n % sizes.length]));
    }),
    { numRuns: RUNS },
  );
});
