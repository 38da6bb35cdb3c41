/**
 * The Trackers tab: each tracker's health, its scrape counts and when it is asked next (counted down
 * locally); add a tracker, edit the list and its tiers, move a tracker or a tier (the Move menu), remove
 * one, announce now, copy a URL. Edits send
 * the whole list (setTorrentOptions' trackers), built from the rows the engine streams, so they start
 * from what the engine has now.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { trackerUrlProblem } from '../../../engine/api/validate-trackers.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Menu } from '../Menu.js';
import { trackerMoves } from '../../lib/tracker-order.js';
import { formatCount, formatCountdown, remainingSeconds, sortTrackers, sourceTierLabel, tiersOf, trackerStatusLabel, withoutTracker, withTracker } from './tracker-view.js';

export function TrackersTab(): ReactNode {
  const trackers = useTessera((s) => s.trackers);
  const id = useTessera((s) => s.detailsId);
  const openDialog = useTessera((s) => s.openDialog);
  const toast = useTessera((s) => s.toast);
  const engine = useEngine();
  const [newUrl, setNewUrl] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  /** The Move menu: which tracker, and where its button is. */
  const [moving, setMoving] = useState<{ url: string; x: number; y: number } | null>(null);
  const rows = useMemo(() => (trackers ? sortTrackers(trackers) : []), [trackers]);
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setReceivedAt(Date.now()), [trackers]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  if (!trackers || id === null) return <p className="dt-empty">Loading trackers…</p>;
  const elapsed = now - receivedAt;
  const working = rows.filter((t) => t.status === 'working').length;
  const save = (tiers: string[][], what: string): Promise<boolean> =>
    engine.request({ type: 'setTorrentOptions', id, options: { trackers: tiers } }).then(
      () => true,
      (e: unknown) => {
        toast('error', `Could not ${what}: ${errorText(e)}`);
        return false;
      },
    );
  const add = async (): Promise<void> => {
    const url = newUrl.trim();
    const problem = trackerUrlProblem(url);
    if (problem) {
      setAddError(`The tracker URL ${problem}.`);
      return;
    }
    if (await save(withTracker(tiersOf(rows), url), `add ${url}`)) setNewUrl('');
  };
  const copy = (url: string): void => {
    if (!navigator.clipboard) return void toast('error', 'Could not copy: the clipboard is not available here (web mode needs https or localhost)');
    navigator.clipboard.writeText(url).then(() => toast('success', 'Tracker URL copied'), (e: unknown) => toast('error', `Could not copy: ${errorText(e)}`));
  };

  return (
    <div className="dt-trackers">
      <div className="dt-toolbar">
        <span>{rows.length === 0 ? 'No trackers' : `${rows.length} ${rows.length === 1 ? 'tracker' : 'trackers'}, ${working} working`}</span>
        <span className="dt-spacer" />
        <form
          className="dt-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <input
            aria-label="Tracker URL to add"
            placeholder="https://tracker.example/announce"
            spellCheck={false}
            value={newUrl}
            aria-invalid={addError !== null}
            aria-describedby={addError ? 'tracker-add-error' : undefined}
            onChange={(e) => {
              setNewUrl(e.target.value);
              setAddError(null);
            }}
          />
          <button type="submit">Add tracker</button>
        </form>
        <button type="button" onClick={() => openDialog({ kind: 'trackers', id, tiers: tiersOf(rows) })}>Edit trackers…</button>
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() => engine.request({ type: 'reannounce', ids: [id] }).then(() => toast('info', 'Announcing to the trackers now'), (e: unknown) => toast('error', `Could not announce: ${errorText(e)}`))}
        >
          Announce now
        </button>
      </div>
      {addError ? <p className="error-text dt-inline-error" role="alert" id="tracker-add-error">{addError}</p> : null}
      {rows.length === 0 ? <p className="dt-empty">This torrent lists no trackers; peers come from DHT, PEX and local discovery. Add one above.</p> : null}
      {rows.length === 0 ? null : (
      <div className="dt-scroll" tabIndex={0} role="region" aria-label="Trackers list">
        <table className="dt-table dt-trackers-table" aria-label="Trackers">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col" className="dt-num">
                Tier
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="dt-num">
                Seeds
              </th>
              <th scope="col" className="dt-num">
                Leechers
              </th>
              <th scope="col" className="dt-num">
                Completed
              </th>
              <th scope="col" className="dt-num">
                Next announce
              </th>
              <th scope="col">Message</th>
              <th scope="col"><span className="dt-sr">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              // Keyed by URL, not tier: a moved row stays the same element, so focus stays on its Move button.
              <tr key={`${t.kind ?? 'tracker'}|${t.url}`} className="dt-row">
                <td className="dt-mono dt-select dt-url">{t.url}</td>
                <td className="dt-num">{sourceTierLabel(t)}</td>
                <td>
                  <span className={`dt-status dt-status-${t.status}`}>{trackerStatusLabel(t)}</span>
                </td>
                <td className="dt-num">{formatCount(t.seeds)}</td>
                <td className="dt-num">{formatCount(t.leechers)}</td>
                <td className="dt-num">{formatCount(t.completed)}</td>
                <td className="dt-num">{formatCountdown(remainingSeconds(t.nextAnnounceIn, elapsed))}</td>
                <td className={t.status === 'error' ? 'dt-danger' : 'dt-muted'}>{t.message}</td>
                <td className="dt-row-actions">
                  <button type="button" aria-label={`Copy ${t.url}`} onClick={() => copy(t.url)}>Copy URL</button>
                  {t.kind === 'webSeed' || trackerMoves(tiersOf(rows), t.url).length === 0 ? null : (
                    <button
                      type="button"
                      aria-label={`Move ${t.url}`}
                      aria-haspopup="menu"
                      aria-expanded={moving?.url === t.url}
                      onClick={(e) => {
                        const box = e.currentTarget.getBoundingClientRect();
                        setMoving({ url: t.url, x: box.left, y: box.bottom });
                      }}
                    >
                      Move…
                    </button>
                  )}
                  {t.kind === 'webSeed' ? null : (
                    <button type="button" aria-label={`Remove ${t.url}`} onClick={() => void save(withoutTracker(tiersOf(rows), t.url), `remove ${t.url}`)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      )}
      {/* In the tab, not a portal: the menu (position: fixed) stays inside the page's landmarks. */}
      {moving ? (
        <Menu
          x={moving.x}
          y={moving.y}
          label={`Move ${moving.url}`}
          groups={[trackerMoves(tiersOf(rows), moving.url).map((m) => ({ label: m.label, run: () => void save(m.tiers, `move ${moving.url}`) }))]}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </div>
  );
}
