// Peer etiquette: upload-only (BEP 21) so partial seeds do not keep each other, and lt_donthave (BEP 54).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { Client } from '../session/client.js';
import { patternBytes, waitUntil } from '../testing/wait.js';
import { encodeDontHave, encodeExtendedHandshake, encodeHandshake, encodeMessage, HANDSHAKE_LENGTH, makePeerId } from '../wire/index.js';
import { OUR_EXTENSIONS } from './extensions.js';

test('two partial seeds (every wanted file done) tell each other upload_only and part', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-bep21-'));
  const src = join(root, 'src', 'pay');
  mkdirSync(src, { recursive: true });
  // Piece-aligned files: a.bin is pieces 0-3, b.bin pieces 4-7.
  const a = patternBytes(65_536, 1);
  const b = patternBytes(65_536, 2);
  writeFileSync(join(src, 'a.bin'), a);
  writeFileSync(join(src, 'b.bin'), b);
  const meta = parseTorrent(await createTorrent(src, { pieceLength: 16_384 }));
  mkdirSync(join(root, 'x', 'pay'), { recursive: true });
  mkdirSync(join(root, 'y', 'pay'), { recursive: true });
  writeFileSync(join(root, 'x', 'pay', 'a.bin'), a);
  writeFileSync(join(root, 'y', 'pay', 'b.bin'), b);
  const cx = new Client({ host: '127.0.0.1' });
  const cy = new Client({ host: '127.0.0.1' });
  const logX: string[] = [];
  const logY: string[] = [];
  try {
    await cx.listen();
    await cy.listen();
    const x = cx.add(meta, { downloadDir: join(root, 'x'), useTrackers: false, events: { onLog: (l) => logX.push(l) } });
    x.setPiecePriorities([4, 4, 4, 4, 0, 0, 0, 0]);
    await x.start();
    const y = cy.add(meta, { downloadDir: join(root, 'y'), useTrackers: false, peers: [{ host: '127.0.0.1', port: cx.port }], events: { onLog: (l) => logY.push(l) } });
    y.setPiecePriorities([0, 0, 0, 0, 4, 4, 4, 4]);
    await y.start();
    assert.equal(x.state, 'seeding');
    assert.equal(y.state, 'seeding');
    const said = () => [...logX, ...logY].some((l) => /both sides upload only \(BEP 21\)/.test(l));
    await waitUntil(said, 10_000, () => `no upload-only close; logs:\n${[...logX, ...logY].join('\n')}`);
    await waitUntil(() => x.peers.size === 0 && y.peers.size === 0, 5_000, () => `still connected: ${x.peers.size}/${y.peers.size}`);
  } finally {
    await cy.close();
    await cx.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('lt_donthave from a peer takes the piece out of its availability', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-bep54-'));
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'd.bin'), patternBytes(8 * 16_384, 3));
  const meta = parseTorrent(await createTorrent(join(root, 'src', 'd.bin'), { pieceLength: 16_384 }));
  const sockets = new Set<Socket>();
  let sendDontHave: ((piece: number) => void) | null = null;
  // A scripted peer: has every piece, never unchokes, later says it no longer has piece 2.
  const peer = createServer((socket) => {
    sockets.add(socket);
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      if (got >= HANDSHAKE_LENGTH) return;
      got += chunk.length;
      if (got < HANDSHAKE_LENGTH) return;
      socket.write(encodeHandshake({ infoHash: meta.infoHash, peerId: makePeerId(), extensions: { extended: true, fast: true, dht: false } }));
      socket.write(encodeMessage({ type: 'extended', id: 0, payload: encodeExtendedHandshake({ m: { lt_donthave: 9 } }) }));
      socket.write(encodeMessage({ type: 'haveAll' }));
      sendDontHave = (piece) => socket.write(encodeMessage({ type: 'extended', id: OUR_EXTENSIONS.lt_donthave, payload: encodeDontHave(piece) }));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((ok) => peer.listen(0, '127.0.0.1', ok));
  const client = new Client({ host: '127.0.0.1' });
  try {
    await client.listen();
    const t = client.add(meta, { downloadDir: join(root, 'dl'), useTrackers: false, peers: [{ host: '127.0.0.1', port: (peer.address() as AddressInfo).port }] });
    await t.start();
    await waitUntil(() => t.peers.size === 1 && t.availability()[2] === 1 && sendDontHave !== null, 10_000, () => `peers ${t.peers.size}, availability ${[...t.availability()]}`);
    sendDontHave!(2);
    await waitUntil(() => t.availability()[2] === 0, 5_000, () => `availability ${[...t.availability()]}`);
    assert.deepEqual([...t.availability()], [1, 1, 0, 1, 1, 1, 1, 1]);
    assert.equal(t.peers.size, 1, 'the peer stays connected');
    assert.equal([...t.peers][0].isSeed, false);
  } finally {
    await client.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => peer.close(() => ok()));
    rmSync(root, { recursive: true, force: true });
  }
});
