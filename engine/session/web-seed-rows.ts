import type { PeerInfo, TrackerInfo } from '../api/types.js';
import type { WebSeed, WebSeedState } from '../peer/web-seed.js';

const SOURCE_STATUS: Readonly<Record<WebSeedState, TrackerInfo['status']>> = {
  idle: 'working',
  downloading: 'updating',
  'backing-off': 'error',
  banned: 'error',
  failed: 'error',
};

/** Peers view rows for the web seeds in use (banned and given-up ones are gone from the swarm). */
export function webSeedPeerRows(seeds: readonly WebSeed[]): PeerInfo[] {
  return seeds
    .filter((s) => !s.closed)
    .map((s) => ({
      address: s.url,
      client: 'web seed',
      flags: s.state === 'downloading' ? 'D' : '',
      downRate: Math.round(s.downloadMeter.rate()),
      upRate: 0,
      progress: 1,
      downloaded: s.downloadMeter.total,
      uploaded: 0,
      kind: 'webSeed' as const,
    }));
}

/** Trackers/sources view rows: every web seed with its state, or the metainfo's url-list while the torrent is not running. */
export function webSeedSourceRows(seeds: readonly WebSeed[] | null, urlList: readonly string[]): TrackerInfo[] {
  const base = { tier: -1, seeds: null, leechers: null, completed: null, nextAnnounceIn: null, kind: 'webSeed' as const };
  if (!seeds) return urlList.map((url) => ({ ...base, url, status: 'idle' as const, message: 'web seed' }));
  return seeds.map((s) => ({ ...base, url: s.url, status: SOURCE_STATUS[s.state], message: webSeedMessage(s) }));
}

function webSeedMessage(s: WebSeed): string {
  switch (s.state) {
    case 'banned':
      return `web seed dropped: ${s.lastError ?? 'bad data'}`;
    case 'failed':
      return `web seed given up: ${s.lastError ?? 'errors'}`;
    case 'backing-off':
      return `web seed: ${s.lastError ?? 'error'}; retrying`;
    case 'downloading':
    case 'idle':
      return 'web seed';
  }
}
