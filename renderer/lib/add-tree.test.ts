import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilePriority, ListedFile } from '../../engine/api/types.js';
import { changedPriorityGroups, checkState, priorityGroups, setChecked, setPriority, wantedBytes } from './add-tree.js';
import { buildFileTree, findNode, initialCollapsed, priorityOf, visibleRows, type FolderNode } from './file-tree.js';

/** Files as the engine lists them when the torrent has no padding: indices are positions. */
const listed = (list: { path: string; length: number }[]): ListedFile[] => list.map((f, index) => ({ index, ...f }));
const buildAddTree = (list: { path: string; length: number }[]): FolderNode => buildFileTree(listed(list));

const files = listed([
  { path: 'Album/CD2/track10.flac', length: 10 },
  { path: 'Album/CD1/track2.flac', length: 20 },
  { path: 'Album/cover.jpg', length: 5 },
  { path: 'Album/CD1/track1.flac', length: 30 },
]);
const normal = (): FilePriority[] => files.map(() => 'normal');
const folder = (root: FolderNode, path: string): FolderNode => {
  const node = findNode(root, path);
  if (node?.kind !== 'folder') throw new Error(path);
  return node;
};

test('the tree nests folders, sorts folders first and numerically, sums sizes', () => {
  const root = buildAddTree(files);
  assert.equal(root.children.length, 1);
  const album = folder(root, 'Album');
  assert.deepEqual(album.children.map((c) => c.name), ['CD1', 'CD2', 'cover.jpg']);
  assert.deepEqual(folder(root, 'Album/CD1').children.map((c) => c.name), ['track1.flac', 'track2.flac']);
  assert.equal(album.length, 65);
  assert.deepEqual(album.files, [0, 1, 2, 3], 'the torrent\'s file indices');
});

test('a single-file torrent is one file at the root', () => {
  const root = buildAddTree([{ path: 'movie.mkv', length: 7 }]);
  assert.equal(root.children.length, 1);
  assert.equal(root.children[0].kind, 'file');
});

test('folder checkboxes: unchecking skips all children; tri-state follows', () => {
  const root = buildAddTree(files);
  const cd1 = folder(root, 'Album/CD1');
  let p = setChecked(cd1, false, normal());
  assert.deepEqual(p, ['normal', 'skip', 'normal', 'skip']);
  assert.equal(checkState(cd1, p), 'unchecked');
  assert.equal(checkState(folder(root, 'Album'), p), 'mixed');
  assert.equal(checkState(folder(root, 'Album/CD2'), p), 'checked');
  p = setChecked(cd1.children[0], true, p);
  assert.equal(checkState(cd1, p), 'mixed');
  assert.equal(wantedBytes(files, p), 10 + 5 + 30);
});

test('checking keeps low/high priorities and brings skipped files back to normal', () => {
  const root = buildAddTree(files);
  const album = folder(root, 'Album');
  const p = setChecked(album, true, ['high', 'skip', 'low', 'skip']);
  assert.deepEqual(p, ['high', 'normal', 'low', 'normal']);
});

test('priorities apply to a folder and report mixed', () => {
  const root = buildAddTree(files);
  const cd1 = folder(root, 'Album/CD1');
  const p = setPriority(cd1, 'high', normal());
  assert.deepEqual(p, ['normal', 'high', 'normal', 'high']);
  assert.equal(priorityOf(cd1, p), 'high');
  assert.equal(priorityOf(folder(root, 'Album'), p), 'mixed');
  assert.deepEqual(priorityGroups(p), { high: [1, 3] });
  assert.deepEqual(priorityGroups(setPriority(folder(root, 'Album/CD2'), 'skip', p)), { skip: [0], high: [1, 3] });
});

test('visible rows follow collapsing', () => {
  const root = buildAddTree(files);
  assert.deepEqual(visibleRows(root, new Set(['Album'])).map((r) => r.node.name), ['Album']);
  const rows = visibleRows(root, new Set(['Album/CD2']));
  assert.deepEqual(rows.map((r) => `${r.depth}:${r.node.name}`), ['0:Album', '1:CD1', '2:track1.flac', '2:track2.flac', '1:CD2', '1:cover.jpg']);
});

test('a small torrent opens with every folder expanded; a big one with only the top-level folders', () => {
  const root = buildAddTree(files);
  assert.equal(visibleRows(root, initialCollapsed(root)).length, 7, 'every folder and file');
  assert.deepEqual(visibleRows(root, initialCollapsed(root, 2)).map((r) => r.node.path), ['Album', 'Album/CD1', 'Album/CD2', 'Album/cover.jpg']);
});

test('names sort like the Files tab: numerically, ignoring case, torrent order for ties', () => {
  const root = buildAddTree([
    { path: 'b/README', length: 1 },
    { path: 'b/readme', length: 1 },
    { path: 'b/Track 10', length: 1 },
    { path: 'b/track 9', length: 1 },
    { path: 'b/a', length: 1 },
  ]);
  assert.deepEqual(folder(root, 'b').children.map((c) => c.name), ['a', 'README', 'readme', 'track 9', 'Track 10']);
});

test('with padding files (left out of the list) priorities stay indexed like the torrent, padding untouched', () => {
  // Torrent files: 0 a.bin, 1 padding, 2 b.bin, 3 padding, 4 c.bin.
  const withPadding: ListedFile[] = [
    { index: 0, path: 't/a.bin', length: 100 },
    { index: 2, path: 't/b.bin', length: 200 },
    { index: 4, path: 't/c.bin', length: 300 },
  ];
  const root = buildFileTree(withPadding);
  const start: FilePriority[] = ['normal', 'normal', 'normal', 'normal', 'normal'];
  const b = findNode(root, 't/b.bin');
  assert.ok(b);
  let p = setChecked(b, false, start);
  assert.deepEqual(p, ['normal', 'normal', 'skip', 'normal', 'normal']);
  assert.equal(wantedBytes(withPadding, p), 400);
  p = setPriority(folder(root, 't'), 'high', p);
  assert.deepEqual(p, ['high', 'normal', 'high', 'normal', 'high'], 'padding entries keep their value');
  assert.deepEqual(priorityGroups(setChecked(folder(root, 't'), false, start)), { skip: [0, 2, 4] });
  assert.equal(checkState(folder(root, 't'), setChecked(folder(root, 't'), false, start)), 'unchecked');
});

test('the Files tab sends only the files a checkbox changed, grouped by their new priority', () => {
  assert.deepEqual(changedPriorityGroups(['normal', 'high', 'skip', 'low'], ['skip', 'skip', 'skip', 'low']), { skip: [0, 1] });
  assert.deepEqual(changedPriorityGroups(['skip', 'skip', 'high'], ['normal', 'normal', 'high']), { normal: [0, 1] });
  assert.deepEqual(changedPriorityGroups(['normal'], ['normal']), {});
});
