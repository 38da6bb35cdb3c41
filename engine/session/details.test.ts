import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bitfield } from '../common/bitfield.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent, type Metainfo } from '../metainfo/index.js';
import type { Torrent } from '../torrent/torrent.js';
import { detailsOf } from './details.js';
import { newEntry } from './persist.js';

async function fiveMetaPieces(): Promise<Metainfo> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-details-'));
  try {
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(16_384 * 4 + 100));
    return parseTorrent(await createTorrent(join(dir, 'a.bin'), { pieceLength: 16_384, trackers: [] }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A torrent that has not finished checking its data: its bitfield is not known yet. */
function checkingTorrent(): Torrent {
  const stillChecking = {
    have: new Bitfield(0),
    peers: new Set(),
    trackerStatus: () => [],
    downloadingPieces: () => new Bitfield(0),
    availability: () => new Uint16Array(0),
  };
  return stillChecking as unknown as Torrent;
}

test('details of a torrent still checking its data show the last recorded pieces, not an error', async () => {
  const meta = await fiveMetaPieces();
  assert.equal(meta.pieceCount, 5);
  const e = newEntry({ id: 'a'.repeat(40), name: 'a.bin', meta, magnetUri: null, savePath: '/d', addedAt: 1, position: 0, paused: false });
  e.torrent = checkingTorrent();
  const topics = new Set(['files', 'pieces'] as const);

  const fresh = detailsOf(e, topics);
  assert.deepEqual(fresh.files?.map((f) => f.doneBytes), [0]);
  assert.equal(fresh.pieces?.pieceCount, 5);
  assert.equal(fresh.pieces?.have.length, 1);

  const recorded = new Bitfield(5);
  recorded.set(0);
  recorded.set(4);
  e.have = recorded;
  const resumed = detailsOf(e, topics);
  assert.deepEqual(resumed.files?.map((f) => f.doneBytes), [16_384 + 100]);
  assert.equal(resumed.pieces?.have[0], 0b1000_1000);
});

test("peer flags say how each connection is encrypted: E for RC4, e for an encrypted handshake only", () => {
  const meter = { rate: () => 0, total: 0 };
  const peer = (address: string, encryption: string) => ({
    address,
    client: 'x',
    encryption,
    peerChoking: true,
    amInterested: false,
    amChoking: true,
    peerInterested: false,
    optimistic: false,
    incoming: true,
    snubbed: false,
    bits: null,
    downloadMeter: meter,
    uploadMeter: meter,
  });
  const e = newEntry({ id: 'b'.repeat(40), name: 'x', meta: null, magnetUri: null, savePath: '/d', addedAt: 1, position: 0, paused: false });
  e.torrent = { peers: new Set([peer('1.1.1.1:1', 'rc4'), peer('1.1.1.2:1', 'mse-plaintext'), peer('1.1.1.3:1', 'plaintext')]), webSeeds: [] } as unknown as Torrent;
  assert.deepEqual(detailsOf(e, new Set(['peers'] as const)).peers?.map((p) => p.flags), ['IE', 'Ie', 'I']);
});
