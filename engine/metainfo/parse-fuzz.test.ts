/** Fuzz (issue 15): the v1 metainfo parser fails only with a one-line MetainfoError, and what it accepts is sane. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { encode, type Encodable } from '../bencode/index.js';
import { MetainfoError, parseTorrent, type Metainfo } from './index.js';
import { byteEdits, mutate } from '../wire/test-mutate.js';
import { FUZZ_RUNS, parseOrMetainfoError } from './test-fuzz.js';

const RUNS = FUZZ_RUNS;


/** What every accepted v1 torrent must satisfy. */
function checkInvariants(m: Metainfo): void {
  assert.match(m.infoHashHex, /^[0-9a-f]{40}$/);
  assert.equal(createHash('sha1').update(m.infoBytes).digest('hex'), m.infoHashHex, 'the info hash is the SHA-1 of the raw info dict');
  assert.ok(m.pieceLength > 0 && Number.isSafeInteger(m.pieceLength));
  let offset = 0;
  for (const f of m.files) {
    assert.equal(f.offset, offset);
    assert.ok(Number.isSafeInteger(f.length) && f.length >= 0, `file length ${f.length}`);
    offset += f.length;
    assert.ok(f.path.length > 0);
    for (const part of f.path) assert.ok(part !== '' && part !== '.' && part !== '..' && !part.includes('/') && !part.includes('\0'), `unsafe path element ${JSON.stringify(part)}`);
  }
  assert.equal(offset, m.totalLength);
  assert.equal(m.pieceCount, Math.ceil(m.totalLength / m.pieceLength));
  assert.equal(m.pieces.length, 20 * m.pieceCount);
  for (const url of m.announce.flat()) assert.equal(typeof url, 'string');
}

const hashes = (n: number): Uint8Array => new Uint8Array(20 * n).map((_, i) => (i * 31) & 0xff);

/** Valid v1 torrents to mutate: single-file, multi-file with nested folders and an empty file, with trackers. */
const seeds: Uint8Array[] = [
  encode(new Map<string, Encodable>([['announce', 'http://t.example/announce'], ['info', new Map<string, Encodable>([['length', 40_000], ['name', 'one.bin'], ['piece length', 16384], ['pieces', hashes(3)]])]])),
  encode(
    new Map<string, Encodable>([
      ['announce-list', [['udp://a.example:1/announce'], ['http://b.example/announce', 'http://c.example/announce']]],
      ['comment', 'seed'],
      ['created by', 'fuzz'],
      [
        'info',
        new Map<string, Encodable>([
          [
            'files',
            [
              new Map<string, Encodable>([['length', 30_000], ['path', ['a', 'b.bin']]]),
              new Map<string, Encodable>([['length', 0], ['path', ['empty']]]),
              new Map<string, Encodable>([['length', 5], ['path', ['c.txt']]]),
            ],
          ],
          ['name', 'pack'],
          ['piece length', 16384],
          ['pieces', hashes(2)],
          ['private', 1],
        ]),
      ],
    ]),
  ),
];

test('fuzz: mutated v1 torrents parse or fail with a one-line MetainfoError', () => {
  for (const seed of seeds) checkInvariants(parseTorrent(seed));
  fc.assert(
    fc.property(fc.constantFrom(...seeds), byteEdits, (seed, edits) => {
      const m = parseOrMetainfoError(mutate(seed, edits));
      if (m) checkInvariants(m);
    }),
    { numRuns: RUNS },
  );
});

// hostile names: traversal, separators, empty, NUL, bytes that are not UTF-8
const nameArb: fc.Arbitrary<Encodable> = fc.oneof(
  fc.constantFrom('..', '.', '', '/', 'a/b', '\\', 'CON', 'x', 'a\0b', '/etc/passwd'),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.uint8Array({ minLength: 1, maxLength: 4 }),
  fc.integer(),
);
const lengthArb: fc.Arbitrary<Encodable> = fc.oneof(fc.nat({ max: 70_000 }), fc.constant(-1), fc.constant(2 ** 50), fc.constant('12'), fc.constant(0));
const fileArb: fc.Arbitrary<Encodable> = fc
  .record(
    { length: lengthArb, path: fc.oneof(fc.array(nameArb, { maxLength: 4 }), nameArb), 'path.utf-8': fc.array(nameArb, { maxLength: 2 }), attr: fc.constantFrom('', 'p', 'x') },
    { requiredKeys: [] },
  )
  .map((r) => new Map(Object.entries(r) as [string, Encodable][]));

test('fuzz: arbitrary v1 info dicts (hostile names, lengths, piece counts) parse or fail with a one-line MetainfoError', () => {
  fc.assert(
    fc.property(
      fc.option(fc.array(fileArb, { maxLength: 5 }), { nil: undefined }),
      fc.option(lengthArb, { nil: undefined }),
      nameArb,
      fc.constantFrom<Encodable>(16384, 32768, 12345, 0, -16384, 2 ** 40, 'x'),
      fc.nat({ max: 8 }),
      fc.option(fc.oneof(fc.array(fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), { maxLength: 3 }), { maxLength: 3 }), fc.string()), { nil: undefined }),
      (files, length, name, pieceLength, pieceCount, announceList) => {
        const info = new Map<string, Encodable>([['name', name], ['piece length', pieceLength], ['pieces', hashes(pieceCount)]]);
        if (files !== undefined) info.set('files', files);
        if (length !== undefined) info.set('length', length);
        const top = new Map<string, Encodable>([['info', info]]);
        if (announceList !== undefined) top.set('announce-list', announceList as Encodable);
        const m = parseOrMetainfoError(encode(top));
        if (m) checkInvariants(m);
      },
    ),
    { numRuns: RUNS },
  );
});

/** Names the parser renames on purpose (sanitize.ts: `aux` is stored as `aux_`): the layout property is about the rest. */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul)$/;

test('property: well-formed v1 torrents of any file set parse to exactly their layout', () => {
  const filesArb = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,4}$/).filter((n) => !WINDOWS_DEVICE_NAME.test(n)), size: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 100_000 })) }), {
    minLength: 1,
    maxLength: 6,
    selector: (f) => f.name,
  });
  fc.assert(
    fc.property(filesArb, fc.constantFrom(16384, 32768, 65536), (list, pieceLength) => {
      const total = list.reduce((n, f) => n + f.size, 0);
      fc.pre(total > 0);
      const files = list.map((f) => new Map<string, Encodable>([['length', f.size], ['path', ['d', f.name]]]));
      const info = new Map<string, Encodable>([['files', files], ['name', 'p'], ['piece length', pieceLength], ['pieces', hashes(Math.ceil(total / pieceLength))]]);
      const m = parseTorrent(encode(new Map([['info', info]])));
      checkInvariants(m);
      assert.equal(m.version, 1);
      assert.equal(m.totalLength, total);
      assert.deepEqual(
        m.files.map((f) => [f.path.join('/'), f.length]),
        list.map((f) => [`p/d/${f.name}`, f.size]),
      );
    }),
    { numRuns: Math.min(RUNS, 100) },
  );
});
