/** Per-torrent download/upload limits (KiB/s, empty for unlimited) through setTorrentOptions. */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { parseKiBps, toKiBpsText } from '../../lib/format.js';
import { useEngine, useStoreApi } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';

export function LimitsDialog(props: { ids: TorrentId[]; onClose(): void }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const [initial] = useState(() => {
    const rows = props.ids.map((id) => store.getState().torrents.get(id)).filter((t) => t !== undefined);
    const same = <K extends 'downloadLimit' | 'uploadLimit'>(k: K): string => (rows.length > 0 && rows.every((t) => t[k] === rows[0][k]) ? toKiBpsText(rows[0][k]) : '');
    return { down: same('downloadLimit'), up: same('uploadLimit'), name: rows.length === 1 ? rows[0].name : `${props.ids.length} torrents` };
  });
  const [down, setDown] = useState(initial.down);
  const [up, setUp] = useState(initial.up);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const downValue = parseKiBps(down);
  const upValue = parseKiBps(up);

  const submit = async (): Promise<void> => {
    if (downValue === undefined || upValue === undefined) {
      setError('Enter a number of KiB/s, or leave the field empty for no limit.');
      return;
    }
    setBusy(true);
    try {
      for (const id of props.ids) await engine.request({ type: 'setTorrentOptions', id, options: { downloadLimit: downValue, uploadLimit: upValue } });
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Speed limits"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>Save</button>
        </>
      }
    >
      <p className="muted">For {initial.name}. Leave empty or 0 for no limit; the global limits still apply.</p>
      <label className="field inline">
        <span>Download limit (KiB/s)</span>
        <input data-autofocus inputMode="decimal" value={down} aria-invalid={downValue === undefined} onChange={(e) => setDown(e.target.value)} placeholder="unlimited" />
      </label>
      <label className="field inline">
        <span>Upload limit (KiB/s)</span>
        <input inputMode="decimal" value={up} aria-invalid={upValue === undefined} onChange={(e) => setUp(e.target.value)} placeholder="unlimited" />
      </label>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}
