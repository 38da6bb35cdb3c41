import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../api/types.js';
import { SessionHarness } from './test-harness.js';

test('every receiver hears the settings in effect after each setSettings, in its own sequence', async () => {
  const h = await SessionHarness.open();
  const other: EngineEvent[] = [];
  const view = h.session.openStream((e) => other.push(e));
  try {
    await h.send({ type: 'setSettings', settings: { ratioLimit: 0.7 } });
    const mine = h.events.filter((e) => e.kind === 'settings');
    assert.equal(mine.length, 1, 'the default stream got one settings event');
    assert.equal(h.settings?.ratioLimit, 0.7);
    const theirs = other.find((e) => e.kind === 'settings');
    assert.ok(theirs && theirs.kind === 'settings' && theirs.settings.ratioLimit === 0.7, 'another view (another tab) got it too');
    assert.equal(h.gaps, 0, 'the event takes a sequence number without a gap');
    await h.send({ type: 'setSettings', settings: { uploadSlotsPerTorrent: 6 } });
    const saved = await h.send({ type: 'getSettings' });
    assert.equal(saved.ratioLimit, 0.7, 'a later partial save keeps the earlier change');
    assert.equal(saved.uploadSlotsPerTorrent, 6);
  } finally {
    h.session.closeStream(view);
    await h.close();
  }
});

test("the host's flags are the settings in effect: --peer-port shows the bound port, no DHT/LSD shows them off", async () => {
  // The harness passes listenPort 0 and no dht/lsd options: what `tessera daemon --peer-port 0 --no-dht --no-lsd` does.
  const h = await SessionHarness.open();
  try {
    const s = await h.send({ type: 'getSettings' });
    assert.equal(s.listenPort, h.session.port, 'the port actually bound');
    assert.equal(s.dht, false);
    assert.equal(s.lsd, false);
    const snap = h.events.find((e) => e.kind === 'snapshot');
    assert.ok(snap && snap.kind === 'snapshot');
    assert.deepEqual(snap.hostFixed, ['listenPort', 'dht', 'lsd']);
    assert.equal(snap.settings.lsd, false);
  } finally {
    await h.close();
  }
});
