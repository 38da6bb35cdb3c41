import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  BLOCK_SIZE,
  HASH_SIZE,
  fileRoot,
  hashAt,
  leafHashes,
  padHash,
  pieceLayer,
  pieceLayerCount,
  rootFromPieceLayer,
  verifyPiece,
  verifyPieceLeaves,
} from './merkle.js';
import { MerkleTree, answerMatchesRoot, provenAncestor, rangeProblem, uncleCount, type HashRange } from './merkle-proof.js';

const h = (...parts: Uint8Array[]) => {
  const x = createHash('sha256');
  for (const p of parts) x.update(p);
  return new Uint8Array(x.digest());
};
const Z = new Uint8Array(32);

test('leaves: one SHA-256 per 16 KiB block, the last one over the short tail', () => {
  const data = randomBytes(2 * BLOCK_SIZE + 100);
  const leaves = leafHashes(data);
  assert.equal(leaves.length, 3 * HASH_SIZE);
  assert.deepEqual(hashAt(leaves, 2), h(data.subarray(2 * BLOCK_SIZE)));
  assert.equal(leafHashes(new Uint8Array(0)).length, 0);
});

test('file root: padded to a power of two with zero leaves (not zero nodes)', () => {
  const one = randomBytes(500);
  assert.deepEqual(fileRoot(leafHashes(one)), h(one), 'one block: the root is its leaf');
  const data = randomBytes(3 * BLOCK_SIZE);
  const [l0, l1, l2] = [0, 1, 2].map((i) => h(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)));
  assert.deepEqual(fileRoot(leafHashes(data)), h(h(l0, l1), h(l2, Z)));
  const five = randomBytes(5 * BLOCK_SIZE - 7);
  const l = leafHashes(five);
  const expected = h(h(h(hashAt(l, 0), hashAt(l, 1)), h(hashAt(l, 2), hashAt(l, 3))), h(h(hashAt(l, 4), Z), h(Z, Z)));
  assert.deepEqual(fileRoot(l), expected);
  assert.deepEqual(padHash(2), h(h(Z, Z), h(Z, Z)));
});

test('piece layer: one node per piece, merkles up to the file root', () => {
  const data = randomBytes(5 * BLOCK_SIZE + 1); // 6 blocks, 2 blocks per piece -> 3 pieces
  const leaves = leafHashes(data);
  const layer = pieceLayer(leaves, 2);
  assert.equal(layer.length, 3 * HASH_SIZE);
  assert.deepEqual(hashAt(layer, 2), h(hashAt(leaves, 4), hashAt(leaves, 5)));
  assert.deepEqual(rootFromPieceLayer(layer, 2), fileRoot(leaves));
  // the last piece of a file is padded to a whole piece: 1 real block out of 4
  const odd = randomBytes(9 * BLOCK_SIZE);
  const ol = leafHashes(odd);
  const layer4 = pieceLayer(ol, 4);
  assert.deepEqual(hashAt(layer4, 2), h(h(hashAt(ol, 8), Z), h(Z, Z)));
  assert.deepEqual(rootFromPieceLayer(layer4, 4), fileRoot(ol));
  assert.equal(pieceLayerCount(9 * BLOCK_SIZE, 4 * BLOCK_SIZE), 3);
  assert.equal(pieceLayerCount(4 * BLOCK_SIZE, 4 * BLOCK_SIZE), 0, 'a file of one piece has no layer');
});

test('verifyPiece: against a piece-layer entry, or the root for a one-piece file', () => {
  const data = randomBytes(9 * BLOCK_SIZE);
  const layer = pieceLayer(leafHashes(data), 4);
  const last = data.subarray(8 * BLOCK_SIZE);
  assert.equal(verifyPiece(last, hashAt(layer, 2), 4, false), true);
  const bad = Uint8Array.from(last);
  bad[5] ^= 1;
  assert.equal(verifyPiece(bad, hashAt(layer, 2), 4, false), false);
  assert.equal(verifyPieceLeaves(leafHashes(last), hashAt(layer, 2), 4, false), true);
  assert.equal(verifyPieceLeaves(leafHashes(data), hashAt(layer, 2), 4, false), false, 'more leaves than a piece holds');
  assert.equal(verifyPieceLeaves(new Uint8Array(0), hashAt(layer, 2), 4, false), false);
  const small = randomBytes(3 * BLOCK_SIZE);
  assert.equal(verifyPiece(small, fileRoot(leafHashes(small)), 8, true), true);
  assert.equal(verifyPiece(small, fileRoot(leafHashes(small)), 8, false), false, 'a one-piece file is not padded to a whole piece');
});

test('hash request answers: base hashes, then uncles; they prove the root', () => {
  const leaves = leafHashes(randomBytes(13 * BLOCK_SIZE)); // 16 leaves, height 4
  const tree = MerkleTree.fromLeaves(leaves);
  assert.equal(tree.height, 4);
  assert.deepEqual(tree.root, fileRoot(leaves));
  const r: HashRange = { baseLayer: 0, index: 4, length: 2, proofLayers: 3 };
  const payload = tree.answer(r)!;
  assert.equal(payload.length, (2 + 3) * HASH_SIZE);
  assert.deepEqual(hashAt(payload, 2), tree.node(1, 3), 'first uncle: sibling of the pair');
  assert.equal(answerMatchesRoot(r, 4, payload, tree.root), true);
  const tampered = Uint8Array.from(payload);
  tampered[3] ^= 1;
  assert.equal(answerMatchesRoot(r, 4, tampered, tree.root), false);
  // length 8: the first log2(8)-1 = 2 proof layers are implied
  assert.equal(uncleCount({ baseLayer: 0, index: 8, length: 8, proofLayers: 3 }), 1);
  assert.equal(uncleCount({ baseLayer: 0, index: 8, length: 8, proofLayers: 1 }), 0);
  assert.equal(tree.answer({ baseLayer: 0, index: 0, length: 2, proofLayers: 4 }), undefined, 'uncles would pass the root');
  const toRoot: HashRange = { baseLayer: 0, index: 8, length: 8, proofLayers: 3 };
  assert.equal(answerMatchesRoot(toRoot, 4, tree.answer(toRoot)!, tree.root), true);
  // served from a piece layer only (no leaves)
  const byLayer = MerkleTree.fromPieceLayer(pieceLayer(leaves, 4), 4, 13);
  assert.deepEqual(byLayer.root, tree.root);
  assert.equal(byLayer.answer({ baseLayer: 0, index: 0, length: 2, proofLayers: 0 }), undefined, 'leaves unknown');
  assert.deepEqual(byLayer.answer({ baseLayer: 2, index: 0, length: 4, proofLayers: 0 }), pieceLayerPadded(leaves));
});

function pieceLayerPadded(leaves: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 * HASH_SIZE);
  out.set(pieceLayer(leaves, 4));
  return out; // 13 blocks -> 4 pieces: nothing to pad
}

test('ranges that cannot be served are refused with a reason', () => {
  assert.match(rangeProblem({ baseLayer: 4, index: 0, length: 2, proofLayers: 0 }, 4)!, /not below the root/);
  assert.match(rangeProblem({ baseLayer: 0, index: 2, length: 4, proofLayers: 0 }, 4)!, /multiple of 4/);
  assert.match(rangeProblem({ baseLayer: 0, index: 0, length: 1, proofLayers: 0 }, 4)!, /length 1 is not in 2\.\.8192/);
  assert.match(rangeProblem({ baseLayer: 0, index: 0, length: 16384, proofLayers: 0 }, 20)!, /length/);
  assert.match(rangeProblem({ baseLayer: 2, index: 4, length: 2, proofLayers: 0 }, 4)!, /past the end/);
  assert.match(rangeProblem({ baseLayer: 1, index: 0, length: 2, proofLayers: 3 }, 4)!, /past the root/);
  assert.equal(rangeProblem({ baseLayer: 0, index: 14, length: 2, proofLayers: 3 }, 4), undefined);
  assert.equal(rangeProblem({ baseLayer: 0, index: 12, length: 3, proofLayers: 0 }, 4), undefined, 'truncated at the end of the layer');
});

test('property: every valid answer proves its ancestor, and any flipped bit breaks it', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 70 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (blocks, b, i, l, proof, flip) => {
      const leaves = new Uint8Array(blocks * HASH_SIZE);
      for (let k = 0; k < leaves.length; k++) leaves[k] = (k * 131 + blocks) & 0xff;
      const tree = MerkleTree.fromLeaves(leaves);
      const baseLayer = b % tree.height;
      const width = 2 ** (tree.height - baseLayer);
      const length = 2 ** (1 + (l % Math.log2(width)));
      const index = (i % (width / length)) * length;
      const r = { baseLayer, index, length, proofLayers: proof % (tree.height - baseLayer) };
      const payload = tree.answer(r);
      assert.ok(payload, JSON.stringify(r));
      const a = provenAncestor(r, tree.height, payload)!;
      assert.deepEqual(a.hash, tree.node(a.layer, a.index));
      // enough proof layers reach the root
      const full = { ...r, proofLayers: tree.height - baseLayer - 1 };
      assert.equal(answerMatchesRoot(full, tree.height, tree.answer(full)!, tree.root), true);
      const bad = Uint8Array.from(payload);
      bad[flip % bad.length] ^= 0x80;
      assert.notDeepEqual(provenAncestor(r, tree.height, bad)!.hash, a.hash);
    }),
    { numRuns: 300 },
  );
});
