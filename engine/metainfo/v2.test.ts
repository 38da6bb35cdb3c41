import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decode, encode, type BDict, type Encodable } from '../bencode/index.js';
import { MetainfoError, parseInfoDict, parseMagnet, parseTorrent, toMagnetUri } from './index.js';
import { HASH_SIZE, fileRoot, leafHashes } from './merkle.js';
import { buildV2, content } from './test-v2-torrents.js';

const PL = 32768;
const files = [
  { path: ['a.bin'], data: content(40_000, 1) },
  { path: ['empty'], data: new Uint8Array(0) },
  { path: ['sub', 'x.bin'], data: content(100_001, 2) },
  { path: ['z'], data: content(1, 3) },
];

function rejects(buf: Uint8Array, re: RegExp): void {
  assert.throws(
    () => parseTorrent(buf),
    (e: unknown) => e instanceof MetainfoError && re.test(e.message) && e.message.startsWith('torrent: ') && !e.message.includes('\n'),
  );
}

function infoBytesOf(buf: Uint8Array): Uint8Array {
  return encode((decode(buf) as BDict).get('info')!);
}

test('v2-only: version, SHA-256 info hash, torrent id = first 40 hex digits, no v1 piece hashes, aligned layout', () => {
  const buf = buildV2('pack', files, PL);
  const m = parseTorrent(buf);
  const v2 = createHash('sha256').update(infoBytesOf(buf)).digest('hex');
  assert.equal(m.version, 2);
  assert.equal(m.hybrid, false);
  assert.equal(m.infoHashV2Hex, v2);
  assert.equal(m.infoHashHex, v2.slice(0, 40));
  assert.deepEqual(m.infoHash, m.infoHashV2!.subarray(0, 20));
  assert.equal(m.pieces.length, 0);
  assert.deepEqual(
    m.files.map((f) => [f.path.join('/'), f.length, f.offset, f.padding]),
    [
      ['pack/a.bin', 40000, 0, false],
      ['pack/.pad/25536', 25536, 40000, true],
      ['pack/empty', 0, 65536, false],
      ['pack/sub/x.bin', 100001, 65536, false],
      ['pack/.pad/31071', 31071, 165537, true],
      ['pack/z', 1, 196608, false],
      ['pack/.pad/32767', 32767, 196609, true],
    ],
  );
  assert.equal(m.pieceCount, 7);
  assert.deepEqual(m.files[3].piecesRoot, fileRoot(leafHashes(files[2].data)));
  assert.equal(m.files[2].piecesRoot, undefined, 'empty files have no root');
  assert.equal(m.pieceLayers!.size, 2, 'a.bin and x.bin are longer than a piece');
  // the info dict alone (as ut_metadata delivers it) parses the same way
  const bare = parseInfoDict(infoBytesOf(buf));
  assert.equal(bare.infoHashHex, m.infoHashHex);
  assert.equal(bare.version, 2);
});

test('hybrid: both hashes, v1 id, roots attached to the v1 files', () => {
  const buf = buildV2('pack', files, PL, { hybrid: true });
  const m = parseTorrent(buf);
  assert.equal(m.version, 'hybrid');
  assert.equal(m.hybrid, true);
  assert.equal(m.infoHashHex, createHash('sha1').update(infoBytesOf(buf)).digest('hex'));
  assert.equal(m.infoHashV2Hex, createHash('sha256').update(infoBytesOf(buf)).digest('hex'));
  assert.equal(m.pieces.length, 20 * m.pieceCount);
  assert.deepEqual(m.files.filter((f) => f.piecesRoot).map((f) => f.path.join('/')), ['pack/a.bin', 'pack/sub/x.bin', 'pack/z']);
});

test('single-file v2 and hybrid torrents', () => {
  const one = [{ path: ['movie.mkv'], data: content(70_000, 4) }];
  const v2 = parseTorrent(buildV2('movie.mkv', one, PL, { single: true }));
  assert.equal(v2.multiFile, false);
  assert.deepEqual(v2.files.map((f) => [f.path.join('/'), f.length]), [['movie.mkv', 70000]]);
  assert.equal(v2.pieceCount, 3);
  const hy = parseTorrent(buildV2('movie.mkv', one, PL, { single: true, hybrid: true }));
  assert.equal(hy.version, 'hybrid');
  assert.equal(hy.files.length, 1);
});

test('hybrid halves that disagree are refused with a one-line reason', () => {
  const mismatch = (info: Record<string, Encodable>, re: RegExp) => rejects(buildV2('pack', files, PL, { hybrid: true, info }), re);
  const v1 = (over: (f: { length: number; path: string[]; attr?: string }[]) => void) => {
    const list = [
      { length: 40000, path: ['a.bin'] },
      { attr: 'p', length: 25536, path: ['.pad', '25536'] },
      { length: 0, path: ['empty'] },
      { length: 100001, path: ['sub', 'x.bin'] },
      { attr: 'p', length: 31071, path: ['.pad', '31071'] },
      { length: 1, path: ['z'] },
      { attr: 'p', length: 32767, path: ['.pad', '32767'] },
    ];
    over(list);
    return list;
  };
  mismatch({ files: v1((l) => (l[3].path = ['sub', 'y.bin'])) }, /v1 and v2 file metadata do not match: file 2 is 'sub\/y.bin' in v1 but 'sub\/x.bin' in v2/);
  mismatch({ files: v1((l) => (l[5].length = 2)) }, /'z' is 2 bytes in v1 but 1 in v2/);
  mismatch({ files: v1((l) => l.splice(2, 1)) }, /v1 lists 3 files, v2 4/);
  mismatch({ files: v1((l) => (l[1].length = 25537)) }, /'sub\/x.bin' starts at byte 65537 in v1 but at 65536 \(piece-aligned\) in v2/);
  mismatch({ files: v1((l) => l.push({ attr: 'p', length: PL, path: ['.pad', String(PL)] })) }, /v1 spans 8 pieces, the v2 layout 7/);
});

test('v2 file tree and piece layer validation', () => {
  const one = [{ path: ['f'], data: content(100_000, 5) }];
  const tree = (mutate: (t: { [k: string]: Encodable | undefined }) => void) => buildV2('t', one, PL, { mutateTree: mutate });
  const leaf = (t: { [k: string]: Encodable | undefined }) => (t.f as { [k: string]: Encodable })[''] as { [k: string]: Encodable | undefined };
  rejects(tree((t) => (leaf(t)['pieces root'] = undefined)), /a v2 file entry has no root hash \('f'\)/);
  rejects(tree((t) => (leaf(t)['pieces root'] = new Uint8Array(32))), /no root hash/);
  rejects(tree((t) => (leaf(t).attr = 'p')), /pad attribute/);
  rejects(tree((t) => (leaf(t).length = -1)), /failed to parse files.*invalid length of 'f'/);
  rejects(tree((t) => (leaf(t).length = 2 ** 44)), /invalid length of torrent/);
  rejects(tree((t) => ((t.f as { [k: string]: Encodable }).extra = 1)), /sibling/);
  rejects(tree((t) => (t.d = {})), /empty folder 'd'/);
  rejects(tree((t) => (t[''] = { length: 1 })), /the file tree root is a file/);
  rejects(tree((t) => (t.d = { '': {}, x: {} })), /sibling entries/);
  rejects(tree((t) => (leaf(t).attr = 'l')), /symlink path of 'f'/);
  rejects(buildV2('t', one, 3 * 16384), /power of two of at least 16 KiB/);
  rejects(buildV2('t', one, 8192), /power of two/);
  rejects(buildV2('t', one, PL, { info: { 'meta version': 3 } }), /meta version 3 is newer/);

  const good = parseTorrent(buildV2('t', one, PL));
  const root = Uint8Array.from(Buffer.from([...good.pieceLayers!.keys()][0], 'hex'));
  const layer = good.pieceLayers!.values().next().value!;
  const withLayers = (layers: Map<string, Encodable>) => {
    const top = new Map<string, Encodable>(decode(buildV2('t', one, PL)) as BDict);
    top.set('piece layers', layers);
    return encode(top);
  };
  const key = (b: Uint8Array) => Buffer.from(b).toString('latin1');
  assert.equal(parseTorrent(withLayers(new Map())).pieceLayers!.size, 0, 'layers may be missing (fetched from peers)');
  rejects(withLayers(new Map([[key(root), layer.subarray(HASH_SIZE)]])), /a piece layer is invalid: 96 bytes .*expected 128/);
  const flipped = Uint8Array.from(layer);
  flipped[0] ^= 1;
  rejects(withLayers(new Map([[key(root), flipped]])), /does not hash to its pieces root/);
  const other = Uint8Array.from(root);
  other[0] ^= 1;
  rejects(withLayers(new Map([[key(other), layer]])), /is no file's pieces root/);
  rejects(withLayers(new Map([[key(root.subarray(1)), layer]])), /key of 31 bytes/);
  rejects(withLayers(new Map<string, Encodable>([[key(root), 5]])), /is not a string/);
});

test('a v2 info dict must be canonical bencoding', () => {
  const buf = Buffer.from(buildV2('t', [{ path: ['b'], data: content(10, 1) }, { path: ['c'], data: content(10, 2) }], PL));
  const swapped = Buffer.from(buf.toString('latin1').replace('1:bd0:', '1:Xd0:').replace('1:cd0:', '1:bd0:').replace('1:Xd0:', '1:cd0:'), 'latin1');
  rejects(swapped, /not canonical/);
});

test('magnets: btmh (v2-only) and hybrid links', () => {
  const v2 = 'ab'.repeat(32);
  const v1 = 'cd'.repeat(20);
  const only = parseMagnet(`magnet:?xt=urn:btmh:1220${v2}&dn=x`);
  assert.equal(only.version, 2);
  assert.equal(only.infoHashV2Hex, v2);
  assert.equal(only.infoHashHex, v2.slice(0, 40));
  assert.equal(toMagnetUri(only), `magnet:?xt=urn:btmh:1220${v2}&dn=x`, 'no made-up btih');
  const both = parseMagnet(`magnet:?xt=urn:btih:${v1}&xt=urn:btmh:1220${v2.toUpperCase()}`);
  assert.equal(both.version, 'hybrid');
  assert.equal(both.infoHashHex, v1);
  assert.equal(both.infoHashV2Hex, v2);
  assert.deepEqual(parseMagnet(toMagnetUri(both)), both);
  assert.throws(() => parseMagnet(`magnet:?xt=urn:btmh:1220${v2}&xt=urn:btmh:1220${'ef'.repeat(32)}`), /two different btmh/);
  assert.throws(() => parseMagnet(`magnet:?xt=urn:btmh:1114${v2}`), /invalid btmh/);
  const m = parseTorrent(buildV2('pack', files, PL, { hybrid: true }));
  assert.deepEqual(parseMagnet(toMagnetUri(m)).infoHashV2Hex, m.infoHashV2Hex);
  const v2m = parseTorrent(buildV2('pack', files, PL));
  assert.equal(parseMagnet(toMagnetUri(v2m)).infoHashHex, v2m.infoHashHex);
});
