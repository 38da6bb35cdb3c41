/**
 * Edit trackers: the whole list as text, one URL a line and a blank line between tiers (the first
 * tier is tried first), so adding, editing, removing and reordering trackers and tiers is typing.
 */
import { useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { trackerUrlProblem } from '../../../engine/api/validate-trackers.js';
import { parseTiers, tiersText } from '../../lib/create-form.js';
import { useEngine } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { DialogButtons } from '../DialogButtons.js';

export function TrackersDialog(props: { id: TorrentId; tiers: string[][]; onClose(): void }): ReactNode {
  const engine = useEngine();
  const [text, setText] = useState(() => tiersText(props.tiers));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (): Promise<void> => {
    const tiers = parseTiers(text);
    const seen = new Set<string>();
    for (const url of tiers.flat()) {
      const problem = trackerUrlProblem(url);
      if (problem) return setError(`"${url}" ${problem}.`);
      if (seen.has(url)) return setError(`"${url}" is listed twice.`);
      seen.add(url);
    }
    setBusy(true);
    try {
      await engine.request({ type: 'setTorrentOptions', id: props.id, options: { trackers: tiers } });
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Edit trackers"
      className="create"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={<DialogButtons onCancel={props.onClose} submit="Save" busy={busy} />}
    >
      <label className="field">
        <span>One tracker URL per line; a blank line starts the next tier. Tiers are tried in order.</span>
        <textarea name="trackers" data-autofocus rows={10} spellCheck={false} value={text} aria-invalid={error !== null} aria-describedby={error ? 'trackers-error' : undefined} onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }} />
      </label>
      {error ? <p className="error-text" role="alert" id="trackers-error">{error}</p> : null}
    </Dialog>
  );
}
