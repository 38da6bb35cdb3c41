/**
 * Torrent options (Ctrl+L): one or more torrents' speed limits, seeding goals, connection limit and
 * download order, through setTorrentOptions. The values come from the rows in the store (kept current by
 * the engine), so a change made elsewhere while the dialog is open shows in the fields not edited here;
 * Save sends only the edits.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { TorrentId } from '../../../engine/api/types.js';
import { optionsForm, optionsPatch, type TorrentOptionsForm } from '../../lib/torrent-options-form.js';
import { rebaseFields } from '../../lib/settings-rebase.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { DialogButtons } from '../DialogButtons.js';

export function LimitsDialog(props: { ids: TorrentId[]; onClose(): void }): ReactNode {
  const engine = useEngine();
  // As a string, so the selector's value is stable while nothing changes.
  const liveText = useTessera((s) => JSON.stringify(optionsForm(props.ids.map((id) => s.torrents.get(id)).filter((t) => t !== undefined))));
  const name = useTessera((s) => (props.ids.length === 1 ? (s.torrents.get(props.ids[0])?.name ?? '1 torrent') : `${props.ids.length} torrents`));
  const [base, setBase] = useState(liveText);
  const [form, setForm] = useState<TorrentOptionsForm>(() => JSON.parse(liveText) as TorrentOptionsForm);
  const [error, setError] = useState<{ field: keyof TorrentOptionsForm | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (liveText === base) return;
    setForm((f) => rebaseFields(f, JSON.parse(base) as TorrentOptionsForm, JSON.parse(liveText) as TorrentOptionsForm));
    setBase(liveText);
  }, [liveText, base]);

  const set = <K extends keyof TorrentOptionsForm>(k: K, v: TorrentOptionsForm[K]): void => {
    setForm((f) => ({ ...f, [k]: v }));
    if (error?.field === k) setError(null);
  };

  const submit = async (): Promise<void> => {
    const r = optionsPatch(form, JSON.parse(base) as TorrentOptionsForm);
    if (!r.ok) {
      setError({ field: r.field, message: r.message });
      document.querySelector<HTMLElement>(`[name="${r.field}"]`)?.focus();
      return;
    }
    if (Object.keys(r.options).length === 0) return props.onClose();
    setBusy(true);
    try {
      for (const id of props.ids) await engine.request({ type: 'setTorrentOptions', id, options: r.options });
      props.onClose();
    } catch (e) {
      setError({ field: null, message: errorText(e) });
      setBusy(false);
    }
  };

  const text = (field: Exclude<keyof TorrentOptionsForm, 'sequential' | 'firstLastPiecesFirst'>, label: string, placeholder: string, autofocus = false): ReactNode => (
    <label className="field inline">
      <span>{label}</span>
      <input
        name={field}
        inputMode="decimal"
        data-autofocus={autofocus || undefined}
        value={form[field]}
        placeholder={placeholder}
        aria-invalid={error?.field === field}
        aria-describedby={error?.field === field ? `err-${field}` : undefined}
        onChange={(e) => set(field, e.target.value)}
      />
      {error?.field === field ? <span className="error-text field-error" role="alert" id={`err-${field}`}>{error.message}</span> : null}
    </label>
  );

  return (
    <Dialog
      title="Torrent options"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={<DialogButtons onCancel={props.onClose} submit="Save" busy={busy} />}
    >
      <p className="muted">For {name}. Empty fields use the values in Settings; the global limits still apply.</p>
      <fieldset>
        <legend>Speed (KiB/s)</legend>
        {text('downloadLimit', 'Download limit', 'unlimited', true)}
        {text('uploadLimit', 'Upload limit', 'unlimited')}
      </fieldset>
      <fieldset>
        <legend>Seeding goals</legend>
        {text('ratioLimit', 'Stop at ratio', 'as in Settings')}
        {text('seedTimeLimitMinutes', 'Stop after seeding (minutes)', 'as in Settings')}
      </fieldset>
      <fieldset>
        <legend>Connections and order</legend>
        {text('maxConnections', 'Max connections', 'as in Settings')}
        <label className="check">
          <input type="checkbox" name="sequential" checked={form.sequential} onChange={(e) => set('sequential', e.target.checked)} />
          Download in sequential order
        </label>
        <label className="check">
          <input type="checkbox" name="firstLastPiecesFirst" checked={form.firstLastPiecesFirst} onChange={(e) => set('firstLastPiecesFirst', e.target.checked)} />
          Download first and last pieces first
        </label>
      </fieldset>
      {error && error.field === null ? <p className="error-text" role="alert">{error.message}</p> : null}
    </Dialog>
  );
}
