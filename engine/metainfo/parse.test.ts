import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encode, type Encodable } from '../bencode/index.js';
import { MetainfoError, parseInfoDict, parseTorrent } from './index.js';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();

function torrent(info: Record<string, Encodable | undefined>, top: Record<string, Encodable | undefined> = {}): Uint8Array {
  return encode({ ...top, info });
}
const single = (extra: Record<string, Encodable | undefined> = {}) => ({
  name: 'file.bin',
  'piece length': 16384,
  length: 20000,
  pieces: new Uint8Array(40),
  ...extra,
});
const multi = (files: Encodable[], extra: Record<string, Encodable | undefined> = {}) => ({
  name: 'root',
  'piece length': 16384,
  files,
  pieces: new Uint8Array(20),
  ...extra,
});

function rejects(buf: Uint8Array, re: RegExp): void {
  assert.throws(
    () => parseTorrent(buf),
    (e: unknown) => e instanceof MetainfoError && re.test(e.message) && e.message.startsWith('torrent: ') && !e.message.includes('\n'),
  );
}

test('single-file torrent: fields, info-hash over the exact info bytes', () => {
  const buf = torrent(single({ private: 1 }), {
    announce: 'http://t/a',
    comment: 'hi',
    'created by': 'me',
    'creation date': 1700000000,
    'url-list': 'http://seed/file.bin',
  });
  const m = parseTorrent(buf);
  const infoBytes = encode(single({ private: 1 }));
  assert.deepEqual(Buffer.from(m.infoBytes), Buffer.from(infoBytes));
  assert.equal(m.infoHashHex, sha1(infoBytes).toString('hex'));
  assert.equal(m.name, 'file.bin');
  assert.equal(m.pieceCount, 2);
  assert.equal(m.totalLength, 20000);
  assert.equal(m.private, true);
  assert.equal(m.multiFile, false);
  assert.deepEqual(m.files, [{ path: ['file.bin'], length: 20000, offset: 0, padding: false, attr: '', rawPath: [new Uint8Array(Buffer.from('file.bin'))] }]);
  assert.deepEqual(m.announce, [['http://t/a']]);
  assert.deepEqual(m.urlList, ['http://seed/file.bin']);
  assert.equal(m.comment, 'hi');
  assert.equal(m.createdBy, 'me');
  assert.equal(m.creationDate, 1700000000);
});

test('multi-file torrent: offsets, pad files, announce-list tiers deduplicated', () => {
  const buf = torrent(
    multi([
      { length: 100, path: ['a', 'x.txt'] },
      { length: 16284, path: ['.pad', '16284'], attr: 'p' },
      { length: 5, path: ['b'] },
    ], { pieces: new Uint8Array(40) }),
    { announce: 'http://ignored', 'announce-list': [[' http://a ', ''], ['http://a', 'udp://b'], []] },
  );
  const m = parseTorrent(buf);
  assert.equal(m.multiFile, true);
  assert.deepEqual(m.files.map((f) => [f.path.join('/'), f.offset, f.padding]), [
    ['root/a/x.txt', 0, false],
    ['root/.pad/16284', 100, true],
    ['root/b', 16384, false],
  ]);
  assert.deepEqual(m.announce, [['http://a'], ['udp://b']]);
});

test('unsorted info keys: hash over original bytes, warning', () => {
  const info = Buffer.from('d4:name1:x6:lengthi5e12:piece lengthi16384e6:pieces20:' + 'a'.repeat(20) + 'e', 'latin1');
  const buf = Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('e\n')]);
  const m = parseTorrent(buf);
  assert.equal(m.infoHashHex, sha1(info).toString('hex'));
  assert.ok(m.warnings.some((w) => /unsorted/.test(w)));
  assert.ok(m.warnings.some((w) => /trailing/.test(w)));
  assert.equal(parseInfoDict(info).infoHashHex, m.infoHashHex);
});

test('rejections with one-line reasons', () => {
  rejects(encode('x'), /not a bencoded dictionary/);
  rejects(encode({ info: 'x' }), /'info'/);
  rejects(torrent(single({ 'piece length': undefined })), /'piece length'/);
  rejects(torrent(single({ 'piece length': -16384 })), /'piece length'/);
  rejects(torrent(single({ 'piece length': 2 ** 30 })), /exceeds the maximum/);
  rejects(torrent(single({ name: undefined })), /'name'/);
  rejects(torrent(single({ name: 5 })), /'name'/);
  rejects(torrent(single({ length: -1 })), /length/);
  rejects(torrent(single({ length: 0, pieces: new Uint8Array(0) })), /total size is 0/);
  rejects(torrent(single({ pieces: new Uint8Array(39) })), /'pieces' length 39 is not a multiple of 20/);
  rejects(torrent(single({ pieces: new Uint8Array(60) })), /3, expected 2/);
  rejects(torrent(single({ pieces: -1 })), /'pieces'/);
  rejects(torrent(single({ length: 2 ** 40 })), /too many pieces/);
  rejects(torrent(multi([])), /no files/);
  rejects(torrent(multi([{ length: 1, path: ['a', 3] }])), /path of file 0/);
  rejects(torrent(multi([{ length: 1 }])), /missing path of file 0/);
  rejects(torrent(multi([{ length: [1], path: ['a'] }])), /invalid length of file 0/);
  rejects(torrent({ name: 'x', 'piece length': 16384, 'meta version': 2, 'file tree': {} }), /no files/);
  rejects(torrent(multi([{ length: 1, path: Array(101).fill('d') }])), /deeper than 100/);
  rejects(Buffer.from('d4:infod4:name1:xee junk'), /trailing/);
  rejects(new Uint8Array(0), /invalid bencoding/);
});

test('sanitised names and paths, duplicates renamed, name falls back to the info-hash', () => {
  const m = parseTorrent(
    torrent(
      multi([
        { length: 1, path: ['..', '..', 'etc', 'passwd'] },
        { length: 1, path: ['foo/../../bar', 'x'] },
        { length: 1, path: ['Dup.TXT'] },
        { length: 1, path: ['dup.txt'] },
        { length: 1, path: ['dir'] },
        { length: 1, path: ['DIR', 'inner'] },
        { length: 1, path: ['CON.txt'] },
      ], { name: '..' }),
    ),
  );
  assert.equal(m.name, m.infoHashHex);
  const p = m.files.map((f) => f.path.slice(1).join('/'));
  assert.deepEqual(p, ['etc/passwd', 'foo....bar/x', 'Dup.TXT', 'dup.1.txt', 'dir.1', 'DIR/inner', 'CON_.txt']);
  assert.ok(m.warnings.some((w) => /renamed/.test(w)));
});

test('too many duplicate names is an error (DoS guard)', () => {
  const files = Array.from({ length: 40 }, () => ({ length: 1, path: ['same'] }));
  rejects(torrent(multi(files)), /too many duplicate/);
});

test('symlinks: no data, target sanitised, folder-relative fallback', () => {
  const m = parseTorrent(
    torrent(
      multi([
        { length: 10, path: ['Versions', 'A', 'lib'] },
        { length: 99, attr: 'l', path: ['lib'], 'symlink path': ['Versions', 'A', 'lib'] },
        { attr: 'l', path: ['Versions', 'Current'], 'symlink path': ['A'] },
      ]),
    ),
  );
  assert.equal(m.totalLength, 10);
  assert.deepEqual(m.files[1].symlink, ['root', 'Versions', 'A', 'lib']);
  assert.deepEqual(m.files[2].symlink, ['root', 'Versions', 'A']);
});

test('hybrid: v1 files must match the v2 file tree', () => {
  const root = new Uint8Array(32).fill(1);
  const tree = { a: { '': { length: 16384, 'pieces root': root } }, b: { '': { length: 5, 'pieces root': root } } };
  const files = [{ length: 16384, path: ['a'] }, { length: 5, path: ['b'] }];
  const ok = parseTorrent(torrent(multi(files, { 'meta version': 2, 'file tree': tree, pieces: new Uint8Array(40) })));
  assert.equal(ok.hybrid, true);
  const bad = [{ length: 16384, path: ['a'] }, { length: 6, path: ['b'] }];
  rejects(torrent(multi(bad, { 'meta version': 2, 'file tree': tree, pieces: new Uint8Array(40) })), /v1 and v2/);
  const misaligned = [{ length: 5, path: ['b'] }, { length: 16384, path: ['a'] }];
  const tree2 = { b: tree.b, a: tree.a };
  rejects(torrent(multi(misaligned, { 'meta version': 2, 'file tree': tree2, pieces: new Uint8Array(40) })), /v1 and v2/);
});

test('web seeds: trimmed, deduplicated, escaped, slash appended for multi-file', () => {
  const m = parseTorrent(
    torrent(multi([{ length: 1, path: ['a'] }, { length: 1, path: ['b'] }]), {
      'url-list': ['http://s/x y', 'http://s/x y', '', 5, ['nested']],
    }),
  );
  assert.deepEqual(m.urlList, ['http://s/x%20y/']);
});
