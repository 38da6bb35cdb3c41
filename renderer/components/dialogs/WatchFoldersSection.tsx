/**
 * Settings › Watch folders: folders whose new .torrent and .magnet files the engine adds by itself, each
 * with a category, whether the torrent starts paused, and what happens to the file afterwards. Each folder
 * field is checked by the engine as it is typed (checkPath), as the download folder fields are.
 */
import { useRef, type ReactNode } from 'react';
import { NEW_WATCH_FOLDER, type WatchFolderRow } from '../../lib/settings-form.js';
import { FolderField, useFolderCheck } from '../FolderField.js';

function afterAddChoice(value: string): WatchFolderRow['afterAdd'] {
  return value === 'keep' || value === 'delete' ? value : 'rename';
}

export function WatchFoldersSection(props: { rows: readonly WatchFolderRow[]; onChange(rows: WatchFolderRow[]): void; hostFixed: boolean; error: ReactNode }): ReactNode {
  const list = useRef<HTMLDivElement>(null);
  const { rows } = props;
  const update = (i: number, row: WatchFolderRow): void => props.onChange(rows.map((r, j) => (j === i ? row : r)));
  const remove = (i: number): void => {
    props.onChange(rows.filter((_, j) => j !== i));
    // Keyboard focus stays in the section: on the Add button once the row is gone.
    requestAnimationFrame(() => list.current?.parentElement?.querySelector<HTMLElement>('button[name="addWatchFolder"]')?.focus());
  };
  const add = (): void => {
    props.onChange([...rows, { ...NEW_WATCH_FOLDER }]);
    requestAnimationFrame(() => list.current?.querySelector<HTMLInputElement>(`input[name="watchFolderPath-${rows.length}"]`)?.focus());
  };
  return (
    <fieldset className="watch-folders">
      <legend>Watch folders</legend>
      <p className="hint">New .torrent and .magnet files put in these folders are added within seconds; a file that is not a torrent is renamed to .invalid.</p>
      {props.hostFixed ? <p className="hint">Folders given with the daemon's --watch are listed too; restart the daemon without the flag to stop watching one.</p> : null}
      <div ref={list} className="watch-folder-list">
        {rows.map((row, i) => (
          <WatchFolderEditor key={i} index={i} row={row} onChange={(r) => update(i, r)} onRemove={() => remove(i)} />
        ))}
      </div>
      {rows.length === 0 ? <p className="muted">No watch folders.</p> : null}
      {props.error}
      <div>
        <button type="button" name="addWatchFolder" onClick={add}>Add watch folder</button>
      </div>
    </fieldset>
  );
}

function WatchFolderEditor(props: { index: number; row: WatchFolderRow; onChange(row: WatchFolderRow): void; onRemove(): void }): ReactNode {
  const { row, index } = props;
  const status = useFolderCheck(row.path);
  const n = index + 1;
  return (
    <div role="group" aria-label={`Watch folder ${n}`} className="watch-folder">
      <FolderField label={`Folder ${n}`} name={`watchFolderPath-${index}`} value={row.path} placeholder="/home/you/torrents" status={status} onChange={(path) => props.onChange({ ...row, path })} />
      <div className="row-fields">
        <label className="field">
          <span>Category</span>
          <input name={`watchFolderCategory-${index}`} value={row.category} placeholder="none" onChange={(e) => props.onChange({ ...row, category: e.target.value })} />
        </label>
        <label className="field">
          <span>After adding, the file is</span>
          <select name={`watchFolderAfterAdd-${index}`} value={row.afterAdd} onChange={(e) => props.onChange({ ...row, afterAdd: afterAddChoice(e.target.value) })}>
            <option value="rename">Renamed to .added</option>
            <option value="delete">Deleted</option>
            <option value="keep">Kept (never added twice)</option>
          </select>
        </label>
      </div>
      <div className="watch-folder-actions">
        <label className="check">
          <input type="checkbox" name={`watchFolderPaused-${index}`} checked={row.startPaused} onChange={(e) => props.onChange({ ...row, startPaused: e.target.checked })} />
          Add paused
        </label>
        <button type="button" aria-label={`Remove watch folder ${n}`} onClick={props.onRemove}>Remove</button>
      </div>
    </div>
  );
}
