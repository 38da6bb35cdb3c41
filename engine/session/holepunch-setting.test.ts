import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../api/validate-settings.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { patternBytes as pattern, waitUntil } from '../testing/wait.js';
import { Client } from './client.js';
import { applyClientSettings } from './client-settings.js';
import { effectiveSettings } from './effective-settings.js';
import type { SessionOptions } from './session-options.js';
import { SessionHarness } from './test-harness.js';

test('the holepunch setting: on by default; --no-holepunch fixes it off and says so', () => {
  assert.equal(DEFAULT_SETTINGS.holepunch, true);
  const open = effectiveSettings({ ...DEFAULT_SETTINGS }, { dht: { bootstrap: [] }, lsd: {} }, 6881);
  assert.equal(open.settings.holepunch, true);
  assert.ok(!open.hostFixed.includes('holepunch'));
  const fixed = effectiveSettings({ ...DEFAULT_SETTINGS }, { dht: { bootstrap: [] }, lsd: {}, holepunch: false }, 6881);
  assert.equal(fixed.settings.holepunch, false);
  assert.ok(fixed.hostFixed.includes('holepunch'));
});

test('setSettings saves holepunch and reports it; a daemon started with --no-holepunch reports it off and host-fixed', async () => {
  const h = await SessionHarness.open();
  try {
    await h.send({ type: 'setSettings', settings: { holepunch: false } });
    assert.equal((await h.send({ type: 'getSettings' })).holepunch, false);
    await h.send({ type: 'setSettings', settings: { holepunch: true } });
    assert.equal((await h.send({ type: 'getSettings' })).holepunch, true);
  } finally {
    await h.close();
  }
  const fixed = await SessionHarness.open({ extra: { holepunch: false } });
  try {
    assert.equal((await fixed.send({ type: 'getSettings' })).holepunch, false);
    const snap = fixed.events.find((e) => e.kind === 'snapshot');
    assert.ok(snap && snap.kind === 'snapshot' && snap.hostFixed?.includes('holepunch'));
  } finally {
    await fixed.close();
  }
});

// The switch reaches running torrents: their connected peers see ut_holepunch withdrawn (id 0, BEP 10) and offered again.
test('turning holepunch off and on reaches a running torrent: its peer sees ut_holepunch withdrawn, then offered', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-holepunch-setting-'));
  const srcDir = join(root, 'source');
  mkdirSync(srcDir, { recursive: true });
  writeFileSync(join(srcDir, 'one.bin'), pattern(40_000, 5));
  const meta = parseTorrent(await createTorrent(join(srcDir, 'one.bin'), { pieceLength: 16_384 }));
  const peerA = new Client({ host: '127.0.0.1' });
  const peerB = new Client({ host: '127.0.0.1' });
  const opts: SessionOptions = { dataDir: root, defaultDownloadDir: root };
  try {
    await peerA.listen();
    await peerB.listen();
    // Neither has any data, so the connection stays up (two complete peerAs would part).
    const a = peerA.add(meta, { downloadDir: join(root, 'a'), useTrackers: false });
    await a.start();
    const b = peerB.add(meta, { downloadDir: join(root, 'b'), useTrackers: false, peers: [{ host: '127.0.0.1', port: peerA.port }] });
    await b.start();
    const bAsSeenByA = (): number | undefined => [...a.peers][0]?.extensions.get('ut_holepunch');
    await waitUntil(() => (bAsSeenByA() ?? 0) > 0, 10_000, () => 'the peerB never offered ut_holepunch');
    applyClientSettings(peerB, { ...DEFAULT_SETTINGS, holepunch: false }, opts);
    await waitUntil(() => bAsSeenByA() === 0, 5000, () => `ut_holepunch still ${bAsSeenByA()} after the setting went off`);
    applyClientSettings(peerB, { ...DEFAULT_SETTINGS, holepunch: true }, opts);
    await waitUntil(() => (bAsSeenByA() ?? 0) > 0, 5000, () => 'ut_holepunch not offered again');
    applyClientSettings(peerB, { ...DEFAULT_SETTINGS, holepunch: true }, { ...opts, holepunch: false });
    await waitUntil(() => bAsSeenByA() === 0, 5000, () => '--no-holepunch did not win over the setting');
  } finally {
    await peerB.close();
    await peerA.close();
    rmSync(root, { recursive: true, force: true });
  }
});
