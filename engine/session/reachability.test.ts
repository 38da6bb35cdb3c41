// Reachability: the connectable status (an incoming connection, or 30 minutes without one), and the session's use
// of port mapping against a fake PCP router on loopback: the status in the global stats, the external port in the
// tracker announce, and the portMapping setting turning it off (mappings removed).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { FakePmpRouter } from '../net/portmap/test-fake-router.js';
import { freePort } from '../testing/ports.js';
import { startTracker } from '../testing/tracker.js';
import { patternBytes } from '../testing/wait.js';
import { NO_INCOMING_MS, Reachability } from './reachability.js';
import { SessionHarness } from './test-harness.js';

describe('Reachability', () => {
  it('is unknown while listening, "may be closed" after 30 minutes without an incoming connection, yes after one', () => {
    let now = 1_000;
    const r = new Reachability({ now: () => now }, () => undefined);
    r.listening(6881);
    assert.deepEqual([r.status().state, r.status().connectable, r.status().message], ['off', 'unknown', 'port mapping off']);
    assert.equal(r.advertisedPort(6881), 6881);
    now += NO_INCOMING_MS - 1;
    assert.equal(r.status().connectable, 'unknown');
    now += 1;
    assert.equal(r.status().connectable, 'no');
    assert.equal(r.status().message, 'no incoming connection in 30 min: your port may be closed (port mapping off)');
    r.noteIncoming();
    assert.equal(r.status().connectable, 'yes');
    assert.equal(r.status().message, 'port mapping off');
  });
});

describe('session port mapping', { timeout: 60_000 }, () => {
  it('maps through the router, announces the external port, reports it, and unmaps when the setting goes off', async () => {
    const router = await FakePmpRouter.start();
    const tracker = await startTracker({ intervalSeconds: 2 });
    const root = mkdtempSync(join(tmpdir(), 'tessera-reach-'));
    const port = await freePort();
    router.behaviour.taken.add(port); // the router hands out port + 1
    const h = await SessionHarness.open({
      extra: { listenPort: port, portMapping: { gateway: '127.0.0.1', methods: ['pcp'], pmp: { port: router.port, tries: 2, firstTimeoutMs: 50 }, retryMs: 600_000 } },
    });
    try {
      await h.until(() => h.global?.portMapping?.state === 'mapped', 'mapped');
      const s = h.global!.portMapping!;
      assert.deepEqual([s.method, s.gateway, s.internalPort, s.externalPort, s.externalAddress, s.connectable], ['pcp', '127.0.0.1', port, port + 1, '203.0.113.7', 'unknown']);
      assert.equal(s.message, `Port ${port} open via PCP on 127.0.0.1 (external 203.0.113.7:${port + 1})`);

      mkdirSync(join(root, 'src', 'one'), { recursive: true });
      writeFileSync(join(root, 'src', 'one', 'a.bin'), patternBytes(50_000, 3));
      const bytes = await createTorrent(join(root, 'src', 'one'), { pieceLength: 16_384, trackers: [tracker.httpUrl] });
      await h.send({ type: 'add', source: { kind: 'torrent', data: bytes }, savePath: join(root, 'src') });
      const peers = await tracker.waitForPeers(parseTorrent(bytes).infoHashHex, 1, 15_000);
      assert.deepEqual(peers.map((p) => p.port), [port + 1], 'the tracker was told the external port');

      await h.send({ type: 'setSettings', settings: { portMapping: false } });
      await h.until(() => h.global?.portMapping?.state === 'off', 'mapping off');
      assert.equal(router.mappings.size, 0, 'mappings left after the setting went off');
      await h.send({ type: 'setSettings', settings: { portMapping: true } });
      await h.until(() => h.global?.portMapping?.state === 'mapped', 'mapped again');
      assert.equal(router.mappings.size, 2);
    } finally {
      await h.close();
      assert.equal(router.mappings.size, 0, 'mappings left after close');
      await tracker.close();
      await router.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports no status when the host runs without port mapping', async () => {
    const h = await SessionHarness.open();
    try {
      await h.until(() => h.global !== null, 'global stats');
      assert.equal(h.global?.portMapping, undefined);
    } finally {
      await h.close();
    }
  });
});
