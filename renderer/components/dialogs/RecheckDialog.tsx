/** "Recheck N torrents?": verifying the data reads every file again and pauses the download meanwhile. */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { DialogButtons } from '../DialogButtons.js';

export function RecheckDialog(props: { ids: TorrentId[]; onClose(): void }): ReactNode {
  const engine = useEngine();
  const name = useTessera((s) => (props.ids.length === 1 ? `“${s.torrents.get(props.ids[0])?.name ?? '1 torrent'}”` : `${props.ids.length} torrents`));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (): Promise<void> => {
    setBusy(true);
    try {
      await engine.request({ type: 'recheck', ids: props.ids });
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Force recheck"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={<DialogButtons onCancel={props.onClose} submit="Recheck" busy={busy} focusSubmit />}
    >
      <p className="question">Recheck {name}?</p>
      <p className="muted">Every piece is read from disk and verified again; pieces that fail are downloaded again. Large torrents take a while.</p>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}
