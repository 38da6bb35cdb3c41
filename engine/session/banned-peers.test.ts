import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BannedPeers, decodeBannedPeers, encodeBannedPeers } from './banned-peers.js';

test('the saved list round-trips; a damaged or foreign file is refused with a reason', () => {
  const peers = [{ host: '10.0.0.1', port: 6881 }, { host: '::1', port: 5000 }];
  assert.deepEqual(decodeBannedPeers(encodeBannedPeers(peers)), { peers });
  for (const [text, reason] of [
    ['{"v":1,"peers":[{"host":"x"', /JSON/],
    ['{"v":2,"peers":[]}', /version 1/],
    ['{"v":1,"peers":{}}', /peers/],
    ['{"v":1,"peers":[{"host":"","port":1}]}', /host, port/],
    ['{"v":1,"peers":[{"host":"a","port":70000}]}', /host, port/],
  ] as const) {
    const d = decodeBannedPeers(text);
    assert.ok('problem' in d, text);
    assert.match(d.problem, reason);
  }
});

test('a ban is saved at once, once, and read back by the next run; a damaged file costs the list, not the start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bans-'));
  try {
    const path = join(dir, 'banned-peers.json');
    const logs: string[] = [];
    const bans = new BannedPeers(path, (l) => logs.push(l));
    await bans.load();
    assert.deepEqual(bans.all, [], 'no file yet: none');
    await bans.add({ host: '127.0.0.1', port: 7001 });
    await bans.add({ host: '127.0.0.1', port: 7001 });
    await bans.add({ host: '192.0.2.9', port: 6881 });
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).peers, [{ host: '127.0.0.1', port: 7001 }, { host: '192.0.2.9', port: 6881 }]);
    const next = new BannedPeers(path, (l) => logs.push(l));
    await next.load();
    assert.deepEqual(next.all, bans.all);
    writeFileSync(path, 'garbage');
    const damaged = new BannedPeers(path, (l) => logs.push(l));
    await damaged.load();
    assert.deepEqual(damaged.all, []);
    assert.match(logs.at(-1) ?? '', /banned-peers\.json ignored \(not valid JSON\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
