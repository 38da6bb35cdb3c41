/** Native notifications for finished downloads; a click shows the download in the file manager. */
import * as nodePath from 'node:path';
import type { Notice } from '../engine/api/types.js';
import type { ElectronApi } from './electron-api.js';

/** Where a completed torrent's data is: its save path joined with its (engine-sanitised) name. */
export function completedItemPath(notice: Extract<Notice, { type: 'completed' }>, path: typeof nodePath.posix = nodePath): string | null {
  if (!path.isAbsolute(notice.savePath) || notice.name.length === 0) return null;
  const item = path.join(notice.savePath, notice.name);
  const rel = path.relative(notice.savePath, item);
  return rel.startsWith('..') || path.isAbsolute(rel) ? notice.savePath : item;
}

export function notifyNotices(api: Pick<ElectronApi, 'Notification' | 'shell'>, notices: readonly Notice[]): number {
  if (!api.Notification.isSupported()) return 0;
  let shown = 0;
  for (const n of notices) {
    if (n.type === 'completed') {
      const item = completedItemPath(n);
      const note = new api.Notification({ title: 'Download complete', body: n.name });
      if (item) note.on('click', () => api.shell.showItemInFolder(item));
      note.show();
      shown++;
    } else if (n.type === 'error') {
      new api.Notification({ title: `Problem with ${n.name}`, body: n.message }).show();
      shown++;
    }
  }
  return shown;
}
