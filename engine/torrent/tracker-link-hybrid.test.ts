// A hybrid torrent announces to its trackers under both hashes: its v1 info hash and its truncated v2 hash (BEP 52).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTorrent } from '../metainfo/index.js';
import { buildV2, content } from '../metainfo/test-v2-torrents.js';
import { startTracker } from '../testing/tracker.js';
import { waitUntil } from '../testing/wait.js';
import { TrackerLink } from './tracker-link.js';

function linkFor(bytes: Uint8Array, seen: string[]): TrackerLink {
  return new TrackerLink({
    meta: parseTorrent(bytes),
    peerId: Buffer.from('-TS0001-hybridtest01'),
    listenPort: () => 40_123,
    stats: () => ({ uploaded: 0, downloaded: 0, left: 0 }),
    onPeers: () => undefined,
    onEvent: (e) => seen.push(e.url),
  });
}

test('a hybrid torrent announces under its v1 hash and its truncated v2 hash', { timeout: 20_000 }, async () => {
  const tracker = await startTracker();
  const links: TrackerLink[] = [];
  try {
    const files = [{ path: ['a.bin'], data: content(40_000, 1) }, { path: ['b.bin'], data: content(5, 2) }];
    const hybrid = parseTorrent(buildV2('hy', files, 16_384, { hybrid: true, top: { announce: tracker.httpUrl } }));
    assert.equal(hybrid.version, 'hybrid');
    const v1Hex = hybrid.infoHashHex;
    const v2Hex = Buffer.from(hybrid.infoHashV2!.subarray(0, 20)).toString('hex');
    const events: string[] = [];
    const link = linkFor(buildV2('hy', files, 16_384, { hybrid: true, top: { announce: tracker.httpUrl } }), events);
    links.push(link);
    link.start();
    const hashes = () => new Set(tracker.announces.map((a) => a.infoHash));
    await waitUntil(() => hashes().has(v1Hex) && hashes().has(v2Hex), 10_000, () => `announced: ${[...hashes()].join(', ')}`);
    // One tracker row, not two: the v2 announcer's events stay hidden.
    assert.ok(link.status().length === 1, `status rows: ${link.status().length}`);
    await link.stop();
    await waitUntil(() => tracker.announces.filter((a) => a.event === 'stopped').length === 2, 5_000, () => JSON.stringify(tracker.announces));
  } finally {
    await Promise.all(links.map((l) => l.stop()));
    await tracker.close();
  }
});
