import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPayload, makeTorrent, startTracker, stopAll, type LocalTracker, type Payload } from '../../testing/index.js';

export type TrackerKind = 'http' | 'udp';

/** A local tracker, the default multi-file payload, and one .torrent per tracker kind (same info hash). */
export interface InteropFixture {
  readonly root: string;
  readonly tracker: LocalTracker;
  readonly payload: Payload;
  readonly torrents: Record<TrackerKind, string>;
  readonly infoHash: string;
  /** Stops every process the test started (by PID), the tracker, and removes the files. */
  close(): Promise<void>;
}

export async function setUpInterop(prefix: string, payloadFolder: string): Promise<InteropFixture> {
  const root = mkdtempSync(join(tmpdir(), `tessera-${prefix}-`));
  const tracker = await startTracker({ intervalSeconds: 5 });
  const payload = await makeTestPayload(join(root, payloadFolder));
  // The same info dict with a different announce URL: both files share one info hash and one swarm.
  const http = await makeTorrent({ source: payload.root, out: join(root, 'http.torrent'), tiers: [[tracker.httpUrl]], pieceLengthLog2: 15 });
  const udp = await makeTorrent({ source: payload.root, out: join(root, 'udp.torrent'), tiers: [[tracker.udpUrl]], pieceLengthLog2: 15 });
  if (http.infoHash !== udp.infoHash) throw new Error('the HTTP and UDP torrents should share one info hash');
  return {
    root,
    tracker,
    payload,
    torrents: { http: http.file, udp: udp.file },
    infoHash: http.infoHash,
    async close() {
      await stopAll();
      await tracker.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
