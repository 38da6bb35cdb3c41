/**
 * A torrent's flat file list as a folder tree, shared by the Files tab and the Add dialog: folder sizes,
 * the files below each node, priorities and progress summed up per node, the rows a tree view shows,
 * and the Files tab's rename rules. Pure.
 *
 * Paths are '/'-separated. A multi-file torrent's paths start with its root folder, which renameFile
 * keeps: the engine takes the new path without it.
 */
import type { FileInfo, FilePriority } from '../../engine/api/types.js';

export type Priority = FilePriority | 'mixed';

/** What the tree needs of a file. `index` is the engine's file index, which is not always its position in a list. */
export interface TreeFile {
  index: number;
  path: string;
  length: number;
}

interface NodeBase {
  name: string;
  /** The full path in the torrent; a folder's has no trailing '/'. Unique, so it is the node's key. */
  path: string;
  length: number;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  index: number;
}

export interface FolderNode extends NodeBase {
  kind: 'folder';
  children: TreeNode[];
  /** Every file below, in torrent order. */
  files: number[];
}

export type TreeNode = FileNode | FolderNode;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function buildFileTree(files: readonly TreeFile[]): FolderNode {
  const root: FolderNode = folder('', '');
  const folders = new Map<string, FolderNode>([['', root]]);
  for (const f of files) {
    const parts = f.path.split('/').filter((p) => p !== '');
    let parent = root;
    let prefix = '';
    for (let i = 0; i < parts.length - 1; i++) {
      prefix = prefix === '' ? parts[i] : `${prefix}/${parts[i]}`;
      let next = folders.get(prefix);
      if (!next) {
        next = folder(parts[i], prefix);
        folders.set(prefix, next);
        parent.children.push(next);
      }
      parent = next;
    }
    parent.children.push({ kind: 'file', name: parts.at(-1) ?? f.path, path: f.path, index: f.index, length: f.length });
  }
  summarise(root);
  return root;
}

function folder(name: string, path: string): FolderNode {
  return { kind: 'folder', name, path, children: [], files: [], length: 0 };
}

function summarise(node: FolderNode): void {
  for (const child of node.children) {
    if (child.kind === 'folder') summarise(child);
    node.length += child.length;
    if (child.kind === 'folder') node.files.push(...child.files);
    else node.files.push(child.index);
  }
  node.files.sort((a, b) => a - b);
  // Folders first, then natural name order (2 before 10), like a file manager.
  node.children.sort((a, b) => (a.kind !== b.kind ? (a.kind === 'folder' ? -1 : 1) : collator.compare(a.name, b.name)));
}

/**
 * Whether two lists hold the same files (index, path, length) in the same order, so a tree built for
 * one serves the other: progress updates resend the list, but its shape changes only on a rename.
 */
export function sameFileLayout(a: readonly TreeFile[], b: readonly TreeFile[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].index !== b[i].index || a[i].path !== b[i].path || a[i].length !== b[i].length) return false;
  }
  return true;
}

export function filesOf(node: TreeNode): readonly number[] {
  return node.kind === 'file' ? [node.index] : node.files;
}

/** Per-file values indexed by file index, for the summaries below. The engine's list leaves padding files out, so index and position can differ. */
export function byFileIndex<T>(files: readonly FileInfo[], pick: (f: FileInfo) => T): T[] {
  const out: T[] = [];
  for (const f of files) out[f.index] = pick(f);
  return out;
}

/** The one priority every file below shares, or 'mixed'. `priorities` is indexed by file index. */
export function priorityOf(node: TreeNode, priorities: readonly FilePriority[]): Priority {
  const files = filesOf(node);
  if (files.length === 0) return 'normal';
  const first = priorities[files[0]];
  for (const i of files) if (priorities[i] !== first) return 'mixed';
  return first;
}

/** The bytes downloaded of every file below. `doneBytes` is indexed by file index. */
export function doneBytesOf(node: TreeNode, doneBytes: readonly number[]): number {
  let sum = 0;
  for (const i of filesOf(node)) sum += doneBytes[i];
  return sum;
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
}

/** Rows in display order, skipping the children of collapsed folders. The root itself is not a row. */
export function visibleRows(root: FolderNode, collapsed: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (node: FolderNode, depth: number): void => {
    for (const child of node.children) {
      rows.push({ node: child, depth });
      if (child.kind === 'folder' && !collapsed.has(child.path)) walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}

/** The collapsed set with `path` opened if it was collapsed, closed if it was open. */
export function toggled(collapsed: ReadonlySet<string>, path: string): ReadonlySet<string> {
  const next = new Set(collapsed);
  if (next.has(path)) next.delete(path);
  else next.add(path);
  return next;
}

/** Folders to start collapsed: none for small torrents; below the first level for big ones. */
export function initialCollapsed(root: FolderNode, maxOpenFiles = 200): Set<string> {
  const out = new Set<string>();
  if (root.files.length <= maxOpenFiles) return out;
  const walk = (node: FolderNode, depth: number): void => {
    for (const child of node.children) {
      if (child.kind !== 'folder') continue;
      if (depth >= 1) out.add(child.path);
      walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

export function findNode(root: FolderNode, path: string): TreeNode | null {
  let node: TreeNode = root;
  if (path === '') return root;
  for (const part of path.split('/')) {
    if (node.kind !== 'folder') return null;
    const next: TreeNode | undefined = node.children.find((c) => c.name === part);
    if (!next) return null;
    node = next;
  }
  return node;
}

/** The files a set of selected rows covers (a folder stands for everything below it). */
export function filesOfPaths(root: FolderNode, paths: Iterable<string>): number[] {
  const out = new Set<number>();
  for (const p of paths) {
    const node = findNode(root, p);
    if (!node) continue;
    if (node.kind === 'file') out.add(node.index);
    else for (const i of node.files) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** A single-file torrent's only path is its name; a multi-file torrent's all sit below its root folder. */
export function isMultiFile(files: readonly FileInfo[]): boolean {
  return files.some((f) => f.path.includes('/'));
}

/** Whether a row can be renamed: not a multi-file torrent's root folder (the engine keeps that name). */
export function canRename(node: TreeNode, multiFile: boolean): boolean {
  return !(multiFile && node.kind === 'folder' && !node.path.includes('/'));
}

const MAX_NAME_BYTES = 255;

/** Why a new name will not do, or null. Strict enough that the file can be created on Windows, macOS and Linux. */
export function validateName(name: string, siblings: readonly string[], current: string): string | null {
  if (name.trim() === '') return 'A name is required.';
  if (name !== name.trim()) return 'A name cannot start or end with a space.';
  if (name === '.' || name === '..') return `"${name}" is not a file name.`;
  if (/[/\\]/.test(name)) return 'A name cannot contain / or \\; rename folders one at a time.';
  // Control characters and the characters Windows refuses in file names.
  if (/[\u0000-\u001f<>:"|?*]/.test(name)) return 'A name cannot contain control characters or any of < > : " | ? *.';
  if (name.endsWith('.')) return 'A name cannot end with a dot.';
  if (/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i.test(name)) return `"${name}" is reserved on Windows.`;
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) return `A name can be at most ${MAX_NAME_BYTES} bytes long.`;
  if (name !== current && siblings.some((s) => s !== current && s.toLowerCase() === name.toLowerCase())) return `"${name}" already exists here.`;
  return null;
}

/**
 * The renameFile commands that give `node` the name `name`: one for a file, one per file below a
 * folder. Paths are given without a multi-file torrent's root folder, as the engine expects.
 */
export function renameCommands(node: TreeNode, name: string, multiFile: boolean): { file: number; newPath: string }[] {
  const parent = node.path.includes('/') ? node.path.slice(0, node.path.lastIndexOf('/')) : '';
  const renamed = parent === '' ? name : `${parent}/${name}`;
  const strip = (p: string): string => (multiFile ? p.slice(p.indexOf('/') + 1) : p);
  if (node.kind === 'file') return [{ file: node.index, newPath: strip(renamed) }];
  const out: { file: number; newPath: string }[] = [];
  const walk = (n: TreeNode): void => {
    if (n.kind === 'file') out.push({ file: n.index, newPath: strip(renamed + n.path.slice(node.path.length)) });
    else n.children.forEach(walk);
  };
  walk(node);
  return out;
}

export function siblingNames(root: FolderNode, path: string): string[] {
  const parent = path.includes('/') ? findNode(root, path.slice(0, path.lastIndexOf('/'))) : root;
  return parent && parent.kind === 'folder' ? parent.children.map((c) => c.name) : [];
}
