/**
 * The Add dialog's file choices on the shared file tree (file-tree.ts): per-file priorities (skip =
 * unchecked), tri-state folder checkboxes, and priorities applied to a folder's files. Pure; priorities
 * are an array indexed like the torrent's files (padding included, as add.filePriorities is) and always
 * replaced, never mutated.
 */
import type { FilePriority, ListedFile } from '../../engine/api/types.js';
import { filesOf, type TreeNode } from './file-tree.js';


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

export function wantedBytes(files: readonly ListedFile[], priorities: readonly FilePriority[]): number {
  let sum = 0;
  for (const f of files) if (priorities[f.index] !== 'skip') sum += f.length;
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

/**
 * The files whose priority differs between `prev` and `next`, grouped by their new priority: the
 * setFilePriority calls a change in the Files tab needs (normal included, unlike priorityGroups).
 */
export function changedPriorityGroups(prev: readonly FilePriority[], next: readonly FilePriority[]): Partial<Record<FilePriority, number[]>> {
  const groups: Partial<Record<FilePriority, number[]>> = {};
  next.forEach((p, i) => {
    if (p === undefined || p === prev[i]) return;
    (groups[p] ??= []).push(i);
  });
  return groups;
}
