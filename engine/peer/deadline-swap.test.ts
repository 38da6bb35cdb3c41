import test from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { PiecePicker, type BlockRequest, type PeerView } from '../picker/index.js';
import { seededRandom } from '../testing/random.js';
import { RequestPipeline } from './request-pipeline.js';
import { clearQueueForDeadlines, streamingTarget } from './deadline-swap.js';

const name = (r: { piece: number; begin: number }): string => `${r.piece}:${r.begin / BLOCK_SIZE}`;

/** A peer whose pipeline holds `blocks` ordinary requests (oldest first); records what it cancels. */
function queuedPeer(picker: PiecePicker, view: PeerView, blocks: number) {
  const requests = new RequestPipeline(0);
  const cancelled: string[] = [];
  const first: BlockRequest[] = [];
  picker.pick(view, blocks, first);
  for (const r of first) requests.sent(r.piece, r.begin, 0);
  const peer = {
    id: view.id,
    requests,
    cancelRequest(piece: number, begin: number, length: number) {
      assert.equal(length, BLOCK_SIZE);
      if (requests.forget(piece, begin)) cancelled.push(name({ piece, begin }));
    },
  };
  return { peer, cancelled, first };
}

function setup() {
  const geometry = new PieceGeometry(100 * 4 * BLOCK_SIZE, 4 * BLOCK_SIZE);
  const picker = new PiecePicker(geometry, { random: seededRandom(3), now: () => 0 });
  const view: PeerView = { id: 1, bits: null, isSeed: true, choked: false, critical: true };
  return { geometry, picker, view };
}

// 40 blocks of 16 KiB at 1 MiB/s: the queue drains in 625 ms. KEEP_SECONDS (0.1 s) of that rate is 7 blocks.
const RATE = 1024 * 1024;

test('a deadline block that would be late behind the queue: every ordinary request but the oldest is cancelled, and the next pick asks for the deadline blocks first', () => {
  const { geometry, picker, view } = setup();
  const { peer, cancelled, first } = queuedPeer(picker, view, 40);
  assert.ok(!first.some((r) => r.piece === 90), 'the seed picked piece 90 already; choose another');
  picker.setDeadlines([90], [100], 1); // a seek: due in 100 ms, the queue needs 625
  const probe: BlockRequest[] = [];
  assert.equal(clearQueueForDeadlines(peer, picker, geometry, view, probe, RATE, 0), 33);
  assert.deepEqual(cancelled, first.slice(7).map(name), 'the 7 oldest are left alone: the peer is sending them already');
  assert.equal(peer.requests.size, 7);
  assert.equal(probe.length, 0);
  // The refill's pick: the deadline piece first (the probe gave its block back), then the cancelled ordinary blocks again.
  const next: BlockRequest[] = [];
  picker.pick(view, 37, next);
  assert.deepEqual(next.slice(0, 4).map(name), ['90:0', '90:1', '90:2', '90:3']);
  const again = new Set(next.slice(4).map(name));
  for (const c of cancelled) assert.ok(again.has(c), `${c} given back to the picker`);
});

test('a deadline the queue meets in time cancels nothing, costs no pick, and its blocks stay free for the refill', () => {
  const { geometry, picker, view } = setup();
  const { peer, cancelled } = queuedPeer(picker, view, 40);
  picker.setDeadlines([90], [5_000], 1); // a stream reading steadily: due in 5 s
  const pick = picker.pick.bind(picker);
  let picks = 0;
  picker.pick = (...args) => (picks++, pick(...args));
  assert.equal(clearQueueForDeadlines(peer, picker, geometry, view, [], RATE, 0), 0);
  assert.deepEqual(cancelled, []);
  assert.equal(picks, 0, 'the earliest deadline alone says nothing is due before the queue drains (refills stay cheap)');
  picker.pick = pick;
  const next: BlockRequest[] = [];
  picker.pick(view, 4, next);
  assert.deepEqual(next.map(name), ['90:0', '90:1', '90:2', '90:3']);
});

test('requests of deadline pieces keep their places; nothing happens for an unfit or choking peer, or when every deadline block is asked for', () => {
  const { geometry, picker, view } = setup();
  const { peer, cancelled, first } = queuedPeer(picker, view, 40);
  const inQueue = first[20].piece;
  picker.setDeadlines([inQueue, 90], [50, 100], 2);
  assert.equal(clearQueueForDeadlines(peer, picker, geometry, { ...view, critical: false }, [], RATE, 0), 0);
  assert.equal(clearQueueForDeadlines(peer, picker, geometry, { ...view, choked: true }, [], RATE, 0), 0);
  assert.deepEqual(cancelled, []);
  clearQueueForDeadlines(peer, picker, geometry, view, [], RATE, 0);
  assert.ok(cancelled.length > 0);
  for (const r of first) if (r.piece === inQueue) assert.ok(peer.requests.outstanding.has(r.piece * 65536 + r.begin / BLOCK_SIZE), `${name(r)} of the deadline piece kept`);
  // Piece 90 asked for (behind the few kept): nothing left to hurry.
  const next: BlockRequest[] = [];
  picker.pick(view, 4, next, true);
  for (const r of next) peer.requests.sent(r.piece, r.begin, 0);
  cancelled.length = 0;
  assert.equal(clearQueueForDeadlines(peer, picker, geometry, view, [], RATE, 0), 0);
  assert.deepEqual(cancelled, []);
});

test('while a stream reads: the blocks still to come of pieces due within 500 ms, plus a shallow queue (16 blocks, or 0.05 s of the rate)', () => {
  const { picker } = setup(); // pieces of 4 blocks
  assert.equal(streamingTarget(picker, 0, 0), 16, 'no deadline: the shallow queue alone');
  // Pieces 10, 11 due now and in 400 ms are urgent; 12 at 600 ms is not.
  picker.setDeadlines([12, 10, 11], [600, 0, 400], 3);
  assert.equal(streamingTarget(picker, 0, 0), 8 + 16);
  assert.equal(streamingTarget(picker, 0, 200), 12 + 16, 'as time passes, piece 12 becomes urgent');
  assert.equal(streamingTarget(picker, 40 * BLOCK_SIZE, 0), 8 + 16, 'a peer at 40 blocks/s: 0.05 s of it is 2 blocks, the minimum holds');
  assert.equal(streamingTarget(picker, 1000 * BLOCK_SIZE, 0), 8 + 50, '0.05 s of 1000 blocks/s is 50 blocks, more than the minimum');
  // Requested blocks still count (they are still to come); received ones do not, nor a piece we have.
  const got: BlockRequest[] = [];
  picker.pick({ id: 1, bits: null, isSeed: true, choked: false, critical: true }, 3, got);
  assert.deepEqual(got.map(name), ['10:0', '10:1', '10:2']);
  assert.equal(streamingTarget(picker, 0, 0), 8 + 16, 'requested, not received: still counted');
  picker.blockReceived(10, 0);
  picker.blockReceived(10, BLOCK_SIZE);
  assert.equal(streamingTarget(picker, 0, 0), 6 + 16, 'two blocks arrived: the target shrinks with them, no top-up behind them');
  picker.pieceVerified(11);
  assert.equal(streamingTarget(picker, 0, 0), 2 + 16, 'a piece we have counts nothing');
});
