// Three in-process torrents on 127.0.0.1: hub A is connected to B and C; B learns C only from A's ut_pex
// message and connects to it. C runs with PEX off, so it cannot learn B and dial it first: B's outgoing
// connection (and its "connected to" log line) is deterministic. Torrents are built directly (not via
// Client.add) to inject short PEX intervals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../common/clock.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import { connectTcp as dial } from '../net/tcp-transport.js';
import { PeerListener } from '../net/listener.js';
import { readIncomingHandshake } from '../net/incoming.js';
import { makePeerId } from '../wire/index.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { Torrent } from './torrent.js';
import type { PexOptions } from './pex.js';

interface Node {
  torrent: Torrent;
  listener: PeerListener;
  port: number;
  lines: string[];
}

async function node(meta: Metainfo, dir: string, pex: PexOptions, peers: { host: string; port: number }[] = []): Promise<Node> {
  const lines: string[] = [];
  let torrent: Torrent | null = null;
  const listener = new PeerListener((transport) =>
    readIncomingHandshake(transport, (hs, stream) => {
      if (torrent) torrent.acceptIncoming(stream, hs);
      else stream.destroy();
    }),
  );
  const port = await listener.listen(0, '127.0.0.1');
  torrent = new Torrent({
    meta,
    downloadDir: dir,
    peerId: makePeerId(),
    listenPort: () => port,
    clock: systemClock,
    dial: (host, p) => dial(host, p, 5000),
    events: { onLog: (l) => lines.push(l) },
    useTrackers: false,
    pex,
    peers,
  });
  return { torrent, listener, port, lines };
}

async function swarm(priv: boolean, hubDials: boolean, run: (a: Node, b: Node, c: Node) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-pex-'));
  const nodes: Node[] = [];
  try {
    writeFileSync(join(root, 'payload.bin'), patternBytes(100_000, 4));
    const meta = parseTorrent(await createTorrent(join(root, 'payload.bin'), { pieceLength: 16_384, private: priv }));
    const fast: PexOptions = { firstDelayMs: 0, intervalMs: 500 };
    // Nobody has the data, so nobody finishes and closes connections as "both sides are seeds".
    const a = await node(meta, join(root, 'a'), fast);
    const b = await node(meta, join(root, 'b'), fast);
    const c = await node(meta, join(root, 'c'), { ...fast, enabled: false });
    nodes.push(a, b, c);
    const hub = [{ host: '127.0.0.1', port: a.port }];
    if (hubDials) {
      await b.torrent.start();
      await c.torrent.start();
      await a.torrent.start();
      a.torrent.addPeers([{ host: '127.0.0.1', port: b.port }, { host: '127.0.0.1', port: c.port }], 'test');
    } else {
      await a.torrent.start();
      await b.torrent.start();
      await c.torrent.start();
      b.torrent.addPeers(hub, 'test');
      c.torrent.addPeers(hub, 'test');
    }
    await waitUntil(() => a.torrent.peers.size === 2, 5000, () => `A has ${a.torrent.peers.size} peers:\n${a.lines.join('\n')}`);
    await run(a, b, c);
  } finally {
    for (const n of nodes) {
      await n.torrent.stop();
      await n.listener.close();
    }
    rmSync(root, { recursive: true, force: true });
  }
}

for (const hubDials of [false, true]) {
  const how = hubDials ? 'A dialled B and C (their ports are the ones dialled)' : 'B and C dialled A (A knows their listen ports from the extended handshake)';
  test(`B learns C from A's PEX and connects to it: ${how}`, { timeout: 20_000 }, async () => {
    await swarm(false, hubDials, async (a, b, c) => {
      // Over A's incoming connection the sender is A's listen address; over A's outgoing one, A's ephemeral port.
      const learnt = hubDials ? /^1 new peer\(s\) from pex from 127\.0\.0\.1:\d+$/ : new RegExp(`^1 new peer\\(s\\) from pex from 127\\.0\\.0\\.1:${a.port}$`);
      const connected = `connected to 127.0.0.1:${c.port} `;
      await waitUntil(
        () => b.lines.some((l) => learnt.test(l)) && b.lines.some((l) => l.startsWith(connected)),
        8000,
        () => `B's log:\n${b.lines.join('\n')}`,
      );
      assert.equal(b.torrent.peers.size, 2, 'B is connected to A and C');
      assert.ok(!c.lines.some((l) => l.includes('from pex')), 'C, with PEX off, learnt nothing');
    });
  });
}

test('a private torrent neither sends nor offers PEX (BEP 27)', { timeout: 20_000 }, async () => {
  await swarm(true, false, async (_a, b, c) => {
    await new Promise((r) => setTimeout(r, 2500)); // two ticks plus the 500 ms interval
    assert.ok(!b.lines.some((l) => l.includes('from pex')), `B learnt nothing:\n${b.lines.join('\n')}`);
    assert.ok(!b.lines.some((l) => l.startsWith(`connected to 127.0.0.1:${c.port} `)));
    assert.equal(b.torrent.peers.size, 1);
    for (const p of b.torrent.peers) assert.equal(p.extensions.get('ut_pex'), undefined, "A's extended handshake offers no ut_pex");
  });
});
