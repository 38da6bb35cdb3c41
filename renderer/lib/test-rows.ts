/** A complete TorrentSummary for tests, with the fields a test cares about overridden. */
import type { TorrentSummary } from '../../engine/api/types.js';

export function summary(id: string, fields: Partial<TorrentSummary> = {}): TorrentSummary {
  return {
    id,
    name: id,
    state: 'downloading',
    stateReason: '',
    queuedFor: null,
    queuePosition: 0,
    forceStart: false,
    totalBytes: 1000,
    doneBytes: 0,
    wantedBytes: 1000,
    progress: 0,
    downRate: 0,
    upRate: 0,
    eta: -1,
    ratio: 0,
    downloadedTotal: 0,
    uploadedTotal: 0,
    peers: 0,
    seeds: 0,
    savePath: '/downloads',
    addedAt: 0,
    completedAt: null,
    error: null,
    sequential: false,
    downloadLimit: null,
    uploadLimit: null,
    firstLastPiecesFirst: false,
    ratioLimit: null,
    seedTimeLimitMinutes: null,
    maxConnections: null,
    goalReached: null,
    ...fields,
  };
}
