import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { Deadlines } from './deadlines.js';
import { PiecePicker, type BlockRequest, type PeerView } from './picker.js';
import { seededRandom } from '../testing/random.js';

function seed(id: number, extra: Partial<PeerView> = {}): PeerView {
  return { id, bits: null, isSeed: true, choked: false, ...extra };
}

function peerWith(id: number, have: number[], pieces: number): PeerView {
  const bits = new Bitfield(pieces);
  for (const p of have) bits.set(p);
  return { id, bits, isSeed: false, choked: false };
}

function pick(picker: PiecePicker, p: PeerView, max: number): string[] {
  const out: BlockRequest[] = [];
  picker.pick(p, max, out);
  return out.map((r) => `${r.piece}:${r.begin / BLOCK_SIZE}`);
}

/** 20 pieces of 2 blocks, rarest-first would start anywhere (seeded). */
function setup(now: { t: number }): PiecePicker {
  const g = new PieceGeometry(20 * 2 * BLOCK_SIZE, 2 * BLOCK_SIZE);
  return new PiecePicker(g, { random: seededRandom(7), now: () => now.t });
}

describe('Deadlines', () => {
  it('keeps pieces earliest first, a piece listed twice at its earliest time, and drops the latest beyond capacity', () => {
    const d = new Deadlines(10, 3);
    d.replace([5, 2, 7, 2], [300, 200, 100, 50], 4);
    assert.deepEqual(Array.from(d.order.subarray(0, d.count)), [2, 7, 5]);
    assert.equal(d.at[2], 50);
    d.replace([1, 3, 4, 6], [40, 30, 20, 10], 4);
    assert.deepEqual(Array.from(d.order.subarray(0, d.count)), [6, 4, 3], 'the old set is gone; the latest (1) did not fit');
    assert.equal(d.at[5], Infinity);
    assert.equal(d.at[1], Infinity);
    d.replace([], [], 0);
    assert.equal(d.count, 0);
    assert.ok(d.at.every((t) => t === Infinity));
  });
});

describe('PiecePicker deadlines', () => {
  it('picks deadline pieces first, earliest deadline first, whatever their rarity or priority', () => {
    const now = { t: 1000 };
    const picker = setup(now);
    picker.setPiecePriority(0, 7);
    picker.setDeadlines([12, 9, 15], [3000, 2000, 4000], 3);
    assert.deepEqual(pick(picker, seed(1), 6), ['9:0', '9:1', '12:0', '12:1', '15:0', '15:1']);
    assert.deepEqual(pick(picker, seed(1), 2), ['0:0', '0:1'], 'then the usual order: priority 7 first');
    picker.checkInvariants();
  });

  it('a seek replaces the deadlines at once: the old window is no longer picked first', () => {
    const now = { t: 0 };
    const picker = setup(now);
    picker.setDeadlines([2, 3], [10, 20], 2);
    assert.deepEqual(pick(picker, seed(1), 1), ['2:0']);
    picker.setDeadlines([17, 18], [10, 20], 2);
    assert.deepEqual(pick(picker, seed(2), 3), ['17:0', '17:1', '18:0'], 'the new window first, before the old piece in progress');
    assert.deepEqual(pick(picker, seed(2), 2), ['18:1', '2:1'], 'then pieces in progress, as usual');
    picker.checkInvariants();
  });

  it('skips pieces the peer lacks, and peers marked not fit for critical pieces', () => {
    const now = { t: 0 };
    const picker = setup(now);
    picker.setDeadlines([4, 5], [10, 20], 2);
    assert.deepEqual(pick(picker, peerWith(1, [5, 6], 20), 2), ['5:0', '5:1']);
    const slow = pick(picker, seed(2, { critical: false }), 2);
    assert.ok(!slow.some((s) => s.startsWith('4:')), `a slow peer is kept off the deadline piece: ${slow}`);
    assert.deepEqual(pick(picker, seed(3), 2), ['4:0', '4:1']);
    picker.checkInvariants();
  });

  it('a late block is requested again from another peer (end game for that piece only), never twice from one', () => {
    const now = { t: 0 };
    const picker = setup(now);
    picker.setDeadlines([8], [500], 1);
    assert.deepEqual(pick(picker, seed(1), 2), ['8:0', '8:1']);
    assert.ok(!pick(picker, seed(2), 2).some((s) => s.startsWith('8:')), 'not late yet: no duplicate');
    now.t = 600;
    assert.deepEqual(pick(picker, seed(3), 2), ['8:0', '8:1'], 'late: another peer gets the blocks in flight');
    assert.ok(!pick(picker, seed(1), 2).some((s) => s.startsWith('8:')), 'never again from a peer that has them');
    assert.ok(!picker.inEndGame, 'the rest of the torrent is not in end game');
    picker.blockReceived(8, 0);
    assert.deepEqual([...picker.requestersOf(8, 0)].sort(), [1, 3], 'the other requester is the one to cancel');
    picker.requestCancelled(8, 0, 3);
    picker.checkInvariants();
  });
});
