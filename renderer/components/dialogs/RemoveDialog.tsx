/** "Remove N torrents?" with the choice to delete the downloaded files too. */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { useTessera } from '../../store/context.js';
import { useCommands } from '../commands.js';
import { Dialog } from '../Dialog.js';

export function RemoveDialog(props: { ids: TorrentId[]; deleteData: boolean; onClose(): void }): ReactNode {
  const commands = useCommands();
  const firstName = useTessera((s) => (props.ids.length === 1 ? (s.torrents.get(props.ids[0])?.name ?? null) : null));
  const [deleteData, setDeleteData] = useState(props.deleteData);
  const [busy, setBusy] = useState(false);
  const question = props.ids.length === 1 ? `Remove “${firstName ?? '1 torrent'}”?` : `Remove ${props.ids.length} torrents?`;
  const submit = async (): Promise<void> => {
    setBusy(true);
    if (await commands.remove(props.ids, deleteData)) props.onClose();
    else setBusy(false);
  };
  return (
    <Dialog
      title="Remove torrents"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className={deleteData ? 'danger primary' : 'primary'} disabled={busy} data-autofocus>
            Remove
          </button>
        </>
      }
    >
      <p className="question">{question}</p>
      <label className="check">
        <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} />
        Also delete downloaded files
      </label>
      {deleteData ? <p className="warning">The files will be deleted from disk. This cannot be undone.</p> : null}
    </Dialog>
  );
}
