/** Words for the General tab: states, what to do about an error, and the static-info cache. Pure but for the cache. */
import type { TorrentId, TorrentInfo, TorrentState } from '../../../engine/api/types.js';
import { STATE_LABELS } from '../../lib/torrent-view.js';

export function stateLabel(state: TorrentState): string {
  return STATE_LABELS[state];
}

/** What a user can do about an engine error, judged from its message. */
export function errorAdvice(message: string): string {
  const m = message.toLowerCase();
  if (/enospc|no space|disk full/.test(m)) return 'The disk is full. Free some space, or move the data to another drive (Move data…), then Resume.';
  if (/eacces|eperm|erofs|permission|read-only/.test(m)) return 'Tessera may not write to the save path. Fix the folder\'s permissions or move the data to a folder you own, then Resume.';
  if (/enoent|not found|no such file|missing/.test(m)) return 'Files are missing from the save path. If you moved them, point Tessera at the new folder (Move data…); otherwise Force recheck to download them again.';
  if (/hash|corrupt|verify|mismatch/.test(m)) return 'Data on disk does not match the torrent. Force recheck to find and re-download the bad pieces.';
  if (/emfile|enfile|too many open/.test(m)) return 'Too many files are open. Pause some torrents, then Resume this one.';
  return 'Resume to try again. If it fails again, Force recheck, and check that the save path is reachable.';
}

/** "3d 4h" style age of a time, or '' for none. */
export function sinceText(from: number | null, now: number): string {
  if (from === null || !Number.isFinite(from) || from <= 0 || now < from) return '';
  const s = Math.floor((now - from) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** getInfo answers, kept per torrent. Answers without metadata (pieceCount 0) are not kept, so they are asked again. */
export class InfoCache {
  private readonly known = new Map<TorrentId, TorrentInfo>();
  private readonly pending = new Map<TorrentId, Promise<TorrentInfo>>();

  get(id: TorrentId): TorrentInfo | undefined {
    return this.known.get(id);
  }

  load(id: TorrentId, fetch: (id: TorrentId) => Promise<TorrentInfo>): Promise<TorrentInfo> {
    const hit = this.known.get(id);
    if (hit) return Promise.resolve(hit);
    let p = this.pending.get(id);
    if (!p) {
      p = fetch(id).then(
        (info) => {
          this.pending.delete(id);
          if (info.pieceCount > 0) this.known.set(id, info);
          return info;
        },
        (err: unknown) => {
          this.pending.delete(id);
          throw err;
        },
      );
      this.pending.set(id, p);
    }
    return p;
  }

  forget(id: TorrentId): void {
    this.known.delete(id);
  }
}
