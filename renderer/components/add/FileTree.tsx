/** The Add dialog's file list: expandable folders, tri-state checkboxes, a priority per file or folder. */
import { useEffect, useRef, type ReactNode } from 'react';
import type { FilePriority } from '../../../engine/api/types.js';
import { checkState, setChecked, setPriority } from '../../lib/add-tree.js';
import { priorityOf, visibleRows, type FolderNode, type TreeNode } from '../../lib/file-tree.js';
import { formatBytes } from '../../lib/format.js';

const PRIORITIES: readonly FilePriority[] = ['skip', 'low', 'normal', 'high'];
const PRIORITY_LABELS: Readonly<Record<FilePriority, string>> = { skip: 'Do not download', low: 'Low', normal: 'Normal', high: 'High' };

function TriCheckbox(props: { state: 'checked' | 'unchecked' | 'mixed'; label: string; onChange(checked: boolean): void }): ReactNode {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.state === 'mixed';
  }, [props.state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={props.label}
      aria-checked={props.state === 'mixed' ? 'mixed' : props.state === 'checked'}
      checked={props.state === 'checked'}
      onChange={() => props.onChange(props.state !== 'checked')}
    />
  );
}

export function FileTree(props: {
  root: FolderNode;
  priorities: readonly FilePriority[];
  collapsed: ReadonlySet<string>;
  onPriorities(next: FilePriority[]): void;
  onToggle(path: string): void;
}): ReactNode {
  const rows = visibleRows(props.root, props.collapsed);
  const row = (node: TreeNode, depth: number): ReactNode => {
    const prio = priorityOf(node, props.priorities);
    const name = node.name;
    const open = !props.collapsed.has(node.path);
    return (
      <li key={node.path} className="file-row" style={{ paddingLeft: depth * 18 }}>
        {node.kind === 'folder' ? (
          <button type="button" className="twisty" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`} onClick={() => props.onToggle(node.path)}>
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="twisty" aria-hidden="true" />
        )}
        <TriCheckbox state={checkState(node, props.priorities)} label={name} onChange={(c) => props.onPriorities(setChecked(node, c, props.priorities))} />
        <span className={`file-name${node.kind === 'folder' ? ' folder' : ''}`} title={node.path}>{name}</span>
        <span className="file-size">{formatBytes(node.length)}</span>
        <select aria-label={`Priority of ${name}`} value={prio} onChange={(e) => props.onPriorities(setPriority(node, e.target.value as FilePriority, props.priorities))}>
          {prio === 'mixed' ? <option value="mixed" disabled>Mixed</option> : null}
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>{PRIORITY_LABELS[p]}</option>
          ))}
        </select>
      </li>
    );
  };
  return <ul className="file-tree" aria-label="Files">{rows.map((r) => row(r.node, r.depth))}</ul>;
}
