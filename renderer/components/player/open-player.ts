/** Opening the player on a torrent: its details follow it (the player needs that torrent's files and piece map). */
import type { TorrentId } from '../../../engine/api/types.js';
import type { TesseraStore } from '../../store/store.js';

export function openPlayer(store: TesseraStore, id: TorrentId, file: number | null): void {
  const s = store.getState();
  s.showDetails(id);
  s.openDialog({ kind: 'player', id, file });
}
