import test from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { PiecePicker, type BlockRequest, type PeerView } from '../picker/index.js';
import { seededRandom } from '../testing/random.js';
import { RequestPipeline } from './request-pipeline.js';
import { swapForDeadlines } from './deadline-swap.js';

/** A peer whose pipeline is full of ordinary requests; records what it cancels and sends. */
function fullPeer(picker: PiecePicker, view: PeerView, blocks: number) {
  const requests = new RequestPipeline(0);
  const cancelled: string[] = [];
  const sent: string[] = [];
  const first: BlockRequest[] = [];
  picker.pick(view, blocks, first);
  for (const r of first) requests.sent(r.piece, r.begin, 0);
  const peer = {
    id: view.id,
    requests,
    cancelRequest(piece: number, begin: number, length: number) {
      assert.equal(length, BLOCK_SIZE);
      if (requests.forget(piece, begin)) cancelled.push(`${piece}:${begin / BLOCK_SIZE}`);
    },
    sendRequests(batch: readonly BlockRequest[], count: number) {
      for (let i = 0; i < count; i++) {
        requests.sent(batch[i].piece, batch[i].begin, 0);
        sent.push(`${batch[i].piece}:${batch[i].begin / BLOCK_SIZE}`);
      }
    },
  };
  return { peer, cancelled, sent, first };
}

test('a full pipeline swaps its newest ordinary requests for the deadline blocks of a seek, keeping its depth', () => {
  const geometry = new PieceGeometry(100 * 4 * BLOCK_SIZE, 4 * BLOCK_SIZE);
  const picker = new PiecePicker(geometry, { random: seededRandom(3), now: () => 0 });
  const view: PeerView = { id: 1, bits: null, isSeed: true, choked: false, critical: true };
  const { peer, cancelled, sent, first } = fullPeer(picker, view, 40);
  // A seek far from anything requested: piece 90 becomes due.
  assert.ok(!first.some((r) => r.piece === 90), 'the seed picked piece 90 already; choose another');
  picker.setDeadlines([90], [1_000], 1);
  swapForDeadlines(peer, picker, geometry, view, []);
  assert.deepEqual(sent, ['90:0', '90:1', '90:2', '90:3']);
  assert.equal(cancelled.length, 4);
  const newest = first.slice(-4).map((r) => `${r.piece}:${r.begin / BLOCK_SIZE}`).reverse();
  assert.deepEqual(cancelled, newest, 'the newest requests are the ones the peer has not started on');
  assert.equal(peer.requests.size, 40);
  // The cancelled blocks are wanted again: another peer may pick them.
  const other: BlockRequest[] = [];
  picker.pick({ id: 2, bits: null, isSeed: true, choked: false, critical: true }, 400, other);
  const picked = new Set(other.map((r) => `${r.piece}:${r.begin / BLOCK_SIZE}`));
  for (const c of cancelled) assert.ok(picked.has(c), `${c} given back to the picker`);
});

test('nothing is swapped when the deadline blocks are already requested, or the peer is unfit', () => {
  const geometry = new PieceGeometry(100 * 4 * BLOCK_SIZE, 4 * BLOCK_SIZE);
  const picker = new PiecePicker(geometry, { random: seededRandom(3), now: () => 0 });
  const view: PeerView = { id: 1, bits: null, isSeed: true, choked: false, critical: true };
  const { peer, cancelled, sent, first } = fullPeer(picker, view, 40);
  picker.setDeadlines([first[0].piece], [1_000], 1);
  swapForDeadlines(peer, picker, geometry, view, []);
  assert.deepEqual([cancelled, sent], [[], []]);
  picker.setDeadlines([95], [1_000], 1);
  swapForDeadlines(peer, picker, geometry, { ...view, critical: false }, []);
  assert.deepEqual([cancelled, sent], [[], []]);
});
