/**
 * The Add dialog's file choices on the shared file tree (file-tree.ts): per-file priorities (skip =
 * unchecked), tri-state folder checkboxes, and priorities applied to a folder's files. Pure; priorities
 * are an array indexed like the inspected file list and always replaced, never mutated.
 */
import type { FilePriority } from '../../engine/api/types.js';
import { buildFileTree, filesOf, type FolderNode, type TreeNode } from './file-tree.js';

/** The inspected list has no file indices: a file's index is its position, as in add.filePriorities. */
export function buildAddTree(files: readonly { path: string; length: number }[]): FolderNode {
  return buildFileTree(files.map((f, index) => ({ index, path: f.path, length: f.length })));
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

export function wantedBytes(files: readonly { length: number }[], priorities: readonly FilePriority[]): number {
  let sum = 0;
  files.forEach((f, i) => {
    if (priorities[i] !== 'skip') sum += f.length;
  });
  return sum;
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
