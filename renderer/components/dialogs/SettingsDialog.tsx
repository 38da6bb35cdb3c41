/**
 * Settings (Ctrl+,): the engine's settings as the store holds them (kept current by the engine's settings
 * events), saved with setSettings, plus the theme (kept in this browser). While the dialog is open, a change
 * made elsewhere shows in the fields the user has not edited (lib/settings-rebase.ts), and Save sends only
 * the edits. A value the form or the engine refuses is shown next to its field.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { Settings } from '../../../engine/api/types.js';
import { fieldOfError, fromForm, settingsPatch, toForm, type FormField, type SettingsForm } from '../../lib/settings-form.js';
import { localStore } from '../../lib/local-store.js';
import { applyStoredTheme, loadTheme, saveTheme, type Theme } from '../../lib/theme.js';
import { rebaseForm } from '../../lib/settings-rebase.js';
import { useEngine, useStoreApi, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { ScheduleEditor } from './ScheduleEditor.js';
import { WatchFoldersSection } from './WatchFoldersSection.js';

type HostFixedField = 'listenPort' | 'dht' | 'lsd' | 'holepunch';

function encryptionChoice(value: string): Settings['encryption'] {
  return value === 'require' || value === 'disable' ? value : 'prefer';
}

const HOST_FLAG: Readonly<Record<HostFixedField, string>> = { listenPort: '--peer-port', dht: '--no-dht', lsd: '--no-lsd', holepunch: '--no-holepunch' };
/** Switches the daemon's command line can fix (shown, not editable). */
const HOST_FIXED_CHECKS: readonly string[] = ['dht', 'lsd', 'holepunch'];

export function SettingsDialog(props: { onClose(): void }): ReactNode {
  const engine = useEngine();
  const live = useTessera((s) => s.settings);
  const hostFixed = useTessera((s) => s.hostFixed);
  const [base, setBase] = useState<Settings | null>(live);
  const [form, setForm] = useState<SettingsForm | null>(() => (live ? toForm(live) : null));
  const [theme, setTheme] = useState<Theme>(() => loadTheme(localStore()));
  const [error, setError] = useState<{ field: FormField | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const portStatus = useTessera((s) => s.global?.portMapping ?? null);

  useEffect(() => {
    if (!live || live === base) return;
    setForm((f) => (f && base ? rebaseForm(f, base, live) : toForm(live)));
    setBase(live);
  }, [live, base]);

  const fixedNote = (field: HostFixedField): ReactNode =>
    hostFixed.includes(field) ? <span className="hint" id={`fixed-${field}`}>Set by the daemon's command line ({HOST_FLAG[field]}); restart it without the flag to change this here.</span> : null;

  const fixedByHost = (field: string): boolean => HOST_FIXED_CHECKS.includes(field) && (hostFixed as readonly string[]).includes(field);

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
        disabled={field === 'listenPort' && hostFixed.includes('listenPort')}
        aria-invalid={error?.field === field}
        aria-describedby={error?.field === field ? `err-${field}` : undefined}
        onChange={(e) => set(field, e.target.value as never)}
      />
      {fieldError(field)}
      {field === 'listenPort' ? fixedNote('listenPort') : null}
    </label>
  );

  const check = (field: 'dht' | 'pex' | 'lsd' | 'portMapping' | 'holepunch' | 'altLimitsEnabled' | 'scheduleEnabled' | 'pauseEnabled' | 'utp' | 'tcp', label: string): ReactNode => (
    <label className="check">
      <input
        type="checkbox"
        name={field}
        checked={form?.[field] ?? false}
        disabled={fixedByHost(field)}
        aria-describedby={fixedByHost(field) ? `fixed-${field}` : undefined}
        onChange={(e) => set(field, e.target.checked)}
      />
      {label}
      {field === 'dht' || field === 'lsd' || field === 'holepunch' ? fixedNote(field) : null}
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
              <ScheduleEditor
                label="Days of the alternative limits"
                names={{ days: 'scheduleDays', from: 'scheduleFrom', to: 'scheduleTo' }}
                days={form.scheduleDays}
                from={form.scheduleFrom}
                to={form.scheduleTo}
                onDays={(v) => set('scheduleDays', v)}
                onFrom={(v) => set('scheduleFrom', v)}
                onTo={(v) => set('scheduleTo', v)}
                errorOf={fieldError}
              />
            ) : null}
          </fieldset>
          <fieldset>
            <legend>Pause schedule</legend>
            {check('pauseEnabled', 'Pause all downloads on a schedule (seeding goes on)')}
            {form.pauseEnabled ? (
              <ScheduleEditor
                label="Days downloads pause"
                names={{ days: 'pauseDays', from: 'pauseFrom', to: 'pauseTo' }}
                days={form.pauseDays}
                from={form.pauseFrom}
                to={form.pauseTo}
                onDays={(v) => set('pauseDays', v)}
                onFrom={(v) => set('pauseFrom', v)}
                onTo={(v) => set('pauseTo', v)}
                errorOf={fieldError}
              />
            ) : null}
            <p className="hint">Force-started torrents keep downloading.</p>
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
            {check('portMapping', 'Open the port on my router (UPnP, NAT-PMP, PCP)')}
            {portStatus ? (
              <p className="muted" role="status" aria-label="Port mapping status">
                {portStatus.message}
                {portStatus.externalAddress ? ` — Internet address ${portStatus.externalAddress}` : ''}
              </p>
            ) : null}
            {check('holepunch', 'Hole punching (BEP 55: reach peers behind other routers through a shared peer)')}
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
          <WatchFoldersSection rows={form.watchFolders} onChange={(rows) => set('watchFolders', rows)} hostFixed={hostFixed.includes('watchFolders')} error={fieldError('watchFolders')} />
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
