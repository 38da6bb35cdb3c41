/**
 * The Add dialog's file tree: folders from '/'-joined paths, per-file priorities (skip = unchecked),
 * tri-state folder checkboxes, and priorities applied to a folder's files. Pure; priorities are an
 * array indexed like the torrent's files and always replaced, never mutated.
 */
import type { FilePriority } from '../../engine/api/types.js';

export interface FileNode {
  kind: 'file';
  name: string;
  path: string;
  index: number;
  length: number;
}

export interface FolderNode {
  kind: 'folder';
  name: string;
  path: string;
  children: TreeNode[];
  /** Indices of every file below, in order. */
  files: number[];
  length: number;
}

export type TreeNode = FileNode | FolderNode;

export function buildTree(files: readonly { path: string; length: number }[]): FolderNode {
  const root: FolderNode = { kind: 'folder', name: '', path: '', children: [], files: [], length: 0 };
  const folders = new Map<string, FolderNode>([['', root]]);
  files.forEach((f, index) => {
    const parts = f.path.split('/').filter((p) => p !== '');
    let parent = root;
    let path = '';
    for (let i = 0; i < parts.length - 1; i++) {
      path = path ? `${path}/${parts[i]}` : parts[i];
      let folder = folders.get(path);
      if (!folder) {
        folder = { kind: 'folder', name: parts[i], path, children: [], files: [], length: 0 };
        folders.set(path, folder);
        parent.children.push(folder);
      }
      parent = folder;
    }
    parent.children.push({ kind: 'file', name: parts[parts.length - 1] ?? f.path, path: f.path, index, length: f.length });
  });
  const finish = (folder: FolderNode): void => {
    for (const c of folder.children) {
      if (c.kind === 'folder') {
        finish(c);
        folder.files.push(...c.files);
        folder.length += c.length;
      } else {
        folder.files.push(c.index);
        folder.length += c.length;
      }
    }
    // Folders first, then files, each by name, like a file manager.
    folder.children.sort((a, b) => (a.kind !== b.kind ? (a.kind === 'folder' ? -1 : 1) : a.name.localeCompare(b.name, undefined, { numeric: true })));
  };
  finish(root);
  return root;
}

export function filesOf(node: TreeNode): number[] {
  return node.kind === 'file' ? [node.index] : node.files;
}

export type CheckState = 'checked' | 'unchecked' | 'mixed';

export function checkState(node: TreeNode, priorities: readonly FilePriority[]): CheckState {
  let on = 0;
  const files = filesOf(node);
  for (const i of files) if (priorities[i] !== 'skip') on++;
  return on === 0 ? 'unchecked' : on === files.length ? 'checked' : 'mixed';
}

/** Checking a file or folder wants its files at normal priority (keeping low/high ones); unchecking skips them. */
export function setChecked(node: TreeNode, checked: boolean, priorities: readonly FilePriority[]): FilePriority[] {
  const next = [...priorities];
  for (const i of filesOf(node)) next[i] = checked ? (next[i] === 'skip' ? 'normal' : next[i]) : 'skip';
  return next;
}

export function setPriority(node: TreeNode, priority: FilePriority, priorities: readonly FilePriority[]): FilePriority[] {
  const next = [...priorities];
  for (const i of filesOf(node)) next[i] = priority;
  return next;
}

/** The one priority every file below shares, or 'mixed'. */
export function priorityOf(node: TreeNode, priorities: readonly FilePriority[]): FilePriority | 'mixed' {
  const files = filesOf(node);
  if (files.length === 0) return 'normal';
  const first = priorities[files[0]];
  for (const i of files) if (priorities[i] !== first) return 'mixed';
  return first;
}

export function wantedBytes(files: readonly { length: number }[], priorities: readonly FilePriority[]): number {
  let sum = 0;
  files.forEach((f, i) => {
    if (priorities[i] !== 'skip') sum += f.length;
  });
  return sum;
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
}

/** The rows to show: children of expanded folders, depth-first. */
export function visibleRows(root: FolderNode, expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (folder: FolderNode, depth: number): void => {
    for (const c of folder.children) {
      rows.push({ node: c, depth });
      if (c.kind === 'folder' && expanded.has(c.path)) walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}

/** Every folder path, for "expand all" (small torrents open fully expanded). */
export function allFolders(root: FolderNode): string[] {
  const out: string[] = [];
  const walk = (f: FolderNode): void => {
    for (const c of f.children) {
      if (c.kind === 'folder') {
        out.push(c.path);
        walk(c);
      }
    }
  };
  walk(root);
  return out;
}

/** Files grouped by priority, for setFilePriority calls (normal is the engine's default and left out). */
export function priorityGroups(priorities: readonly FilePriority[]): Partial<Record<FilePriority, number[]>> {
  const groups: Partial<Record<FilePriority, number[]>> = {};
  priorities.forEach((p, i) => {
    if (p === 'normal') return;
    (groups[p] ??= []).push(i);
  });
  return groups;
}
