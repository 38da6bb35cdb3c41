import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTorrent, type TorrentFormat } from '../metainfo/create.js';
import { parseInfoDict, parseTorrent, type Metainfo } from '../metainfo/index.js';
import { HASH_SIZE } from '../metainfo/merkle.js';
import { patternBytes } from '../testing/wait.js';
import { MerkleVerifier, merkleVerifierFor } from './piece-verifier.js';

const PIECE = 32_768;
/** a.bin: 3 pieces (the last short); b.bin: one piece or less (checked against its root). */
const A = patternBytes(70_000, 1);
const B = patternBytes(20_000, 2);

async function made(format: TorrentFormat): Promise<Metainfo> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-verifier-'));
  try {
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'a.bin'), A);
    writeFileSync(join(dir, 'c', 'b.bin'), B);
    return parseTorrent(await createTorrent(join(dir, 'c'), { pieceLength: PIECE, format, creationDate: null }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Piece `p` as it sits in the piece address space: file bytes, then zero padding up to the piece end. */
function pieceData(p: number): Uint8Array {
  const out = new Uint8Array(PIECE);
  if (p < 3) out.set(A.subarray(p * PIECE, (p + 1) * PIECE));
  else out.set(B);
  return out;
}

test('v1 torrents keep the backend SHA-1 path (no verifier)', async () => {
  assert.equal(merkleVerifierFor(await made('v1')), undefined);
});

test('v2: pieces verify by piece layer or, for a file of one piece, by its root; a flipped byte or dirty padding fails', async () => {
  const meta = await made('v2');
  const v = new MerkleVerifier(meta);
  const g = { pieceCount: meta.pieceCount, size: (p: number) => (p === meta.pieceCount - 1 ? meta.totalLength - p * PIECE : PIECE) };
  for (let p = 0; p < g.pieceCount; p++) assert.ok(v.matches(p, pieceData(p).subarray(0, g.size(p))), `piece ${p}`);
  const bad = pieceData(1);
  bad[100] ^= 1;
  assert.equal(v.matches(1, bad), false);
  assert.equal(v.takeFailedLeaves(1)!.length, 2 * HASH_SIZE, 'the failed piece leaves its block hashes for blame');
  const dirty = pieceData(2);
  dirty[PIECE - 1] = 9; // past a.bin's end: padding
  assert.equal(v.matches(2, dirty), false, 'v2 padding must be zero');
  const leaves = v.takeFailedLeaves(2)!;
  assert.ok(leaves.subarray(HASH_SIZE, 2 * HASH_SIZE).every((b) => b === 0xff), 'the block holding dirty padding is marked bad');
});

test('hybrid: both SHA-1 and merkle must agree', async () => {
  const meta = await made('hybrid');
  const v = new MerkleVerifier(meta);
  assert.ok(v.matches(0, pieceData(0)));
  // same data, but the torrent's SHA-1 for piece 0 is wrong: refused although the merkle check holds
  const pieces = new Uint8Array(meta.pieces);
  pieces[0] ^= 0xff;
  assert.equal(new MerkleVerifier({ ...meta, pieces }).matches(0, pieceData(0)), false);
  // a hybrid magnet: no piece layers yet, so its SHA-1 alone decides (it downloads from v1-only peers too)
  const bare = new MerkleVerifier(parseInfoDict(meta.infoBytes));
  assert.ok(bare.matches(0, pieceData(0)));
  const flipped = pieceData(0);
  flipped[5] ^= 1;
  assert.equal(bare.matches(0, flipped), false);
});

test('without piece layers (a magnet) a long file waits for its layer, which must hash to the root', async () => {
  const meta = await made('v2');
  const bare = new MerkleVerifier(parseInfoDict(meta.infoBytes));
  assert.deepEqual(bare.missingLayers(), [0]);
  assert.equal(bare.canVerify(0), false);
  assert.equal(bare.canVerify(3), true, 'a file of one piece needs no layer');
  assert.equal(bare.matches(0, pieceData(0)), false, 'an unknown layer verifies nothing');
  const layer = meta.pieceLayers!.values().next().value!;
  const forged = new Uint8Array(layer);
  forged[0] ^= 1;
  assert.equal(bare.setLayer(0, forged), false, 'a layer that does not hash to the root is refused');
  assert.equal(bare.setLayer(0, layer), true);
  assert.deepEqual(bare.missingLayers(), []);
  assert.ok(bare.matches(0, pieceData(0)));
});
