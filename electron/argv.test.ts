import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyOpenArg, parseArgv } from './argv.js';

const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Some%20Thing';

test('argv: packaged first instance, .torrent paths with spaces and unicode, relative paths against cwd, magnets', () => {
  const argv = ['/opt/Tessera/tessera', 'My Films/ünïcödé 電影.torrent', '/abs/x.TORRENT', MAGNET, 'notes.txt', ''];
  assert.deepEqual(parseArgv(argv, { cwd: '/home/ann', appArgs: 0 }), [
    { kind: 'file', path: '/home/ann/My Films/ünïcödé 電影.torrent' },
    { kind: 'file', path: '/abs/x.TORRENT' },
    { kind: 'magnet', uri: MAGNET },
  ]);
});

test('argv: development (`electron <app> …`) skips the app path; switches are skipped, `--` ends them', () => {
  const argv = ['/usr/lib/electron', '--inspect=9229', '.', '--', '--weird name.torrent', '-x.torrent'];
  assert.deepEqual(parseArgv(argv, { cwd: '/w', appArgs: 1 }), [
    { kind: 'file', path: '/w/--weird name.torrent' },
    { kind: 'file', path: '/w/-x.torrent' },
  ]);
});

test('argv: a second instance argv with Chromium-added switches, relative to its own working directory', () => {
  const argv = [
    'C:\\Program Files\\Tessera\\Tessera.exe',
    '--allow-file-access-from-files',
    '--original-process-start-time=13374629393726127',
    '--enable-features=Foo,Bar',
    'downloads\\a b.torrent',
    'D:\\t\\c.torrent',
  ];
  assert.deepEqual(parseArgv(argv, { cwd: 'C:\\Users\\ann', appArgs: 0, path: path.win32 }), [
    { kind: 'file', path: 'C:\\Users\\ann\\downloads\\a b.torrent' },
    { kind: 'file', path: 'D:\\t\\c.torrent' },
  ]);
});

test('argv: file:// URLs become paths, other URLs and junk are ignored, duplicates collapse', () => {
  const url = pathToFileURL('/tmp/with space/é.torrent').href;
  const argv = ['exe', url, url, 'https://example.org/x.torrent', 'tessera://x', 'file://%zz', 'magnet:', 'x.torrent\0.exe', 'a.torrent.exe', MAGNET, MAGNET];
  assert.deepEqual(parseArgv(argv, { cwd: '/', appArgs: 0 }), [
    { kind: 'file', path: '/tmp/with space/é.torrent' },
    { kind: 'magnet', uri: MAGNET },
  ]);
});

test('argv: magnet scheme is case-insensitive and normalised; over-long arguments are ignored', () => {
  assert.deepEqual(classifyOpenArg('MAGNET:?xt=urn:btih:abc', '/'), { kind: 'magnet', uri: 'magnet:?xt=urn:btih:abc' });
  assert.equal(classifyOpenArg('magnet:?' + 'x'.repeat(70_000), '/'), null);
  assert.equal(classifyOpenArg('/' + 'a'.repeat(5000) + '.torrent', '/'), null);
});
