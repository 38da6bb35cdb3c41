// A local BitTorrent tracker for interop tests: bittorrent-tracker (npm) in-process, HTTP and UDP on 127.0.0.1
// (or on ::1, where its HTTP side answers IPv6 announcers with compact `peers6`), ports chosen by the kernel and
// read back, every info hash allowed.
import { Server } from 'bittorrent-tracker';
import { formatEndpoint } from '../api/endpoint.js';

export interface TrackerPeer {
  readonly ip: string;
  readonly port: number;
  readonly complete: boolean;
}

export interface LocalTracker {
  /** `http://127.0.0.1:P/announce` (`http://[::1]:P/announce` with host '::1') */
  readonly httpUrl: string;
  /** `udp://127.0.0.1:P` */
  readonly udpUrl: string;
  readonly httpPort: number;
  readonly udpPort: number;
  /** Peers the tracker currently lists for an info hash (hex). */
  peers(infoHash: string): TrackerPeer[];
  /** Resolves once at least `count` peers (optionally only seeds) are registered for `infoHash`. */
  waitForPeers(infoHash: string, count: number, timeoutMs: number, opts?: { seedsOnly?: boolean }): Promise<TrackerPeer[]>;
  /** Every announce seen, for assertions: info hash, event, peer address. */
  readonly announces: readonly { infoHash: string; event: string; addr: string }[];
  close(): Promise<void>;
}

export interface TrackerOptions {
  /** Announce interval told to clients, in seconds. Default 5 (clients may clamp it upwards). */
  readonly intervalSeconds?: number;
  /** '127.0.0.1' (default) or '::1': the address the URLs name (the tracker listens on both families). */
  readonly host?: '127.0.0.1' | '::1';
}

export async function startTracker(opts: TrackerOptions = {}): Promise<LocalTracker> {
  const host = opts.host ?? '127.0.0.1';
  const server = new Server({
    interval: (opts.intervalSeconds ?? 5) * 1000,
    http: true,
    udp: true,
    ws: false,
    stats: false,
    trustProxy: false,
    filter: (_infoHash, _params, cb) => cb(null),
  });
  const announces: { infoHash: string; event: string; addr: string }[] = [];
  server.on('start', (addr: string, params: { info_hash?: string }) => announces.push({ infoHash: params.info_hash ?? '', event: 'started', addr }));
  server.on('update', (addr: string, params: { info_hash?: string }) => announces.push({ infoHash: params.info_hash ?? '', event: 'update', addr }));
  server.on('complete', (addr: string, params: { info_hash?: string }) => announces.push({ infoHash: params.info_hash ?? '', event: 'completed', addr }));
  server.on('stop', (addr: string, params: { info_hash?: string }) => announces.push({ infoHash: params.info_hash ?? '', event: 'stopped', addr }));
  // Announce errors (e.g. malformed requests) are reported to the client; don't let them crash the test.
  server.on('warning', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ http: 0, udp: 0 }, { http: host, udp: '127.0.0.1', udp6: '::1' }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve();
    });
  });
  const httpAddr = server.http?.address();
  const udpAddr = (host === '::1' ? server.udp6 : server.udp4)?.address();
  if (!httpAddr || typeof httpAddr !== 'object' || !udpAddr) throw new Error('tracker: no listening address');
  const httpPort = httpAddr.port;
  const udpPort = udpAddr.port;

  const peers = (infoHash: string): TrackerPeer[] => {
    const swarm = server.torrents[infoHash.toLowerCase()];
    if (!swarm) return [];
    const out: TrackerPeer[] = [];
    for (const key of swarm.peers.keys) {
      const p = swarm.peers.peek(key);
      if (p) out.push({ ip: p.ip, port: p.port, complete: p.complete });
    }
    return out;
  };

  return {
    httpUrl: `http://${formatEndpoint(host, httpPort)}/announce`,
    udpUrl: `udp://${formatEndpoint(host, udpPort)}`,
    httpPort,
    udpPort,
    announces,
    peers,
    async waitForPeers(infoHash, count, timeoutMs, o = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = peers(infoHash).filter((p) => !o.seedsOnly || p.complete);
        if (list.length >= count) return list;
        if (Date.now() > deadline) {
          throw new Error(`tracker: ${list.length}/${count} ${o.seedsOnly ? 'seeds' : 'peers'} for ${infoHash} after ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
