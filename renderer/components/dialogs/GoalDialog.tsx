/**
 * Resume of a torrent its seeding goal paused: resuming as it is would pause it again at once, so the
 * dialog offers to raise the goal (this torrent's own) or to seed on without one (force start).
 */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { statusLine } from '../../lib/torrent-view.js';
import { useEngine, useStoreApi } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { DialogButtons } from '../DialogButtons.js';

export function GoalDialog(props: { id: TorrentId; onClose(): void }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const [row] = useState(() => store.getState().torrents.get(props.id));
  const settings = store.getState().settings;
  const isRatio = row?.goalReached !== 'seedTime';
  const current = isRatio ? (row?.ratioLimit ?? settings?.ratioLimit ?? 0) : (row?.seedTimeLimitMinutes ?? settings?.seedTimeLimitMinutes ?? 0);
  const [raised, setRaised] = useState(() => (isRatio ? String(Math.max(1, Math.ceil((current + 0.5) * 10) / 10)) : String(current + 60)));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (how: 'raise' | 'ignore'): Promise<void> => {
    setError(null);
    let value = 0;
    if (how === 'raise') {
      value = Number(raised.trim());
      const ok = isRatio ? Number.isFinite(value) && value > (row?.ratio ?? 0) : Number.isInteger(value) && value > 0;
      if (!ok) {
        setError(isRatio ? `Enter a ratio above the current ${(row?.ratio ?? 0).toFixed(2)}.` : 'Enter a whole number of minutes.');
        return;
      }
    }
    setBusy(true);
    try {
      if (how === 'raise') {
        await engine.request({ type: 'setTorrentOptions', id: props.id, options: isRatio ? { ratioLimit: value } : { seedTimeLimitMinutes: value } });
        await engine.request({ type: 'resume', ids: [props.id] });
      } else {
        await engine.request({ type: 'forceStart', ids: [props.id], enabled: true });
      }
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Seeding goal reached"
      onClose={props.onClose}
      onSubmit={() => void run('raise')}
      actions={
        <DialogButtons onCancel={props.onClose} submit="Raise and resume" busy={busy}>
          <button type="button" onClick={() => void run('ignore')} disabled={busy}>Seed without a goal</button>
        </DialogButtons>
      }
    >
      <p className="question">{row ? `${row.name}: ${statusLine(row)}.` : 'This torrent reached its seeding goal.'}</p>
      <p className="muted">Resuming it as it is would pause it again at once. Raise its goal, or seed on without one (force start).</p>
      <label className="field inline">
        <span>{isRatio ? 'New ratio goal' : 'New seeding time goal (minutes)'}</span>
        <input name="goal" data-autofocus inputMode="decimal" value={raised} onChange={(e) => setRaised(e.target.value)} aria-invalid={error !== null} />
      </label>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}
