/**
 * Create torrent: a file or folder on the engine's machine, trackers (tiers), web seeds, piece size
 * (automatic by default), private, comment, format; hashing shows its progress (createProgress notices),
 * then the torrent is added and seeds from where the files are, and the .torrent can be saved from here.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { createCommand, EMPTY_CREATE_FORM, PIECE_SIZES, type CreateForm } from '../../lib/create-form.js';
import { formatBytes, formatPercent } from '../../lib/format.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';

interface Created {
  name: string;
  infoHash: string;
  seeding: boolean;
  url: string;
}

export function CreateDialog(props: { onClose(): void }): ReactNode {
  const engine = useEngine();
  const toast = useTessera((s) => s.toast);
  const [form, setForm] = useState<CreateForm>(EMPTY_CREATE_FORM);
  const [error, setError] = useState<{ field: keyof CreateForm | null; message: string } | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const progress = useTessera((s) => (running === null ? null : (s.createProgress.get(running) ?? null)));
  useEffect(() => () => {
    if (created) URL.revokeObjectURL(created.url);
  }, [created]);

  const set = <K extends keyof CreateForm>(k: K, v: CreateForm[K]): void => {
    setForm((f) => ({ ...f, [k]: v }));
    if (error?.field === k) setError(null);
  };

  const submit = async (): Promise<void> => {
    if (created) return props.onClose();
    const r = createCommand(form);
    if (!r.ok) {
      setError({ field: r.field, message: r.message });
      document.querySelector<HTMLElement>(`[name="create-${r.field}"]`)?.focus();
      return;
    }
    setRunning(r.command.path);
    setError(null);
    try {
      const result = await engine.request(r.command);
      const url = URL.createObjectURL(new Blob([Uint8Array.from(result.torrent)], { type: 'application/x-bittorrent' }));
      setCreated({ name: result.name, infoHash: result.infoHash, seeding: result.id !== null, url });
      if (result.id !== null) toast('success', `Created and seeding ${result.name}`);
    } catch (e) {
      setError({ field: null, message: `Could not create the torrent: ${errorText(e)}` });
    } finally {
      setRunning(null);
    }
  };

  const fieldError = (field: keyof CreateForm): ReactNode =>
    error?.field === field ? <span className="error-text field-error" role="alert" id={`err-create-${field}`}>{error.message}</span> : null;
  const described = (field: keyof CreateForm): { 'aria-invalid': boolean; 'aria-describedby'?: string } => ({
    'aria-invalid': error?.field === field,
    'aria-describedby': error?.field === field ? `err-create-${field}` : undefined,
  });
  const busy = running !== null;

  return (
    <Dialog
      title="Create torrent"
      className="create"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        created ? (
          <>
            <a className="button" href={created.url} download={`${created.name}.torrent`}>Save .torrent file</a>
            <button type="submit" className="primary" data-autofocus>Close</button>
          </>
        ) : (
          <>
            <button type="button" onClick={props.onClose}>Cancel</button>
            <button type="submit" className="primary" disabled={busy}>Create</button>
          </>
        )
      }
    >
      {created ? (
        <div role="status">
          <p className="question">Created “{created.name}”.</p>
          <p className="muted">Info hash {created.infoHash}. {created.seeding ? 'It is in your list and seeds from where its files are.' : 'Save the .torrent file to share it.'}</p>
        </div>
      ) : (
        <>
          <label className="field">
            <span>File or folder to share (full path on the machine Tessera runs on)</span>
            <input name="create-path" data-autofocus spellCheck={false} value={form.path} disabled={busy} onChange={(e) => set('path', e.target.value)} {...described('path')} />
            {fieldError('path')}
          </label>
          <label className="field">
            <span>Trackers (one per line; a blank line starts the next tier)</span>
            <textarea name="create-trackers" rows={4} spellCheck={false} value={form.trackers} disabled={busy} onChange={(e) => set('trackers', e.target.value)} {...described('trackers')} />
            {fieldError('trackers')}
          </label>
          <label className="field">
            <span>Web seeds (one URL per line)</span>
            <textarea name="create-webSeeds" rows={2} spellCheck={false} value={form.webSeeds} disabled={busy} onChange={(e) => set('webSeeds', e.target.value)} {...described('webSeeds')} />
            {fieldError('webSeeds')}
          </label>
          <div className="row-fields">
            <label className="field">
              <span>Piece size</span>
              <select name="create-pieceLength" value={form.pieceLength} disabled={busy} onChange={(e) => set('pieceLength', e.target.value)}>
                <option value="">Automatic (1,000–2,000 pieces)</option>
                {PIECE_SIZES.map((n) => (
                  <option key={n} value={String(n)}>{formatBytes(n)}</option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Format</span>
              <select name="create-format" value={form.format} disabled={busy} onChange={(e) => set('format', e.target.value === 'v1' || e.target.value === 'v2' ? e.target.value : 'hybrid')} {...described('format')}>
                <option value="hybrid">Hybrid (v1 and v2: any client)</option>
                <option value="v1">v1 (BitTorrent 1)</option>
                <option value="v2">v2 only (BitTorrent 2)</option>
              </select>
              {fieldError('format')}
            </label>
          </div>
          <label className="field">
            <span>Comment</span>
            <input name="create-comment" value={form.comment} disabled={busy} onChange={(e) => set('comment', e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" name="create-private" checked={form.private} disabled={busy} onChange={(e) => set('private', e.target.checked)} />
            Private (peers only from its trackers: no DHT, PEX or local discovery)
          </label>
          <label className="check">
            <input type="checkbox" name="create-seed" checked={form.seed} disabled={busy} onChange={(e) => set('seed', e.target.checked)} />
            Start seeding once created
          </label>
          {busy ? (
            <div className="move-progress">
              <progress max={1} value={progress && progress.totalBytes > 0 ? progress.hashedBytes / progress.totalBytes : 0} aria-label="Hashing" />
              <span role="status">
                Hashing… {progress ? `${formatPercent(progress.totalBytes > 0 ? progress.hashedBytes / progress.totalBytes : 0)} of ${formatBytes(progress.totalBytes)}` : ''}
              </span>
            </div>
          ) : null}
        </>
      )}
      {error && error.field === null ? <p className="error-text" role="alert">{error.message}</p> : null}
    </Dialog>
  );
}
