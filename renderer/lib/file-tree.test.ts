import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileInfo, FilePriority } from '../../engine/api/types.js';
import {
  buildFileTree,
  sameFileLayout,
  byFileIndex,
  canRename,
  doneBytesOf,
  filesOfPaths,
  findNode,
  initialCollapsed,
  isMultiFile,
  priorityOf,
  renameCommands,
  siblingNames,
  toggled,
  validateName,
  visibleRows,
} from './file-tree.js';

function file(index: number, path: string, length: number, doneBytes = 0, priority: FilePriority = 'normal'): FileInfo {
  return { index, path, length, doneBytes, priority };
}

const files = [
  file(0, 'Album/CD2/track 10.flac', 100, 100),
  file(1, 'Album/CD1/track 2.flac', 200, 50, 'high'),
  file(2, 'Album/CD1/track 10.flac', 300, 0, 'high'),
  file(3, 'Album/cover.jpg', 10, 10, 'skip'),
];

test('folders sum sizes and progress, and list every file below them', () => {
  const root = buildFileTree(files);
  const done = byFileIndex(files, (f) => f.doneBytes);
  const priorities = byFileIndex(files, (f) => f.priority);
  assert.equal(root.length, 610);
  assert.equal(doneBytesOf(root, done), 160);
  const album = findNode(root, 'Album');
  assert.ok(album && album.kind === 'folder');
  assert.deepEqual(album.files, [0, 1, 2, 3]);
  const cd1 = findNode(root, 'Album/CD1');
  assert.ok(cd1 && cd1.kind === 'folder');
  assert.equal(cd1.length, 500);
  assert.equal(priorityOf(cd1, priorities), 'high', 'all children high');
  assert.equal(priorityOf(album, priorities), 'mixed');
  assert.equal(findNode(root, 'Album/nope'), null);
});

test('folders come first, names sort naturally (2 before 10)', () => {
  const rows = visibleRows(buildFileTree(files), new Set());
  assert.deepEqual(
    rows.map((r) => `${'  '.repeat(r.depth)}${r.node.name}`),
    ['Album', '  CD1', '    track 2.flac', '    track 10.flac', '  CD2', '    track 10.flac', '  cover.jpg'],
  );
});

test('collapsed folders hide their children; big torrents start collapsed below the first level', () => {
  const root = buildFileTree(files);
  assert.deepEqual(visibleRows(root, new Set(['Album/CD1'])).map((r) => r.node.path), ['Album', 'Album/CD1', 'Album/CD2', 'Album/CD2/track 10.flac', 'Album/cover.jpg']);
  assert.deepEqual([...initialCollapsed(root)], []);
  assert.deepEqual([...initialCollapsed(root, 2)].sort(), ['Album/CD1', 'Album/CD2']);
});

test('per-file values go by the engine\'s file index, which skips padding files', () => {
  const padded = [file(0, 't/a', 10, 4, 'low'), file(2, 't/b', 20, 20, 'high')];
  const root = buildFileTree(padded);
  assert.deepEqual(root.files, [0, 2]);
  assert.equal(doneBytesOf(root, byFileIndex(padded, (f) => f.doneBytes)), 24);
  const b = findNode(root, 't/b');
  assert.ok(b);
  assert.equal(priorityOf(b, byFileIndex(padded, (f) => f.priority)), 'high');
  assert.equal(priorityOf(buildFileTree([]), []), 'normal', 'an empty folder');
});

test('toggling a folder opens it if collapsed and collapses it if open, leaving the set given alone', () => {
  const collapsed = new Set(['Album/CD1']);
  assert.deepEqual([...toggled(collapsed, 'Album/CD1')], []);
  assert.deepEqual([...toggled(collapsed, 'Album')].sort(), ['Album', 'Album/CD1']);
  assert.deepEqual([...collapsed], ['Album/CD1']);
});

test('selected rows cover their files: a folder stands for all below it', () => {
  const root = buildFileTree(files);
  assert.deepEqual(filesOfPaths(root, ['Album/CD1', 'Album/cover.jpg', 'Album/CD1/track 2.flac', 'gone']), [1, 2, 3]);
});

test('an empty file list is an empty tree', () => {
  const root = buildFileTree([]);
  assert.equal(root.length, 0);
  assert.deepEqual(visibleRows(root, new Set()), []);
});

test('single-file torrents: the file is the only row and renames by name', () => {
  const single = [file(0, 'movie.mkv', 1000)];
  assert.equal(isMultiFile(single), false);
  const root = buildFileTree(single);
  const node = findNode(root, 'movie.mkv');
  assert.ok(node);
  assert.equal(canRename(node, false), true);
  assert.deepEqual(renameCommands(node, 'film.mkv', false), [{ file: 0, newPath: 'film.mkv' }]);
});

test('multi-file renames drop the root folder, which cannot be renamed itself', () => {
  assert.equal(isMultiFile(files), true);
  const root = buildFileTree(files);
  const album = findNode(root, 'Album');
  const cd1 = findNode(root, 'Album/CD1');
  const cover = findNode(root, 'Album/cover.jpg');
  assert.ok(album && cd1 && cover);
  assert.equal(canRename(album, true), false);
  assert.equal(canRename(cd1, true), true);
  assert.deepEqual(renameCommands(cover, 'front.jpg', true), [{ file: 3, newPath: 'front.jpg' }]);
  assert.deepEqual(renameCommands(cd1, 'Disc 1', true), [
    { file: 1, newPath: 'Disc 1/track 2.flac' },
    { file: 2, newPath: 'Disc 1/track 10.flac' },
  ]);
  assert.deepEqual(siblingNames(root, 'Album/CD1'), ['CD1', 'CD2', 'cover.jpg']);
  assert.deepEqual(siblingNames(root, 'Album'), ['Album']);
});

test('names are checked before they reach the engine', () => {
  const sib = ['CD1', 'CD2', 'cover.jpg'];
  assert.equal(validateName('Disc 1', sib, 'CD1'), null);
  assert.equal(validateName('CD1', sib, 'CD1'), null, 'unchanged is fine');
  assert.match(validateName('', sib, 'CD1') ?? '', /required/);
  assert.match(validateName(' x', sib, 'CD1') ?? '', /space/);
  assert.match(validateName('a/b', sib, 'CD1') ?? '', /\//);
  assert.match(validateName('a\\b', sib, 'CD1') ?? '', /\//);
  assert.match(validateName('..', sib, 'CD1') ?? '', /not a file name/);
  assert.match(validateName('a:b', sib, 'CD1') ?? '', /cannot contain/);
  assert.match(validateName('a\u0001', sib, 'CD1') ?? '', /control/);
  assert.match(validateName('name.', sib, 'CD1') ?? '', /dot/);
  assert.match(validateName('NUL.txt', sib, 'CD1') ?? '', /reserved/);
  assert.match(validateName('cd2', sib, 'CD1') ?? '', /already exists/);
  assert.match(validateName('é'.repeat(128), sib, 'CD1') ?? '', /255 bytes/);
});

test('a resend with new progress keeps the same layout; a rename or another file list does not', () => {
  const a = [
    { index: 0, path: 'a/x', length: 1, doneBytes: 0, priority: 'normal' as const },
    { index: 2, path: 'a/y', length: 2, doneBytes: 0, priority: 'normal' as const },
  ];
  assert.equal(sameFileLayout(a, a.map((f) => ({ ...f, doneBytes: 1, priority: 'high' as const }))), true);
  assert.equal(sameFileLayout(a, [a[0], { ...a[1], path: 'a/z' }]), false);
  assert.equal(sameFileLayout(a, [a[0]]), false);
  assert.equal(sameFileLayout(a, [a[0], { ...a[1], index: 1 }]), false);
});
