/**
 * Wires an EngineClient to the store: events are applied as they come, the connection state is mirrored,
 * and the engine is told which torrent's details to stream, for the tab being shown only.
 */
import type { DetailTopic, TorrentId } from '../../engine/api/types.js';
import type { EngineClient } from '../api/engine-client.js';
import type { DetailsTab, TesseraStore } from './store.js';
import type { DialogState } from './ui-slice.js';

export function topicsFor(tab: DetailsTab): DetailTopic[] {
  switch (tab) {
    case 'files':
      return ['files'];
    case 'peers':
      return ['peers'];
    case 'trackers':
      return ['trackers'];
    case 'pieces':
      return ['pieces'];
    case 'general':
      return ['pieces']; // availability and the piece count shown on the General tab
    case 'speed':
      return [];
    case 'why':
      return ['trackers']; // the tracker list the "add trackers" action opens with
  }
}

/** The player (open on the torrent the details show) needs its files and piece map, whatever the tab. */
export function withPlayerTopics(topics: DetailTopic[], dialog: DialogState | null, detailsId: TorrentId): DetailTopic[] {
  if (dialog?.kind !== 'player' || dialog.id !== detailsId) return topics;
  return [...new Set<DetailTopic>([...topics, 'files', 'pieces'])];
}

export function connectStore(client: EngineClient, store: TesseraStore): () => void {
  let subscribed = '';
  const sendSubscription = (force: boolean): void => {
    const { detailsId, detailsTab, connection, dialog } = store.getState();
    if (connection.state !== 'open') return;
    const topics = detailsId === null ? [] : withPlayerTopics(topicsFor(detailsTab), dialog, detailsId);
    const key = `${detailsId ?? ''}|${topics.join(',')}`;
    if (!force && key === subscribed) return;
    subscribed = key;
    client.request({ type: 'subscribe', id: detailsId, topics }).catch(() => {
      subscribed = '';
    });
  };
  const offEvent = client.onEvent((e) => store.getState().applyEvent(e));
  const offStatus = client.onStatus((s) => {
    store.getState().setConnection(s);
    if (s.state === 'open') sendSubscription(true);
  });
  const offStore = store.subscribe((s, prev) => {
    if (s.detailsId !== prev.detailsId || s.detailsTab !== prev.detailsTab || s.dialog !== prev.dialog) sendSubscription(false);
  });
  return () => {
    offEvent();
    offStatus();
    offStore();
  };
}
