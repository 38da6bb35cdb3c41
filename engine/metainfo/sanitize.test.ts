import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveDuplicates, sanitizeElement, sanitizePath } from './sanitize.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const path = (...els: (string | Uint8Array)[]) => sanitizePath(els).join('/');

test('separators, dots and empty elements', () => {
  assert.equal(path('/a/', 'b', 'c'), 'a/b/c');
  assert.equal(path('a...b'), 'a...b');
  assert.equal(path('a', '..', 'c'), 'a/c');
  assert.equal(path('/..', '.', 'c'), 'c');
  assert.equal(path('\\c', '.', 'c'), 'c/c');
  assert.equal(path('abc', ''), 'abc/_');
  assert.equal(path('', 'abc'), '_/abc');
  assert.equal(path('/', '/', 'bar'), '_/_/bar');
  assert.equal(path('abc/../../def', '/', 'bar'), 'abc....def/_/bar');
  assert.equal(path('..'), '_');
  assert.equal(path(), '_');
});

test('control, Windows-invalid and invisible characters', () => {
  assert.equal(path('\b'), '_');
  assert.equal(path('\b', 'filename'), '_/filename');
  assert.equal(path('\b?filename=4'), '__filename=4');
  assert.equal(path('foo:bar'), 'foo_bar');
  assert.equal(path('c:', 'b'), 'c_/b');
  assert.equal(path(b('foo\x7fbar')), 'foo_bar');
  assert.equal(path(b('foo\xc2\x80bar')), 'foo_bar');
  assert.equal(path(b('foo\xc2\x9fbar')), 'foo_bar');
  for (const cp of ['\u200b', '\u200c', '\u200d', '\u200e', '\u202b', '\u2060', '\u2062', '\u2066', '\u2069', '\u061c', '\ufeff']) {
    assert.equal(path(`foo${cp}bar`), 'foobar', `U+${cp.codePointAt(0)!.toString(16)}`);
  }
});

test('invalid UTF-8 becomes one _ per bad sequence; valid UTF-8 kept', () => {
  assert.equal(path(b('filename\xc2\xa1')), 'filename\u00a1');
  assert.equal(path(b('filename\xc2')), 'filename_');
  assert.equal(path(b('filename\xe2\x9f\xb9')), 'filename\u27f9');
  assert.equal(path(b('filename\xe2\x9f')), 'filename_');
  assert.equal(path(b('filename\xe2')), 'filename_');
  assert.equal(path(b('filename\xf0\x9f\x92\x88')), 'filename\u{1f488}');
  assert.equal(path(b('filename\xf0\x9f\x92')), 'filename_');
  assert.equal(path(b('filename\xf8\x9f\x9f\x9f\x9ffoobar')), 'filename_foobar');
  assert.equal(path(b('filename\xc0\xae')), 'filename_');
  assert.equal(path(b('filename\xe0\x80\xae')), 'filename_');
  assert.equal(path(b('filename\xf0\x80\x80\xae')), 'filename_');
  assert.equal(path(b('\xed\xa0\x80')), '_'); // surrogate
});

test('trailing spaces/dots stripped, reserved Windows names altered', () => {
  assert.equal(path('a', 'abc...', 'c'), 'a/abc/c');
  assert.equal(path('abc   '), 'abc');
  assert.equal(path('a. . .'), 'a');
  assert.equal(path('abc', '   '), 'abc/_');
  assert.equal(path('CON'), 'CON_');
  assert.equal(path('nul.txt'), 'nul_.txt');
  assert.equal(path('com1.tar.gz'), 'com1_.tar.gz');
  assert.equal(path('LPT9'), 'LPT9_');
  assert.equal(path('CONSOLE'), 'CONSOLE');
});

test('long elements shortened keeping the extension', () => {
  assert.equal(sanitizeElement('x'.repeat(250)), 'x'.repeat(240));
  assert.equal(sanitizeElement('x'.repeat(245) + '.test'), 'x'.repeat(240) + '.test');
  const long = 'abcdefghij0123456789'.repeat(14) + 'abcdefghij0123456789'.slice(0, 11) + '.23456789';
  assert.equal(sanitizeElement(long), long.slice(0, 240) + '.23456789');
  assert.equal(sanitizeElement('a'.repeat(239) + '\u2014abcde.jpg'), 'a'.repeat(239) + '\u2014.jpg');
  assert.equal(sanitizeElement('y'.repeat(300) + '.thisisalongext'), 'y'.repeat(240));
});

function dedupe(paths: string[]): string[] {
  const files = paths.map((p) => ({ path: p.split('/') }));
  resolveDuplicates(files);
  return files.map((f) => f.path.join('/'));
}

test('duplicate resolution (libtorrent table)', () => {
  assert.deepEqual(dedupe(['test/temporary.txt', 'test/Temporary.txt', 'test/TeMPorArY.txT', 'test/test/TEMPORARY.TXT']), [
    'test/temporary.txt', 'test/Temporary.1.txt', 'test/TeMPorArY.2.txT', 'test/test/TEMPORARY.TXT',
  ]);
  assert.deepEqual(dedupe(['test/b.exe', 'test/B.ExE', 'test/B.exe']), ['test/b.exe', 'test/B.1.ExE', 'test/B.2.exe']);
  assert.deepEqual(dedupe(['test/a', 'test/a/b']), ['test/a.1', 'test/a/b']);
  assert.deepEqual(dedupe(['test/A/tmp', 'test/a', 'test/A']), ['test/A/tmp', 'test/a.1', 'test/A.2']);
  assert.deepEqual(dedupe(['test/long/path/name/that/collides', 'test/long/path']), ['test/long/path/name/that/collides', 'test/long/path.1']);
  const deep = 'test/a/b/c/d/e/f/g/h/i/j/k/l/m';
  const parts = deep.split('/');
  const prefixes = parts.slice(2, 11).map((_, i) => parts.slice(0, i + 2).join('/'));
  assert.deepEqual(dedupe([deep, ...prefixes]), [deep, ...prefixes.map((p) => p + '.1')]);
  const withPad = [{ path: ['t', 'x'] }, { path: ['t', 'x'], skip: true }];
  resolveDuplicates(withPad);
  assert.deepEqual(withPad.map((f) => f.path.join('/')), ['t/x', 't/x']);
});

test('property: sanitised paths never escape the folder and are never special', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (els) => {
      const p = sanitizePath(els);
      assert.ok(p.length >= 1);
      for (const e of p) {
        assert.ok(e.length > 0);
        assert.ok(e !== '.' && e !== '..');
        assert.ok(!/[\/\\\x00-\x1f<>:"|?*]/.test(e), JSON.stringify(e));
        assert.ok(!/[ .]$/.test(e));
        assert.ok(Buffer.byteLength(e) <= 255);
      }
    }),
    { numRuns: 500 },
  );
});

test('property: de-duplicated paths are unique case-insensitively and no file is a directory', () => {
  const name = fc.constantFrom('a', 'A', 'b', 'a.txt', 'A.TXT', 'a.1.txt');
  fc.assert(
    fc.property(fc.array(fc.array(name, { minLength: 1, maxLength: 3 }), { maxLength: 12 }), (paths) => {
      const files = paths.map((p) => ({ path: [...p] }));
      try {
        resolveDuplicates(files);
      } catch {
        return; // too many collisions
      }
      const keys = files.map((f) => f.path.join('/').toLowerCase());
      assert.equal(new Set(keys).size, keys.length);
      const dirs = new Set(files.flatMap((f) => f.path.slice(0, -1).map((_, i) => f.path.slice(0, i + 1).join('/').toLowerCase())));
      for (const k of keys) assert.ok(!dirs.has(k));
    }),
    { numRuns: 300 },
  );
});
