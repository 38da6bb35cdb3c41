/**
 * The Files tab: the torrent's files as a collapsible tree with size, progress and priority. Each row's
 * checkbox says whether it is downloaded (as in the Add dialog: unchecked = "Do not download"). Rows can be
 * selected (click, ctrl/shift-click) and given a priority together; a folder's priority applies
 * to everything below it. Files and folders are renamed inline (double-click, F2 or the pencil button).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { FileInfo, FilePriority, TorrentId } from '../../../engine/api/types.js';
import { formatBytes } from '../../lib/format.js';
import {
  buildFileTree,
  byFileIndex,
  canRename,
  doneBytesOf,
  filesOfPaths,
  findNode,
  initialCollapsed,
  isMultiFile,
  priorityOf,
  renameCommands,
  sameFileLayout,
  siblingNames,
  toggled,
  validateName,
  visibleRows,
  type FolderNode,
  type Priority,
  type TreeNode,
  type TreeRow,
} from '../../lib/file-tree.js';
import { useEngine, useStoreApi, useTessera } from '../../store/context.js';
import { Bar } from './Bar.js';
import { PrioritySelect } from '../PrioritySelect.js';
import { rowWindow, useScrollBox } from '../virtual.js';
import { ChevronIcon, FileIcon, FolderIcon, PencilIcon, PlayIcon } from '../icons.js';
import { mediaTypeOf } from '../../lib/media.js';
import { openPlayer } from '../player/open-player.js';
import { DownloadCheckbox } from '../TriCheckbox.js';
import { changedPriorityGroups, checkState, setChecked, type CheckState } from '../../lib/add-tree.js';

const ROW_HEIGHT = 26;

interface Editing {
  path: string;
  value: string;
  error: string | null;
  busy: boolean;
}

/** The folder tree of `files`, rebuilt only when the files themselves change, not their progress or priorities. */
function useFileTree(files: readonly FileInfo[] | null): FolderNode | null {
  const built = useRef<{ files: readonly FileInfo[]; tree: FolderNode } | null>(null);
  if (!files) return null;
  if (!built.current || !sameFileLayout(built.current.files, files)) built.current = { files, tree: buildFileTree(files) };
  return built.current.tree;
}

export function FilesTab(props: { id: TorrentId }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const files = useTessera((s) => s.files);
  const state = useTessera((s) => s.torrents.get(props.id)?.state);
  const tree = useFileTree(files);
  const multiFile = useMemo(() => (files ? isMultiFile(files) : false), [files]);
  const priorities = useMemo(() => (files ? byFileIndex(files, (f) => f.priority) : []), [files]);
  const done = useMemo(() => (files ? byFileIndex(files, (f) => f.doneBytes) : []), [files]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string> | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [anchor, setAnchor] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const box = useScrollBox(scrollRef);

  useEffect(() => {
    setCollapsed(null);
    setSelected(new Set());
    setEditing(null);
    setStatus(null);
  }, [props.id]);
  useEffect(() => {
    if (tree && collapsed === null) setCollapsed(initialCollapsed(tree));
  }, [tree, collapsed]);

  const rows = useMemo(() => (tree ? visibleRows(tree, collapsed ?? new Set()) : []), [tree, collapsed]);

  if (!files || !tree) {
    return <p className="dt-empty">{state === 'metadata' ? 'The file list is known once the metadata has arrived.' : 'Loading files…'}</p>;
  }

  const setPriority = (paths: Iterable<string>, priority: FilePriority): void => {
    const indices = filesOfPaths(tree, paths);
    if (indices.length === 0) return;
    setStatus(null);
    engine
      .request({ type: 'setFilePriority', id: props.id, files: indices, priority })
      .catch((e: unknown) => setStatus(`Could not set the priority: ${e instanceof Error ? e.message : String(e)}`));
  };

  /** The download checkbox: unchecking skips the node's files, checking wants them (low/high kept). */
  const setWanted = (node: TreeNode, on: boolean): void => {
    const groups = changedPriorityGroups(priorities, setChecked(node, on, priorities));
    setStatus(null);
    (async () => {
      for (const [priority, list] of Object.entries(groups) as [FilePriority, number[]][]) {
        if (list.length > 0) await engine.request({ type: 'setFilePriority', id: props.id, files: list, priority });
      }
    })().catch((e: unknown) => setStatus(`Could not change what is downloaded: ${e instanceof Error ? e.message : String(e)}`));
  };

  const toggle = (path: string): void => setCollapsed(toggled(collapsed ?? new Set(), path));

  const select = (path: string, e: { ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): void => {
    if (e.shiftKey && anchor !== null) {
      const a = rows.findIndex((r) => r.node.path === anchor);
      const b = rows.findIndex((r) => r.node.path === path);
      if (a >= 0 && b >= 0) {
        const range = rows.slice(Math.min(a, b), Math.max(a, b) + 1).map((r) => r.node.path);
        setSelected(new Set([...(e.ctrlKey || e.metaKey ? selected : []), ...range]));
        return;
      }
    }
    if (e.ctrlKey || e.metaKey) {
      const next = new Set(selected);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      setSelected(next);
    } else setSelected(new Set([path]));
    setAnchor(path);
  };

  const startRename = (node: TreeNode): void => {
    if (!canRename(node, multiFile)) return;
    setEditing({ path: node.path, value: node.name, error: null, busy: false });
  };

  const commitRename = (): void => {
    if (!editing || editing.busy) return;
    const node = findNode(tree, editing.path);
    if (!node) return setEditing(null);
    if (editing.value === node.name) return setEditing(null);
    const error = validateName(editing.value, siblingNames(tree, node.path), node.name);
    if (error) return setEditing({ ...editing, error });
    const commands = renameCommands(node, editing.value, multiFile);
    setEditing({ ...editing, busy: true, error: null });
    // One request per file; the engine renames each on disk in turn.
    (async () => {
      for (const c of commands) await engine.request({ type: 'renameFile', id: props.id, file: c.file, newPath: c.newPath });
    })().then(
      () => setEditing(null),
      (e: unknown) => setEditing((cur) => (cur && cur.path === editing.path ? { ...cur, busy: false, error: `The engine refused: ${e instanceof Error ? e.message : String(e)}` } : cur)),
    );
  };

  const win = rowWindow(rows.length, ROW_HEIGHT, box.scrollTop, box.height);
  const selectedFiles = selected.size > 0 ? filesOfPaths(tree, selected) : [];

  return (
    <div className="dt-files">
      <div className="dt-toolbar">
        <span className="dt-muted">{`${tree.files.length.toLocaleString('en-US')} files, ${formatBytes(tree.length)}`}</span>
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button type="button" onClick={() => setCollapsed(initialCollapsed(tree, 0))}>
          Collapse all
        </button>
        <span className="dt-spacer" />
        {selected.size > 0 ? (
          <>
            <span>{`${selectedFiles.length.toLocaleString('en-US')} selected`}</span>
            <PrioritySelect label="Priority of the selected files" value={null} onChange={(p) => setPriority(selected, p)} />
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setSelected(new Set(rows.map((r) => r.node.path)))}>
            Select all
          </button>
        )}
      </div>
      {status ? (
        <p className="dt-danger" role="alert">
          {status}
        </p>
      ) : null}
      <div className="dt-scroll" ref={scrollRef} tabIndex={0} role="region" aria-label="Files list">
        <table className="dt-table dt-files-table" aria-label="Files" aria-rowcount={rows.length + 1}>
          <thead>
            <tr>
              <th scope="col" className="dt-col-name">
                Name
              </th>
              <th scope="col" className="dt-num">
                Size
              </th>
              <th scope="col" className="dt-col-bar">
                Progress
              </th>
              <th scope="col">Priority</th>
            </tr>
          </thead>
          <tbody>
            {win.padTop > 0 ? <tr aria-hidden="true" style={{ height: win.padTop }} /> : null}
            {rows.slice(win.start, win.end).map((row, i) => (
              <FileRow
                key={row.node.path}
                row={row}
                priority={priorityOf(row.node, priorities)}
                doneBytes={doneBytesOf(row.node, done)}
                rowIndex={win.start + i + 2}
                expanded={row.node.kind === 'folder' && !(collapsed ?? new Set()).has(row.node.path)}
                selected={selected.has(row.node.path)}
                renamable={canRename(row.node, multiFile)}
                editing={editing && editing.path === row.node.path ? editing : null}
                onToggle={toggle}
                onSelect={select}
                checked={checkState(row.node, priorities)}
                onCheck={(on) => setWanted(row.node, on)}
                onPriority={(p) => setPriority(selected.has(row.node.path) ? selected : [row.node.path], p)}
                onRename={startRename}
                onPlay={(file) => openPlayer(store, props.id, file)}
                onEdit={(value) => setEditing((cur) => (cur ? { ...cur, value, error: null } : cur))}
                onCommit={commitRename}
                onCancel={() => setEditing(null)}
              />
            ))}
            {win.padBottom > 0 ? <tr aria-hidden="true" style={{ height: win.padBottom }} /> : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

interface RowProps {
  row: TreeRow;
  priority: Priority;
  doneBytes: number;
  rowIndex: number;
  expanded: boolean;
  selected: boolean;
  renamable: boolean;
  editing: Editing | null;
  onToggle(path: string): void;
  onSelect(path: string, e: { ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): void;
  checked: CheckState;
  onCheck(checked: boolean): void;
  onPriority(p: FilePriority): void;
  onRename(node: TreeNode): void;
  /** Opens the built-in player on a file (offered on audio and video files). */
  onPlay(file: number): void;
  onEdit(value: string): void;
  onCommit(): void;
  onCancel(): void;
}

function FileRow(p: RowProps): ReactNode {
  const { node, depth } = p.row;
  const folder = node.kind === 'folder';
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>): void => {
    if (e.key === 'F2' && !p.editing) {
      e.preventDefault();
      p.onRename(node);
    }
  };
  const onClick = (e: MouseEvent<HTMLTableRowElement>): void => {
    if (e.target instanceof HTMLElement && e.target.closest('button, input, select')) return;
    p.onSelect(node.path, e);
  };
  const errorId = `dt-rename-error-${p.rowIndex}`;
  return (
    <tr className={`dt-row${p.selected ? ' dt-selected' : ''}`} aria-selected={p.selected} aria-rowindex={p.rowIndex} onKeyDown={onKey} onClick={onClick}>
      <td className="dt-col-name">
        <div className="dt-name" style={{ paddingLeft: depth * 16 }}>
          {folder ? (
            <button type="button" className="dt-twisty" aria-expanded={p.expanded} aria-label={`${p.expanded ? 'Collapse' : 'Expand'} ${node.name}`} onClick={() => p.onToggle(node.path)}>
              <ChevronIcon open={p.expanded} />
            </button>
          ) : (
            <span className="dt-twisty" aria-hidden="true" />
          )}
          {/* Checked = downloaded, as in the Add dialog; rows are selected by clicking them (Ctrl/Shift to add). */}
          <DownloadCheckbox state={p.checked} name={node.name} onChange={p.onCheck} />
          <span aria-hidden="true" className="dt-icon">
            {folder ? <FolderIcon /> : <FileIcon />}
          </span>
          {p.editing ? (
            <span className="dt-rename">
              <input
                type="text"
                autoFocus
                aria-label={`New name for ${node.name}`}
                aria-invalid={p.editing.error !== null}
                aria-describedby={p.editing.error ? errorId : undefined}
                value={p.editing.value}
                disabled={p.editing.busy}
                onChange={(e) => p.onEdit(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') p.onCommit();
                  else if (e.key === 'Escape') p.onCancel();
                  e.stopPropagation();
                }}
                onBlur={() => !p.editing?.error && p.onCommit()}
              />
              {p.editing.error ? (
                <span id={errorId} className="dt-field-error" role="alert">
                  {p.editing.error}
                </span>
              ) : null}
            </span>
          ) : (
            <>
              <span className="dt-filename" title={node.path} onDoubleClick={() => p.onRename(node)}>
                {node.name}
              </span>
              {p.renamable ? (
                <button type="button" className="dt-icon-button" aria-label={`Rename ${node.name}`} title="Rename (F2)" onClick={() => p.onRename(node)}>
                  <PencilIcon />
                </button>
              ) : null}
              {node.kind === 'file' && mediaTypeOf(node.path) ? (
                <button type="button" className="dt-icon-button" aria-label={`Play ${node.name}`} title="Play" onClick={() => p.onPlay(node.index)}>
                  <PlayIcon />
                </button>
              ) : null}
            </>
          )}
        </div>
      </td>
      <td className="dt-num">{formatBytes(node.length)}</td>
      <td className="dt-col-bar">
        <Bar fraction={node.length > 0 ? p.doneBytes / node.length : 1} label={`Progress of ${node.name}`} />
      </td>
      <td>
        <PrioritySelect label={`Priority of ${node.name}`} className={`dt-priority dt-priority-${p.priority}`} value={p.priority} onChange={p.onPriority} />
      </td>
    </tr>
  );
}

