import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { PieceGeometry } from '../common/geometry.js';
import { WebSeed } from '../peer/web-seed.js';
import { webSeedPeerRows, webSeedSourceRows } from './web-seed-rows.js';

function seed(url: string): WebSeed {
  const clock = new ManualClock(0);
  return new WebSeed(url, 1 << 30, {
    clock,
    geometry: new PieceGeometry(100, 16_384),
    layout: { multiFile: false, files: [{ path: ['x'], length: 100, offset: 0, padding: false }] },
    limiters: [],
    canRequest: () => false,
    pick: () => 0,
    giveBack: () => undefined,
    deliver: () => undefined,
    log: () => undefined,
  });
}

test('web seeds show as "web seed" rows in the Peers view while in use, and with their state among the sources', () => {
  const good = seed('http://a/');
  const banned = seed('http://b/');
  banned.close('sent data that failed the hash check');
  good.downloadMeter.add(5000);
  const peers = webSeedPeerRows([good, banned]);
  assert.deepEqual(
    peers.map((p) => [p.address, p.client, p.kind, p.downloaded]),
    [['http://a/', 'web seed', 'webSeed', 5000]],
  );
  const sources = webSeedSourceRows([good, banned], []);
  assert.deepEqual(
    sources.map((s) => [s.url, s.status, s.kind, s.message]),
    [
      ['http://a/', 'working', 'webSeed', 'web seed'],
      ['http://b/', 'error', 'webSeed', 'web seed dropped: sent data that failed the hash check'],
    ],
  );
  // Not running: the metainfo's url-list.
  assert.deepEqual(webSeedSourceRows(null, ['http://c/']).map((s) => [s.url, s.status]), [['http://c/', 'idle']]);
});
