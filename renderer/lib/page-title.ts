/**
 * The window/tab title: overall download progress and how many torrents are downloading, in plain text
 * ("↓ 42% · 3 active — Tessera"), or just "Tessera" when nothing is downloading. Pure.
 */
import type { TorrentSummary } from '../../engine/api/types.js';
import { overallProgress } from './overall-progress.js';

export const APP_TITLE = 'Tessera';

/** Torrents transferring data for a download right now (queued ones wait, so they are not active). */
function activeDownload(t: TorrentSummary): boolean {
  return (t.state === 'downloading' || t.state === 'stalled' || t.state === 'metadata' || t.state === 'checking') && t.progress < 1;
}

export function pageTitle(torrents: ReadonlyMap<string, TorrentSummary>): string {
  // Runs on every batch over the whole list: iterate the map's values twice rather than copy them.
  let active = 0;
  for (const t of torrents.values()) if (activeDownload(t)) active++;
  const progress = overallProgress(torrents.values());
  if (progress === null && active === 0) return APP_TITLE;
  // Floor, so 99.9 % does not read as 100 % while data is still missing.
  const percent = progress === null ? null : Math.floor(progress * 100);
  const parts = [percent === null ? null : `↓ ${percent}%`, active > 0 ? `${active} active` : null].filter((p) => p !== null);
  return `${parts.join(' · ')} — ${APP_TITLE}`;
}
