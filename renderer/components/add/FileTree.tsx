/**
 * The Add dialog's file list: expandable folders, tri-state checkboxes, a priority per file or folder.
 * Windowed: only the rows in view (and a few either side) are in the DOM, however many files a folder has.
 */
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { FilePriority } from '../../../engine/api/types.js';
import { checkState, setChecked, setPriority } from '../../lib/add-tree.js';
import { priorityOf, visibleRows, type FolderNode, type TreeNode } from '../../lib/file-tree.js';
import { formatBytes } from '../../lib/format.js';
import { PrioritySelect } from '../PrioritySelect.js';
import { rowWindow, useScrollBox } from '../virtual.js';
import { ChevronIcon } from '../icons.js';
import { DownloadCheckbox } from '../TriCheckbox.js';

/** Matches .file-row's height in app.css. */
const ROW_HEIGHT = 26;


export function FileTree(props: {
  root: FolderNode;
  priorities: readonly FilePriority[];
  collapsed: ReadonlySet<string>;
  onPriorities(next: FilePriority[]): void;
  onToggle(path: string): void;
}): ReactNode {
  const scrollRef = useRef<HTMLDivElement>(null);
  const box = useScrollBox(scrollRef);
  const rows = useMemo(() => visibleRows(props.root, props.collapsed), [props.root, props.collapsed]);
  const win = rowWindow(rows.length, ROW_HEIGHT, box.scrollTop, box.height);
  return (
    <div className="file-tree" ref={scrollRef}>
      <ul aria-label="Files" style={{ paddingTop: win.padTop, paddingBottom: win.padBottom }}>
        {rows.slice(win.start, win.end).map((r, i) => (
          <FileRow
            key={r.node.path}
            node={r.node}
            depth={r.depth}
            position={win.start + i + 1}
            count={rows.length}
            priorities={props.priorities}
            collapsed={props.collapsed}
            onPriorities={props.onPriorities}
            onToggle={props.onToggle}
          />
        ))}
      </ul>
    </div>
  );
}

function FileRow(props: {
  node: TreeNode;
  depth: number;
  position: number;
  count: number;
  priorities: readonly FilePriority[];
  collapsed: ReadonlySet<string>;
  onPriorities(next: FilePriority[]): void;
  onToggle(path: string): void;
}): ReactNode {
  const { node, priorities } = props;
  const prio = priorityOf(node, priorities);
  const name = node.name;
  const open = !props.collapsed.has(node.path);
  // Only a window of the rows is in the DOM, so each says where it stands in the whole list.
  return (
    <li className="file-row" style={{ paddingLeft: props.depth * 18 }} aria-level={props.depth + 1} aria-posinset={props.position} aria-setsize={props.count}>
      {node.kind === 'folder' ? (
        <button type="button" className="twisty" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`} onClick={() => props.onToggle(node.path)}>
          <ChevronIcon open={open} />
        </button>
      ) : (
        <span className="twisty" aria-hidden="true" />
      )}
      <DownloadCheckbox state={checkState(node, priorities)} name={name} onChange={(c) => props.onPriorities(setChecked(node, c, priorities))} />
      <span className={`file-name${node.kind === 'folder' ? ' folder' : ''}`} title={node.path}>{name}</span>
      <span className="file-size">{formatBytes(node.length)}</span>
      <PrioritySelect label={`Priority of ${name}`} value={prio} onChange={(p) => props.onPriorities(setPriority(node, p, priorities))} />
    </li>
  );
}
