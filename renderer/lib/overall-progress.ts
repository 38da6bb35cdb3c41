import type { TorrentSummary } from '../../engine/api/types.js';

/**
 * Overall progress for the taskbar/dock: verified bytes over wanted bytes of the torrents still
 * downloading (active, stalled, checking, or queued for a download slot). Null when none are, so the bar
 * disappears instead of sitting at 100 %. Rounded to 1/1000 so small changes do not cross the bridge.
 */
export function overallProgress(torrents: Iterable<TorrentSummary>): number | null {
  let wanted = 0;
  let done = 0;
  for (const t of torrents) {
    const downloading = t.state === 'downloading' || t.state === 'stalled' || t.state === 'checking' || (t.state === 'queued' && t.queuedFor === 'download');
    if (!downloading || t.progress >= 1) continue;
    wanted += t.wantedBytes;
    done += Math.min(t.doneBytes, t.wantedBytes);
  }
  if (wanted === 0) return null;
  return Math.round((done / wanted) * 1000) / 1000;
}
