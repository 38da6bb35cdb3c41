import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MAX_MESSAGE_LENGTH, Framer } from './framer.js';
import { WireError } from './errors.js';

function frameOf(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any values; normalised into range). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

function collect(framer: Framer, chunks: Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const c of chunks) framer.push(c, (f) => frames.push(f.slice()));
  return frames;
}

test('whole frames inside one chunk are zero-copy views of the chunk', () => {
  const stream = concat([frameOf(new Uint8Array([1])), frameOf(new Uint8Array(0)), frameOf(new Uint8Array([7, 1, 2]))]);
  const framer = new Framer();
  const seen: Uint8Array[] = [];
  framer.push(stream, (f) => {
    assert.equal(f.buffer, stream.buffer);
    seen.push(f.slice());
  });
  assert.deepEqual(seen, [new Uint8Array([1]), new Uint8Array(0), new Uint8Array([7, 1, 2])]);
  assert.equal(framer.buffered, 0);
});

test('a frame split across chunks is assembled; header split too', () => {
  const body = new Uint8Array(40000).map((_, i) => i & 0xff);
  const stream = frameOf(body);
  const framer = new Framer();
  const frames = collect(framer, [stream.subarray(0, 2), stream.subarray(2, 3), stream.subarray(3, 100), stream.subarray(100)]);
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0], body);
  assert.equal(framer.buffered, 0);
});

test('zero-length frames split in the header are keepalives', () => {
  const framer = new Framer();
  const frames = collect(framer, [new Uint8Array([0, 0]), new Uint8Array([0, 0, 0, 0, 0, 1, 2])]);
  assert.deepEqual(frames, [new Uint8Array(0), new Uint8Array([2])]);
});

test('a length over the cap throws WireError, then the framer stays failed', () => {
  const framer = new Framer(100);
  const frames: Uint8Array[] = [];
  const stream = concat([frameOf(new Uint8Array([1])), frameOf(new Uint8Array(101))]);
  assert.throws(() => framer.push(stream, (f) => frames.push(f)), (e: unknown) => {
    return e instanceof WireError && e.message === 'wire: message length 101 exceeds limit 100';
  });
  assert.equal(frames.length, 1);
  assert.throws(() => framer.push(frameOf(new Uint8Array([1])), () => {}), WireError);
  framer.reset();
  assert.deepEqual(collect(framer, [frameOf(new Uint8Array([1]))]), [new Uint8Array([1])]);
});

test('a length over the cap is refused before the body arrives', () => {
  const framer = new Framer();
  const header = new Uint8Array([2, 0, 0, 1]);
  framer.push(header.subarray(0, 3), () => assert.fail('no frame'));
  assert.equal(framer.buffered, 3);
  assert.throws(() => framer.push(header.subarray(3), () => assert.fail('no frame')), /exceeds limit/);
  assert.equal(DEFAULT_MAX_MESSAGE_LENGTH, 1024 * 1024 + 13);
});

test('the assembly buffer is reused across split frames', () => {
  const framer = new Framer();
  const views: ArrayBufferLike[] = [];
  for (let i = 0; i < 3; i++) {
    const stream = frameOf(new Uint8Array(1000).fill(i));
    framer.push(stream.subarray(0, 10), () => assert.fail('early frame'));
    framer.push(stream.subarray(10), (f) => {
      assert.equal(f[999], i);
      views.push(f.buffer);
    });
  }
  assert.equal(views[0], views[1]);
  assert.equal(views[1], views[2]);
});

test('property: any split of a valid stream yields the same frames', () => {
  const bodies = fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { maxLength: 12 });
  fc.assert(
    fc.property(bodies, fc.array(fc.nat(), { maxLength: 20 }), (bs, cuts) => {
      const stream = concat(bs.map(frameOf));
      const framer = new Framer(1000);
      const frames = collect(framer, split(stream, cuts));
      assert.deepEqual(frames, bs);
      assert.equal(framer.buffered, 0);
    }),
    { numRuns: 300 },
  );
});

test('property: byte-at-a-time delivery yields the same frames', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 6 }), (bs) => {
      const stream = concat(bs.map(frameOf));
      const chunks = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
      assert.deepEqual(collect(new Framer(100), chunks), bs);
    }),
    { numRuns: 100 },
  );
});
