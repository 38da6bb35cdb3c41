// A seeder unchokes a peer once it says it is interested, not the moment it connects (issue 15). WebTorrent lost an
// unchoke that came in the same read as our handshake (its handlers attach a microtask later) and never requested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { decodeMessage, encodeHandshake, encodeMessage, Framer, HANDSHAKE_LENGTH, makePeerId, type MessageType } from '../wire/index.js';

test('a seeder unchokes a leecher when it says interested, not when it connects', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-unchoke-'));
  mkdirSync(join(root, 'seed'), { recursive: true });
  const data = patternBytes(4 * 16_384, 7);
  writeFileSync(join(root, 'seed', 'u.bin'), data);
  const meta = parseTorrent(await createTorrent(join(root, 'seed', 'u.bin'), { pieceLength: 16_384 }));
  const client = new Client({ host: '127.0.0.1' });
  try {
    await client.listen();
    const seeder = client.add(meta, { downloadDir: join(root, 'seed'), useTrackers: false });
    await seeder.start();
    assert.equal(seeder.state, 'seeding');

    // A scripted leecher: Fast extension, no pieces, and not interested until told.
    const received: MessageType[] = [];
    const framer = new Framer();
    let handshake = 0;
    const leecher = connect({ host: '127.0.0.1', port: client.port });
    leecher.on('error', () => undefined);
    leecher.on('data', (chunk: Buffer) => {
      let rest: Uint8Array = chunk;
      if (handshake < HANDSHAKE_LENGTH) {
        const take = Math.min(HANDSHAKE_LENGTH - handshake, rest.length);
        handshake += take;
        rest = rest.subarray(take);
      }
      framer.push(rest, (frame) => received.push(decodeMessage(frame).type));
    });
    try {
      await new Promise<void>((ok) => leecher.once('connect', ok));
      leecher.write(encodeHandshake({ infoHash: meta.infoHash, peerId: makePeerId(), extensions: { extended: false, fast: true, dht: false } }));
      leecher.write(encodeMessage({ type: 'haveNone' }));
      await waitUntil(() => received.includes('haveAll'), 5_000, () => `no haveAll from the seeder; got ${received.join(', ')}`);
      // Long enough for an unchoke sent at connect (or on the peer's bitfield) to have arrived.
      await new Promise((ok) => setTimeout(ok, 500));
      assert.ok(!received.includes('unchoke'), `unchoked before it was interested: ${received.join(', ')}`);

      leecher.write(encodeMessage({ type: 'interested' }));
      await waitUntil(() => received.includes('unchoke'), 5_000, () => `no unchoke after interested; got ${received.join(', ')}`);
      leecher.write(encodeMessage({ type: 'request', index: 1, begin: 0, length: 16_384 }));
      await waitUntil(() => received.includes('piece'), 5_000, () => `no piece after the request; got ${received.join(', ')}`);
    } finally {
      leecher.destroy();
    }
  } finally {
    await client.close();
    rmSync(root, { recursive: true, force: true });
  }
});
