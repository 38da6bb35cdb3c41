import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BencodeError, decode, decodeWithInfoSpan, encode, getInt, getString, getList, getDict, getBytes, type BValue } from './index.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (v: BValue): string => Buffer.from(v as Uint8Array).toString('latin1');

test('decodes the basic types', () => {
  assert.equal(decode(b('i42e')), 42);
  assert.equal(decode(b('i-7e')), -7);
  assert.equal(decode(b('i0e')), 0);
  assert.equal(text(decode(b('4:spam'))), 'spam');
  assert.equal(text(decode(b('0:'))), '');
  const l = decode(b('l4:spami1ee')) as BValue[];
  assert.equal(l.length, 2);
  assert.equal(l[1], 1);
  const d = decode(b('d3:cow3:moo4:spaml1:a1:bee')) as Map<string, BValue>;
  assert.deepEqual([...d.keys()], ['cow', 'spam']);
  assert.equal(getString(d, 'cow'), 'moo');
  assert.equal(getList(d, 'spam')?.length, 2);
});

test('byte strings are views, not copies', () => {
  const buf = b('l3:abce');
  const s = (decode(buf) as BValue[])[0] as Uint8Array;
  assert.equal(s.buffer, buf.buffer);
  assert.equal(s.byteOffset - buf.byteOffset, 3);
});

test('dict keys are raw bytes as latin1', () => {
  const d = decode(b('d2:\xc3\xa9i1ee')) as Map<string, BValue>;
  assert.deepEqual([...d.keys()], ['\xc3\xa9']);
});

const rejects: [string, RegExp][] = [
  ['', /empty input/],
  ['i03e', /leading zero in integer at byte 0/],
  ['i-0e', /negative zero/],
  ['ie', /empty integer/],
  ['i-e', /empty integer/],
  ['i1', /unterminated integer/],
  ['i1.5e', /invalid character 0x2e in integer at byte 2/],
  ['03:abc', /leading zero in string length/],
  ['-3:abc', /unexpected byte 0x2d/],
  ['5:abc', /string length 5 exceeds remaining input/],
  ['99999999999999999999:a', /exceeds remaining input/],
  ['l', /unterminated list/],
  ['li1e', /unterminated list/],
  ['d1:a', /dict key without value/],
  ['di1ei2ee', /dict key is not a string/],
  ['d1:bi1e1:ai2ee', /unsorted dict key 'a'/],
  ['d1:ai1e1:ai2ee', /duplicate dict key 'a'/],
  ['i1ei2e', /3 trailing bytes after top-level value at byte 3/],
  ['i9007199254740992e', /out of safe range/],
  ['i-9007199254740992e', /out of safe range/],
  ['e', /unexpected byte 0x65/],
];
for (const [input, re] of rejects) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => decode(b(input)),
      (e: unknown) => e instanceof BencodeError && re.test(e.message) && !e.message.includes('\n'),
    );
  });
}

test('safe integer bounds decode', () => {
  assert.equal(decode(b('i9007199254740991e')), Number.MAX_SAFE_INTEGER);
  assert.equal(decode(b('i-9007199254740991e')), -Number.MAX_SAFE_INTEGER);
});

test('depth limit', () => {
  const deep = (n: number) => b('l'.repeat(n) + 'e'.repeat(n));
  assert.doesNotThrow(() => decode(deep(64)));
  assert.throws(() => decode(deep(65)), /nesting deeper than 64/);
  assert.doesNotThrow(() => decode(deep(100), { maxDepth: 100 }));
  assert.throws(() => decode(b('l'.repeat(100000))), BencodeError);
});

test('item limit', () => {
  assert.throws(() => decode(b('l' + '0:'.repeat(10) + 'e'), { maxItems: 5 }), /more than 5 items/);
  assert.doesNotThrow(() => decode(b('l' + '0:'.repeat(10) + 'e'), { maxItems: 11 }));
});

test('options: allowUnsortedKeys and allowTrailing', () => {
  const d = decode(b('d1:bi1e1:ai2ee'), { allowUnsortedKeys: true }) as Map<string, BValue>;
  assert.equal(d.get('a'), 2);
  assert.throws(() => decode(b('d1:bi1e1:bi2ee'), { allowUnsortedKeys: true }), /duplicate/);
  assert.equal(decode(b('i1exyz'), { allowTrailing: true }), 1);
});

test('decodeWithInfoSpan: exact span, warnings for unsorted/duplicate keys and trailing newline', () => {
  const src = 'd8:announce3:url4:infod6:lengthi1e4:name1:xe1:zi0ee\n';
  const r = decodeWithInfoSpan(b(src));
  assert.ok(r.infoSpan);
  assert.equal(src.slice(r.infoSpan.start, r.infoSpan.end), 'd6:lengthi1e4:name1:xe');
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /trailing/);

  const unsorted = decodeWithInfoSpan(b('d4:infod4:name1:x6:lengthi1e4:namei5eee'));
  const info = getDict(unsorted.value, 'info')!;
  assert.equal(getString(info, 'name'), 'x'); // first wins
  assert.equal(getInt(info, 'length'), 1);
  assert.equal(unsorted.warnings.length, 2);
  assert.match(unsorted.warnings.join('|'), /unsorted dict key 'length'.*duplicate dict key 'name'/);

  assert.equal(decodeWithInfoSpan(b('d1:ai1ee')).infoSpan, undefined);
  assert.throws(() => decodeWithInfoSpan(b('d1:ai1eeXX')), /trailing/);
  assert.throws(() => decodeWithInfoSpan(b('l1:ae')), /not a dict/);
  assert.throws(() => decodeWithInfoSpan(b('d1:ai01ee')), /leading zero/);
});

test('accessors return undefined on wrong type', () => {
  const d = decode(b('d1:ai1e1:b1:xe')) as Map<string, BValue>;
  assert.equal(getInt(d, 'b'), undefined);
  assert.equal(getBytes(d, 'a'), undefined);
  assert.equal(getDict(d, 'a'), undefined);
  assert.equal(getList(d, 'zz'), undefined);
});

test('encode: canonical, sorts keys by raw bytes, plain objects', () => {
  assert.equal(Buffer.from(encode({ b: 1, a: 'x', c: [1, 'y'], skip: undefined })).toString(), 'd1:a1:x1:bi1e1:cli1e1:yee');
  const m = new Map<string, BValue>([['\x80', 1], ['a', 2]]);
  assert.equal(Buffer.from(encode(m)).toString('latin1'), 'd1:ai2e1:\x80i1ee');
  assert.throws(() => encode(1.5), RangeError);
  assert.throws(() => encode(2 ** 60), RangeError);
});

// ---- property tests ----

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(fc.uint8Array({ maxLength: 6 }).map((x) => Buffer.from(x).toString('latin1')), tie('v')), {
        maxLength: 5,
        selector: (t) => t[0],
      })
      .map((entries) => new Map(entries)),
  ),
})).v;

function normalise(v: BValue): unknown {
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) return [...v.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, x]) => [k, normalise(x)]);
  return v;
}

test('property: encode -> decode round-trips, re-encoding is byte-identical', () => {
  fc.assert(
    fc.property(bvalue, (v) => {
      const e = encode(v);
      const d = decode(e);
      assert.deepEqual(normalise(d), normalise(v));
      assert.deepEqual(encode(d), e);
    }),
    { numRuns: 300 },
  );
});

function onlyBencodeErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BencodeError)) throw e;
    assert.ok(!e.message.includes('\n'));
    assert.ok(Number.isInteger(e.offset));
  }
}

test('property: random bytes never throw anything but BencodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (buf) => {
      onlyBencodeErrors(() => decode(buf));
      onlyBencodeErrors(() => decodeWithInfoSpan(buf));
    }),
    { numRuns: 1000 },
  );
});

test('property: mutated valid encodings never throw anything but BencodeError', () => {
  fc.assert(
    fc.property(
      bvalue,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 }),
      (v, muts) => {
        let bytes = Array.from(encode(v));
        for (const [pos, byte, kind] of muts) {
          const p = bytes.length === 0 ? 0 : pos % (bytes.length + 1);
          if (kind === 0 && p < bytes.length) bytes[p] = byte;
          else if (kind === 1) bytes.splice(p, 0, byte);
          else bytes = bytes.slice(0, p);
        }
        const buf = Uint8Array.from(bytes);
        onlyBencodeErrors(() => decode(buf));
        onlyBencodeErrors(() => decodeWithInfoSpan(buf));
      },
    ),
    { numRuns: 500 },
  );
});
