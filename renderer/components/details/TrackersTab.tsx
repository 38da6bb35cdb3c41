/** The Trackers tab: each tracker's health, its scrape counts and when it is asked next (counted down locally). */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTessera } from '../../store/context.js';
import { formatCount, formatCountdown, remainingSeconds, sortTrackers, sourceTierLabel, trackerStatusLabel } from './tracker-view.js';

export function TrackersTab(): ReactNode {
  const trackers = useTessera((s) => s.trackers);
  const rows = useMemo(() => (trackers ? sortTrackers(trackers) : []), [trackers]);
  const [receivedAt, setReceivedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setReceivedAt(Date.now()), [trackers]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  if (!trackers) return <p className="dt-empty">Loading trackers…</p>;
  if (rows.length === 0) return <p className="dt-empty">This torrent lists no trackers; peers come from DHT, PEX and local discovery.</p>;
  const elapsed = now - receivedAt;
  const working = rows.filter((t) => t.status === 'working').length;

  return (
    <div className="dt-trackers">
      <div className="dt-toolbar">
        <span>{`${rows.length} ${rows.length === 1 ? 'tracker' : 'trackers'}, ${working} working`}</span>
      </div>
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
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={`${t.tier}|${t.url}`} className="dt-row">
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
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
