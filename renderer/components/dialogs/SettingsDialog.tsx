/**
 * Settings (Ctrl+,): the engine's Settings through getSettings/setSettings, plus the theme (kept in this
 * browser). A value the form or the engine refuses is shown next to its field.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { Settings } from '../../../engine/api/types.js';
import { fieldOfError, fromForm, settingsPatch, toForm, type FormField, type SettingsForm } from '../../lib/settings-form.js';
import { localStore } from '../../lib/local-store.js';
import { applyStoredTheme, loadTheme, saveTheme, type Theme } from '../../lib/theme.js';
import { useEngine, useStoreApi } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';

function encryptionChoice(value: string): Settings['encryption'] {
  return value === 'require' || value === 'disable' ? value : 'prefer';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function SettingsDialog(props: { onClose(): void }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const [base, setBase] = useState<Settings | null>(() => store.getState().settings);
  const [form, setForm] = useState<SettingsForm | null>(() => (base ? toForm(base) : null));
  const [theme, setTheme] = useState<Theme>(() => loadTheme(localStore()));
  const [error, setError] = useState<{ field: FormField | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    engine.request({ type: 'getSettings' }).then(
      (s) => {
        if (!live) return;
        setBase(s);
        setForm((f) => f ?? toForm(s));
      },
      (e: unknown) => live && setError({ field: null, message: `Could not load the settings: ${errorText(e)}` }),
    );
    return () => {
      live = false;
    };
  }, [engine]);

  const set = <K extends keyof SettingsForm>(k: K, v: SettingsForm[K]): void => {
    setForm((f) => (f ? { ...f, [k]: v } : f));
    if (error?.field === k) setError(null);
  };

  const submit = async (): Promise<void> => {
    saveTheme(localStore(), theme);
    applyStoredTheme();
    if (!form || !base) return props.onClose();
    const r = fromForm(form, base);
    if (!r.ok) {
      setError({ field: r.field, message: r.message });
      document.querySelector<HTMLElement>(`[name="${r.field}"]`)?.focus();
      return;
    }
    const patch = settingsPatch(base, r.settings);
    if (Object.keys(patch).length === 0) return props.onClose();
    setBusy(true);
    try {
      await engine.request({ type: 'setSettings', settings: patch });
      props.onClose();
    } catch (e) {
      const message = errorText(e);
      setError({ field: fieldOfError(message), message });
      setBusy(false);
    }
  };

  const fieldError = (field: FormField): ReactNode =>
    error?.field === field ? <span className="error-text field-error" role="alert" id={`err-${field}`}>{error.message}</span> : null;

  const text = (field: FormField & keyof SettingsForm, label: string, hint?: string): ReactNode => (
    <label className="field">
      <span>{label}</span>
      <input
        name={field}
        value={String(form?.[field] ?? '')}
        placeholder={hint}
        aria-invalid={error?.field === field}
        aria-describedby={error?.field === field ? `err-${field}` : undefined}
        onChange={(e) => set(field, e.target.value as never)}
      />
      {fieldError(field)}
    </label>
  );

  const check = (field: 'dht' | 'pex' | 'lsd' | 'altLimitsEnabled' | 'scheduleEnabled' | 'utp' | 'tcp', label: string): ReactNode => (
    <label className="check">
      <input type="checkbox" name={field} checked={form?.[field] ?? false} onChange={(e) => set(field, e.target.checked)} />
      {label}
    </label>
  );

  return (
    <Dialog
      title="Settings"
      className="settings"
      onClose={props.onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !form}>Save</button>
        </>
      }
    >
      {error && error.field === null ? <p className="error-text" role="alert">{error.message}</p> : null}
      {!form ? <p role="status">Loading settings…</p> : (
        <div className="settings-grid">
          <fieldset>
            <legend>Downloads</legend>
            <label className="field">
              <span>Download folder</span>
              <input name="downloadDir" data-autofocus value={form.downloadDir} aria-invalid={error?.field === 'downloadDir'} onChange={(e) => set('downloadDir', e.target.value)} />
              {fieldError('downloadDir')}
            </label>
            {text('maxActiveDownloads', 'Max active downloads')}
            {text('maxActiveSeeds', 'Max active seeds')}
          </fieldset>
          <fieldset>
            <legend>Speed (KiB/s, empty for no limit)</legend>
            {text('downloadLimit', 'Download limit', 'unlimited')}
            {text('uploadLimit', 'Upload limit', 'unlimited')}
            {text('altDownloadLimit', 'Alternative download limit', 'unlimited')}
            {text('altUploadLimit', 'Alternative upload limit', 'unlimited')}
            {check('altLimitsEnabled', 'Use the alternative limits now')}
            {check('scheduleEnabled', 'Use the alternative limits on a schedule')}
            {form.scheduleEnabled ? (
              <div className="schedule">
                <div role="group" aria-label="Days" className="days">
                  {DAYS.map((d, i) => (
                    <label key={d} className="day" title={DAY_NAMES[i]}>
                      <input
                        type="checkbox"
                        name={i === 0 ? 'scheduleDays' : undefined}
                        aria-label={DAY_NAMES[i]}
                        checked={form.scheduleDays.includes(i)}
                        onChange={(e) => set('scheduleDays', e.target.checked ? [...form.scheduleDays, i] : form.scheduleDays.filter((x) => x !== i))}
                      />
                      <span aria-hidden="true">{d}</span>
                    </label>
                  ))}
                </div>
                {fieldError('scheduleDays')}
                <div className="row-fields">
                  <label className="field">
                    <span>From</span>
                    <input type="time" name="scheduleFrom" value={form.scheduleFrom} onChange={(e) => set('scheduleFrom', e.target.value)} />
                    {fieldError('scheduleFrom')}
                  </label>
                  <label className="field">
                    <span>To</span>
                    <input type="time" name="scheduleTo" value={form.scheduleTo} onChange={(e) => set('scheduleTo', e.target.value)} />
                    {fieldError('scheduleTo')}
                  </label>
                </div>
              </div>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>Connections</legend>
            {text('listenPort', 'Listening port')}
            {text('maxConnections', 'Max connections')}
            {text('maxConnectionsPerTorrent', 'Max connections per torrent')}
            {text('uploadSlotsPerTorrent', 'Upload slots per torrent')}
            {check('dht', 'DHT (find peers without trackers)')}
            {check('pex', 'Peer exchange (PEX)')}
            {check('lsd', 'Local peer discovery (LSD)')}
            <label className="field">
              <span>Encryption</span>
              <select name="encryption" value={form.encryption} onChange={(e) => set('encryption', encryptionChoice(e.target.value))}>
                <option value="prefer">Prefer encryption (accept plaintext peers too)</option>
                <option value="require">Require encryption (RC4 only)</option>
                <option value="disable">Disable encryption (plaintext only)</option>
              </select>
              {fieldError('encryption')}
            </label>
            {check('utp', 'uTP (µTP over UDP: yields to your other traffic)')}
            {check('tcp', 'TCP')}
            {fieldError('tcp')}
            <label className="field">
              <span>Connect to peers</span>
              <select name="preferUtp" value={form.preferUtp ? 'utp' : 'tcp'} onChange={(e) => set('preferUtp', e.target.value !== 'tcp')}>
                <option value="utp">Prefer uTP (to peers known to support it)</option>
                <option value="tcp">Prefer TCP</option>
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>Seeding goals</legend>
            {text('ratioLimit', 'Stop at ratio', 'none')}
            {text('seedTimeLimitMinutes', 'Stop after seeding (minutes)', 'none')}
            <label className="field">
              <span>When a goal is reached</span>
              <select name="seedGoalAction" value={form.seedGoalAction} onChange={(e) => set('seedGoalAction', e.target.value === 'remove' ? 'remove' : 'pause')}>
                <option value="pause">Pause the torrent</option>
                <option value="remove">Remove the torrent (keep files)</option>
              </select>
            </label>
          </fieldset>
          <fieldset>
            <legend>Appearance</legend>
            <label className="field">
              <span>Theme</span>
              <select name="theme" value={theme} onChange={(e) => setTheme(e.target.value === 'light' || e.target.value === 'dark' ? e.target.value : 'system')}>
                <option value="system">Follow system</option>
                <option value="light">Light</option>
                <option value="dark">Dark</option>
              </select>
            </label>
          </fieldset>
        </div>
      )}
    </Dialog>
  );
}
