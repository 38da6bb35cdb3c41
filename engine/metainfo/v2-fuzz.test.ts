/** Fuzz: the v2 / hybrid metainfo parser fails only with MetainfoError, and what it accepts is sane. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode, type Encodable } from '../bencode/index.js';
import { MetainfoError, parseTorrent, type Metainfo } from './index.js';
import { buildV2, content, type TestFile } from './test-v2-torrents.js';
import { byteEdits, mutate } from '../wire/test-mutate.js';
import { FUZZ_RUNS, parseOrMetainfoError } from './test-fuzz.js';

const RUNS = FUZZ_RUNS;


/** What every accepted torrent must satisfy. */
function checkInvariants(m: Metainfo): void {
  assert.match(m.infoHashHex, /^[0-9a-f]{40}$/);
  let offset = 0;
  for (const f of m.files) {
    assert.equal(f.offset, offset);
    offset += f.length;
    for (const part of f.path) assert.ok(part !== '' && part !== '.' && part !== '..' && !part.includes('/'), `unsafe path element ${JSON.stringify(part)}`);
    // v2 and hybrid: every non-empty real file starts on a piece boundary
    if (m.version !== 1 && !f.padding && f.length > 0 && m.multiFile) assert.equal(f.offset % m.pieceLength, 0, f.path.join('/'));
  }
  assert.equal(offset, m.totalLength);
  assert.equal(m.pieceCount, Math.ceil(m.totalLength / m.pieceLength));
  if (m.version === 2) {
    assert.equal(m.pieces.length, 0);
    assert.equal(m.infoHashHex, m.infoHashV2Hex!.slice(0, 40));
  } else {
    assert.equal(m.pieces.length, 20 * m.pieceCount);
  }
  if (m.version !== 1) assert.match(m.infoHashV2Hex!, /^[0-9a-f]{64}$/);
}

const seeds: Uint8Array[] = [
  buildV2('pack', [{ path: ['a'], data: content(40_000, 1) }, { path: ['e'], data: new Uint8Array(0) }, { path: ['d', 'b'], data: content(3, 2) }], 16384),
  buildV2('pack', [{ path: ['a'], data: content(40_000, 1) }, { path: ['d', 'b'], data: content(20_000, 2) }], 16384, { hybrid: true }),
  buildV2('one', [{ path: ['one'], data: content(50_000, 3) }], 16384, { single: true, hybrid: true }),
];

test('fuzz: mutated v2 and hybrid torrents parse or fail with a one-line MetainfoError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...seeds), byteEdits, (seed, edits) => {
      const m = parseOrMetainfoError(mutate(seed, edits));
      if (m) checkInvariants(m);
    }),
    { numRuns: RUNS },
  );
});

// hostile names: traversal, separators, empty, bytes that are not UTF-8
const nameArb = fc.oneof(
  fc.constantFrom('..', '.', '', '/', 'a/b', '\\', 'CON', 'x'),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b).toString('latin1')),
);
const leafArb: fc.Arbitrary<Encodable> = fc.record(
  {
    length: fc.oneof(fc.nat({ max: 70_000 }), fc.constant(-1), fc.constant(2 ** 50)),
    'pieces root': fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 40 })),
    attr: fc.constantFrom('', 'x', 'p', 'l', 'h'),
    'symlink path': fc.array(nameArb, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const treeArb: fc.Arbitrary<Encodable> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.record({ '': leafArb }),
    fc.dictionary(nameArb, tie('node'), { maxKeys: 4 }).map((d) => new Map(Object.entries(d).map(([k, v]) => [k, v as Encodable]))),
    fc.integer(),
  ),
})).node;

test('fuzz: arbitrary file trees (hostile names, lengths, attrs) parse or fail with a one-line MetainfoError', () => {
  fc.assert(
    fc.property(treeArb, fc.constantFrom(16384, 32768, 12345), fc.boolean(), (tree, pieceLength, withLayers) => {
      const info = new Map<string, Encodable>([['file tree', tree], ['meta version', 2], ['name', 'fz'], ['piece length', pieceLength]]);
      const top = new Map<string, Encodable>([['info', info]]);
      if (withLayers) top.set('piece layers', new Map([['x'.repeat(32), new Uint8Array(64)]]));
      const m = parseOrMetainfoError(encode(top));
      if (m) checkInvariants(m);
    }),
    { numRuns: RUNS },
  );
});

test('property: any set of files gives a v2 and a hybrid torrent that parse, with the same layout', () => {
  const filesArb = fc.uniqueArray(
    fc.record({ name: fc.stringMatching(/^[a-z]{1,3}$/), size: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 70_000 })) }),
    { minLength: 1, maxLength: 5, selector: (f) => f.name },
  );
  fc.assert(
    fc.property(filesArb, fc.constantFrom(16384, 32768), (list, pieceLength) => {
      const files: TestFile[] = list.sort((a, b) => (a.name < b.name ? -1 : 1)).map((f, i) => ({ path: [f.name], data: content(f.size, i) }));
      fc.pre(files.some((f) => f.data.length > 0));
      // one file at the root of a file tree is a single-file torrent
      const single = files.length === 1;
      if (single) files[0].path = ['p'];
      const v2 = parseTorrent(buildV2('p', files, pieceLength, { single }));
      const hy = parseTorrent(buildV2('p', files, pieceLength, { hybrid: true, single }));
      checkInvariants(v2);
      checkInvariants(hy);
      assert.equal(v2.version, 2);
      assert.equal(hy.version, 'hybrid');
      assert.deepEqual(
        v2.files.map((f) => [f.offset, f.length, f.padding]),
        hy.files.map((f) => [f.offset, f.length, f.padding]),
      );
    }),
    { numRuns: Math.min(RUNS, 100) },
  );
});
