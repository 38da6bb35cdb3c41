/**
 * Set location: moves a torrent's files to another folder on the engine's machine (moveStorage). The
 * folder is checked as it is typed; while the files move, the row's moveProgress shows how far.
 */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { formatPercent } from '../../lib/format.js';
import { useEngine, useStoreApi, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { FolderField, useFolderCheck } from '../FolderField.js';

export function LocationDialog(props: { ids: TorrentId[]; onClose(): void }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const [path, setPath] = useState(() => store.getState().torrents.get(props.ids[0])?.savePath ?? '');
  const status = useFolderCheck(path);
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const name = useTessera((s) => (props.ids.length === 1 ? (s.torrents.get(props.ids[0])?.name ?? '1 torrent') : `${props.ids.length} torrents`));
  // The mean of the rows' progress while moving (a row whose move has not begun counts as 0).
  const progress = useTessera((s) => {
    if (!moving) return null;
    let sum = 0;
    for (const id of props.ids) sum += s.torrents.get(id)?.moveProgress ?? 0;
    return Math.round((sum / props.ids.length) * 100) / 100;
  });

  const submit = async (): Promise<void> => {
    if (status.state !== 'ok' || moving) return;
    setMoving(true);
    setError(null);
    try {
      for (const id of props.ids) await engine.request({ type: 'moveStorage', id, savePath: path });
      props.onClose();
    } catch (e) {
      setError(`Could not move ${name}: ${errorText(e)}`);
      setMoving(false);
    }
  };

  return (
    <Dialog
      title="Set location"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <button type="button" onClick={props.onClose} disabled={moving}>Cancel</button>
          <button type="submit" className="primary" disabled={moving || status.state !== 'ok'}>Move</button>
        </>
      }
    >
      <p className="muted">Moves the files of {name} to another folder; the torrent goes on from there.</p>
      <FolderField label="New folder" name="location" value={path} onChange={setPath} status={status} autoFocus />
      {moving ? (
        <div className="move-progress">
          <progress max={1} value={progress ?? 0} aria-label="Moving files" />
          <span role="status">Moving files… {formatPercent(progress ?? 0)}</span>
        </div>
      ) : null}
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}
