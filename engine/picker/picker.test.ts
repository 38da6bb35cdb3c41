import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE, PieceGeometry } from '../common/geometry.js';
import { PiecePicker, type BlockRequest, type PeerView } from './picker.js';
import { seededRandom } from '../testing/random.js';

// ---------------------------------------------------------------- helpers

/** '1011' -> bitfield with pieces 0, 2, 3. */
function bf(s: string): Bitfield {
  const b = new Bitfield(s.length);
  for (let i = 0; i < s.length; i++) if (s[i] === '1') b.set(i);
  return b;
}

/** `pieces` pieces of `blocks` blocks each; the last piece has `lastBlocks` blocks (the last one half size). */
function geom(pieces: number, blocks = 1, lastBlocks = blocks): PieceGeometry {
  const pieceLength = blocks * BLOCK_SIZE;
  const total = (pieces - 1) * pieceLength + (lastBlocks - 1) * BLOCK_SIZE + BLOCK_SIZE / 2;
  return new PieceGeometry(total, pieceLength);
}

/** A peer: 'seed', or a bitfield string. */
function peer(id: number, bits: string | 'seed', extra: Partial<PeerView> = {}): PeerView {
  return bits === 'seed'
    ? { id, bits: null, isSeed: true, choked: false, ...extra }
    : { id, bits: bf(bits), isSeed: false, choked: false, ...extra };
}

const seeded = seededRandom;

/** Picks and returns the blocks as 'piece:block' strings. */
function pick(picker: PiecePicker, p: PeerView, max: number): string[] {
  const out: BlockRequest[] = [];
  const n = picker.pick(p, max, out);
  assert.equal(n, out.length);
  return out.map((r) => `${r.piece}:${r.begin / BLOCK_SIZE}`);
}

/** A picker whose availability is given as peer bitfield strings. */
function withPeers(g: PieceGeometry, bitfields: string[], seed = 1): PiecePicker {
  const picker = new PiecePicker(g, { random: seeded(seed) });
  for (const s of bitfields) picker.addPeerBitfield(bf(s));
  return picker;
}

function pieceOf(s: string): number {
  return Number(s.split(':')[0]);
}

// ---------------------------------------------------------------- tests

describe('PiecePicker availability', () => {
  it('counts bitfields and HAVEs per piece', () => {
    const picker = withPeers(geom(4), ['1100', '0110']);
    assert.deepEqual([0, 1, 2, 3].map((p) => picker.availability(p)), [1, 2, 1, 0]);
    picker.addPeerHave(3);
    assert.equal(picker.availability(3), 1);
    picker.removePeer(bf('0110'));
    assert.deepEqual([0, 1, 2, 3].map((p) => picker.availability(p)), [1, 1, 0, 1]);
    picker.checkInvariants();
  });

  it('counts a complete bitfield and have-all as seeds, and subtracts them again', () => {
    const picker = withPeers(geom(4), ['1000']);
    picker.addPeerHaveAll();
    picker.addPeerBitfield(bf('1111'));
    assert.equal(picker.seedCount, 2);
    assert.deepEqual([0, 1, 2, 3].map((p) => picker.availability(p)), [3, 2, 2, 2]);
    picker.removePeer('all');
    picker.removePeer(bf('1111'));
    assert.equal(picker.seedCount, 0);
    assert.deepEqual([0, 1, 2, 3].map((p) => picker.availability(p)), [1, 0, 0, 0]);
    picker.checkInvariants();
  });

  it('subtracts a peer that became complete through HAVEs correctly', () => {
    const picker = withPeers(geom(3), ['100']);
    const bits = bf('110');
    picker.addPeerBitfield(bits);
    bits.set(2);
    picker.addPeerHave(2); // now complete, but counted per piece
    assert.deepEqual([0, 1, 2].map((p) => picker.availability(p)), [2, 1, 1]);
    picker.removePeer(bits); // complete: subtracted as a seed although no seed was counted
    assert.deepEqual([0, 1, 2].map((p) => picker.availability(p)), [1, 0, 0]);
    picker.checkInvariants();
  });

  it('copies availability out for the piece map', () => {
    const picker = withPeers(geom(4), ['1100', '0100']);
    picker.addPeerHaveAll();
    assert.deepEqual([...picker.availabilityInto(new Uint32Array(4))], [2, 3, 1, 1]);
    assert.throws(() => picker.availabilityInto(new Uint32Array(3)), RangeError);
  });

  it('never goes negative on an unmatched remove', () => {
    const picker = withPeers(geom(3), []);
    picker.removePeer(bf('110'));
    picker.removePeer('all');
    assert.deepEqual([0, 1, 2].map((p) => picker.availability(p)), [0, 0, 0]);
    picker.checkInvariants();
  });

  it('grows its buckets past the initial size', () => {
    const picker = withPeers(geom(5), Array.from({ length: 40 }, (_, i) => (i % 2 ? '11100' : '11110')));
    assert.deepEqual([0, 1, 2, 3, 4].map((p) => picker.availability(p)), [40, 40, 40, 20, 0]);
    picker.checkInvariants();
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['4:0', '3:0']);
  });

  it('rejects bitfields of the wrong length and bad piece indices', () => {
    const picker = withPeers(geom(4), []);
    assert.throws(() => picker.addPeerBitfield(bf('101')), RangeError);
    assert.throws(() => picker.addPeerHave(4), RangeError);
    assert.throws(() => picker.addPeerHave(-1), RangeError);
  });
});

describe('PiecePicker rarest first', () => {
  it('picks the rarest pieces first', () => {
    const picker = withPeers(geom(5), ['11111', '11110', '11100', '11000'].slice(1).concat('10000'));
    // availability: [4, 3, 2, 1, 0]
    assert.deepEqual(pick(picker, peer(1, 'seed'), 5), ['4:0', '3:0', '2:0', '1:0', '0:0']);
  });

  it('only picks pieces the peer has', () => {
    const picker = withPeers(geom(4), ['1111', '0011']);
    assert.deepEqual(pick(picker, peer(1, '1010'), 4), ['0:0', '2:0']);
  });

  it('follows availability changes from HAVEs', () => {
    const picker = withPeers(geom(3), ['111']);
    picker.addPeerHave(0);
    picker.addPeerHave(1);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 1), ['2:0']);
    picker.removePeer(bf('111'));
    picker.addPeerHave(2);
    picker.addPeerHave(2);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['1:0', '0:0']);
  });

  it('breaks ties between equally rare pieces at random, uniformly', () => {
    const counts = [0, 0, 0, 0];
    const runs = 4000;
    for (let s = 0; s < runs; s++) {
      const picker = withPeers(geom(5), ['11110'], s);
      counts[pieceOf(pick(picker, peer(1, 'seed'), 1)[0])]++;
    }
    // piece 4 is rarest (0): always first. Then a second pick among the four ties:
    for (let s = 0; s < runs; s++) {
      const picker = withPeers(geom(5), ['11110'], s + runs);
      const [, second] = pick(picker, peer(1, 'seed'), 2);
      counts[pieceOf(second)]++;
    }
    // first loop put all 4000 on piece 4 (index out of counts range is ignored): check the ties
    const expected = runs / 4;
    for (let p = 0; p < 4; p++) assert.ok(Math.abs(counts[p] - expected) < expected * 0.1, `piece ${p}: ${counts[p]}`);
  });

  it('shuffles pieces that move into a bucket too', () => {
    const counts = new Array<number>(8).fill(0);
    const runs = 4000;
    for (let s = 0; s < runs; s++) {
      const picker = new PiecePicker(geom(8), { random: seeded(s) });
      // pieces arrive one at a time, always in the same order
      for (let p = 0; p < 8; p++) picker.addPeerHave(p);
      counts[pieceOf(pick(picker, peer(1, 'seed'), 1)[0])]++;
    }
    const expected = runs / 8;
    for (let p = 0; p < 8; p++) assert.ok(Math.abs(counts[p] - expected) < expected * 0.2, `piece ${p}: ${counts[p]}`);
  });

  it('is deterministic for a given random source', () => {
    const a = pick(withPeers(geom(50), [], 7), peer(1, 'seed'), 50);
    const b = pick(withPeers(geom(50), [], 7), peer(1, 'seed'), 50);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, 50);
  });
});

describe('PiecePicker partial pieces', () => {
  it('finishes pieces in progress before starting rarer ones', () => {
    const picker = withPeers(geom(3, 4), ['110']); // piece 2 rarest
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['2:0', '2:1']);
    picker.addPeerHave(2);
    picker.addPeerHave(2); // piece 2 now the most common, 0 and 1 rarer
    const got = pick(picker, peer(2, 'seed'), 3);
    assert.deepEqual(got.slice(0, 2), ['2:2', '2:3']);
    assert.ok(got[2] === '0:0' || got[2] === '1:0', got[2]);
  });

  it('prefers in-progress pieces this peer can serve', () => {
    const picker = withPeers(geom(3, 2), ['111', '011']); // piece 0 rarest
    assert.deepEqual(pick(picker, peer(1, '100'), 1), ['0:0']);
    // peer 2 lacks piece 0: starts the rarest piece it has
    const got = pick(picker, peer(2, '011'), 1);
    assert.ok(got[0] === '1:0' || got[0] === '2:0');
    // peer 3 has everything: continues piece 0, then the other started piece
    const other = pieceOf(got[0]);
    assert.deepEqual(pick(picker, peer(3, 'seed'), 2), ['0:1', `${other}:1`]);
  });

  it('hands a block to one peer only outside end game', () => {
    const picker = withPeers(geom(3, 3), []);
    const seen = new Set<string>();
    for (let id = 0; id < 9; id++) {
      const got = pick(picker, peer(id, 'seed'), 1);
      assert.equal(got.length, 1);
      assert.ok(!seen.has(got[0]), `picked ${got[0]} twice`);
      seen.add(got[0]);
    }
    assert.equal(seen.size, 9);
    picker.checkInvariants();
  });

  it('puts cancelled blocks back in the pool and forgets empty partials', () => {
    const picker = withPeers(geom(2, 2), ['01']);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['0:0', '0:1']);
    picker.requestCancelled(0, BLOCK_SIZE, 1);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 1), ['0:1']);
    picker.requestCancelled(0, 0, 1);
    picker.requestCancelled(0, BLOCK_SIZE); // every requester
    picker.checkInvariants();
    assert.deepEqual(picker.requestersOf(0, 0), []);
    assert.deepEqual(pick(picker, peer(3, 'seed'), 2), ['0:0', '0:1']);
    picker.requestCancelled(5, 0); // unknown: ignored
    picker.requestCancelled(1, 0); // not requested: ignored
    picker.checkInvariants();
  });

  it('reports completion on the last block and duplicates after', () => {
    const picker = withPeers(geom(2, 2, 2), []);
    pick(picker, peer(1, 'seed'), 4);
    assert.deepEqual(picker.blockReceived(1, 0), { duplicate: false, pieceComplete: false });
    assert.deepEqual(picker.blockReceived(1, 0), { duplicate: true, pieceComplete: false });
    assert.deepEqual(picker.blockReceived(1, BLOCK_SIZE), { duplicate: false, pieceComplete: true });
    assert.deepEqual(picker.blockReceived(1, 3), { duplicate: true, pieceComplete: false }); // not a block start
    assert.deepEqual(picker.blockReceived(1, 2 * BLOCK_SIZE), { duplicate: true, pieceComplete: false }); // past the end
    assert.deepEqual(picker.blockReceived(9, 0), { duplicate: true, pieceComplete: false });
    picker.pieceVerified(1);
    assert.deepEqual(picker.blockReceived(1, 0), { duplicate: true, pieceComplete: false });
    assert.ok(picker.have(1));
    assert.equal(picker.haveCount, 1);
    picker.checkInvariants();
  });

  it('gives the last, short block its real length', () => {
    const picker = withPeers(geom(1, 3, 2), []);
    const out: BlockRequest[] = [];
    picker.pick(peer(1, 'seed'), 5, out);
    assert.deepEqual(out, [
      { piece: 0, begin: 0, length: BLOCK_SIZE },
      { piece: 0, begin: BLOCK_SIZE, length: BLOCK_SIZE / 2 },
    ]);
  });

  it('resets a failed piece: every block missing again', () => {
    const picker = withPeers(geom(2, 2), ['10']); // piece 1 rarest
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['1:0', '1:1']);
    picker.blockReceived(1, 0);
    assert.equal(picker.blockReceived(1, BLOCK_SIZE).pieceComplete, true);
    picker.pieceFailed(1);
    picker.checkInvariants();
    assert.equal(picker.have(1), false);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), ['1:0', '1:1']);
    assert.equal(picker.blockReceived(1, 0).duplicate, false);
    picker.checkInvariants();
  });

  it('accepts an unrequested block of a piece still needed', () => {
    const picker = withPeers(geom(2, 2), []);
    assert.deepEqual(picker.blockReceived(0, BLOCK_SIZE), { duplicate: false, pieceComplete: false });
    assert.deepEqual(pick(picker, peer(1, 'seed'), 1), ['0:0']);
    picker.checkInvariants();
  });
});

describe('PiecePicker end game', () => {
  it('starts when every missing block is requested and duplicates to other peers only', () => {
    const picker = withPeers(geom(2, 1), []);
    assert.equal(picker.inEndGame, false);
    const a = pick(picker, peer(1, 'seed'), 10);
    assert.equal(a.length, 2);
    assert.equal(picker.inEndGame, true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), [], 'never the same block twice to one peer');
    assert.deepEqual(pick(picker, peer(2, 'seed'), 10).sort(), ['0:0', '1:0']);
    assert.deepEqual(pick(picker, peer(3, 'seed'), 1).length, 1);
    assert.deepEqual(picker.requestersOf(0, 0).length + picker.requestersOf(1, 0).length, 5);
    picker.checkInvariants();
  });

  it('caps the duplicates per block and prefers the least requested blocks', () => {
    const picker = withPeers(geom(2, 1), [], 3);
    pick(picker, peer(1, 'seed'), 2);
    // peer 2 takes one duplicate; peer 3 must take the other block first (fewest requesters)
    const [b2] = pick(picker, peer(2, 'seed'), 1);
    const [b3] = pick(picker, peer(3, 'seed'), 1);
    assert.notEqual(b2, b3);
    assert.deepEqual(pick(picker, peer(4, 'seed'), 5).length, 2); // third requester of each
    assert.deepEqual(pick(picker, peer(5, 'seed'), 5), []); // cap: 1 + 2 duplicates
    assert.deepEqual(picker.requestersOf(0, 0).slice().sort(), [1, b2 === '0:0' ? 2 : 3, 4].sort());
  });

  it('honours maxDuplicates', () => {
    const picker = new PiecePicker(geom(1), { maxDuplicates: 0 });
    pick(picker, peer(1, 'seed'), 1);
    assert.equal(picker.inEndGame, true);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 1), []);
  });

  it('tells who else requested a block, and keeps the block requested while one request remains', () => {
    const picker = withPeers(geom(1, 2), []);
    pick(picker, peer(1, 'seed'), 2);
    pick(picker, peer(2, 'seed'), 2);
    assert.deepEqual(picker.requestersOf(0, 0), [1, 2]);
    picker.requestCancelled(0, 0, 1); // peer 1 choked us
    assert.deepEqual(picker.requestersOf(0, 0), [2]);
    assert.equal(picker.inEndGame, true, 'still requested by peer 2');
    assert.deepEqual(pick(picker, peer(3, 'seed'), 1), ['0:0']);
    const r = picker.blockReceived(0, BLOCK_SIZE);
    assert.deepEqual(r, { duplicate: false, pieceComplete: false });
    assert.deepEqual(picker.requestersOf(0, BLOCK_SIZE), [1, 2], 'kept after arrival so the torrent can cancel the others');
    picker.requestCancelled(0, BLOCK_SIZE, 2);
    assert.deepEqual(picker.requestersOf(0, BLOCK_SIZE), [1]);
    assert.equal(picker.blockReceived(0, 0).pieceComplete, true);
    picker.pieceVerified(0);
    assert.deepEqual(picker.requestersOf(0, 0), []);
    assert.equal(picker.inEndGame, false);
    assert.equal(picker.complete, true);
    picker.checkInvariants();
  });

  it('ends when a cancelled block is missing again', () => {
    const picker = withPeers(geom(1, 2), []);
    pick(picker, peer(1, 'seed'), 2);
    assert.equal(picker.inEndGame, true);
    picker.requestCancelled(0, 0, 1);
    assert.equal(picker.inEndGame, false);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 2), ['0:0', '0:1'], 'the missing block, then end game again: a duplicate');
  });
});

describe('PiecePicker choke and allowed fast', () => {
  it('picks nothing from a choking peer without allowed-fast pieces', () => {
    const picker = withPeers(geom(4), []);
    assert.deepEqual(pick(picker, peer(1, 'seed', { choked: true }), 4), []);
    assert.deepEqual(pick(picker, peer(1, 'seed', { choked: true, allowedFast: new Set() }), 4), []);
  });

  it('picks only allowed-fast pieces the peer has while choked', () => {
    const picker = withPeers(geom(6, 2), ['000001']);
    const p = peer(1, '011110', { choked: true, allowedFast: new Set([0, 2, 5, 99, -1]) });
    assert.deepEqual(pick(picker, p, 10), ['2:0', '2:1']);
    picker.pieceVerified(2);
    assert.deepEqual(pick(picker, p, 10), []);
  });

  it('orders allowed-fast pieces: priority, then in progress, then rarest', () => {
    const picker = withPeers(geom(4, 2), ['1100', '1000']); // avail 2 1 0 0
    pick(picker, peer(9, '1000'), 1); // piece 0 in progress
    const p = peer(1, 'seed', { choked: true, allowedFast: new Set([0, 1, 3]) });
    assert.deepEqual(pick(picker, p, 5), ['0:1', '3:0', '3:1', '1:0', '1:1']);
  });
});

describe('PiecePicker priorities', () => {
  it('picks higher priority first and never priority 0', () => {
    const picker = withPeers(geom(4), ['0111', '0011', '0001']); // 0 rarest, 3 commonest
    picker.setPiecePriority(0, 0);
    picker.setPiecePriority(3, 7);
    assert.equal(picker.priority(3), 7);
    assert.equal(picker.wantedPiecesLeft, 3);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), ['3:0', '1:0', '2:0']);
    assert.equal(picker.inEndGame, true, 'skipped pieces do not hold back the end game');
    picker.checkInvariants();
    picker.setPiecePriority(0, 1);
    assert.equal(picker.inEndGame, false);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), ['0:0']);
    assert.throws(() => picker.setPiecePriority(0, 8 as never), RangeError);
    picker.checkInvariants();
  });

  it('keeps partial pieces below a higher-priority piece', () => {
    const picker = withPeers(geom(3, 2), []);
    const [first] = pick(picker, peer(1, 'seed'), 1);
    const other = [0, 1, 2].find((p) => p !== pieceOf(first))!;
    picker.setPiecePriority(other, 6);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 3), [`${other}:0`, `${other}:1`, `${pieceOf(first)}:1`]);
    picker.checkInvariants();
  });

  it('sets every priority at once', () => {
    const picker = withPeers(geom(5, 2), ['11111']);
    pick(picker, peer(1, '10000'), 1); // piece 0 in progress, then skipped
    picker.pieceVerified(4);
    picker.setPiecePriorities([0, 0, 7, 1, 0]);
    picker.checkInvariants();
    assert.equal(picker.wantedPiecesLeft, 2);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 10), ['2:0', '2:1', '3:0', '3:1']);
    picker.checkInvariants();
  });

  it('tells whether a peer is interesting', () => {
    const picker = withPeers(geom(10), []);
    assert.equal(picker.isInteresting(bf('0000000000')), false);
    assert.equal(picker.isInteresting(bf('0000000001')), true);
    picker.setPiecePriority(9, 0);
    assert.equal(picker.isInteresting(bf('0000000001')), false);
    picker.pieceVerified(8);
    assert.equal(picker.isInteresting(bf('0000000011')), false);
    assert.equal(picker.isInteresting(null), true);
  });
});

describe('PiecePicker own state', () => {
  it('starts from a have bitfield', () => {
    const picker = new PiecePicker(geom(4), { have: bf('1011') });
    assert.equal(picker.haveCount, 3);
    assert.equal(picker.complete, false);
    assert.equal(picker.wantedPiecesLeft, 1);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), ['1:0']);
    picker.pieceVerified(1);
    assert.equal(picker.complete, true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), []);
    picker.checkInvariants();
  });

  it('handles an empty torrent', () => {
    const picker = new PiecePicker(new PieceGeometry(0, BLOCK_SIZE));
    assert.equal(picker.complete, true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), []);
  });

  it('constructs 100,000 pieces fast and picks from a seed without scanning them', () => {
    const g = new PieceGeometry(100_000 * 4 * BLOCK_SIZE, 4 * BLOCK_SIZE);
    let t = performance.now();
    const picker = new PiecePicker(g);
    const built = performance.now() - t;
    // Speed is a benchmark's business, not a unit test's (a busy machine fails any wall-clock bound): report it only.
    console.log(`# construction of 100,000 pieces: ${built.toFixed(1)} ms`);
    // a bitfield of half the pieces from 20 peers, then a seed
    const half = new Bitfield(100_000);
    for (let p = 0; p < 100_000; p += 2) half.set(p);
    for (let i = 0; i < 20; i++) picker.addPeerBitfield(half);
    picker.addPeerHaveAll();
    const seed = peer(1, 'seed');
    const out: BlockRequest[] = [];
    t = performance.now();
    for (let i = 0; i < 20_000; i++) {
      out.length = 0;
      picker.pick(seed, 4, out);
      for (const r of out) picker.blockReceived(r.piece, r.begin);
      picker.pieceVerified(out[0].piece);
    }
    const picking = performance.now() - t;
    console.log(`# 20,000 picks: ${picking.toFixed(0)} ms`);
    assert.equal(picker.haveCount, 20_000);
    // rarest first: the odd pieces (availability 1) went first
    let evenHad = 0;
    for (let p = 0; p < 100_000; p += 2) if (picker.have(p)) evenHad++;
    assert.equal(evenHad, 0);
    picker.checkInvariants();
  });
});

describe('PiecePicker sequential mode', () => {
  it('picks the lowest-index pieces first, ignoring rarity', () => {
    const picker = withPeers(geom(6, 2), ['111110', '111100', '000001']); // 5 rarest, 0..3 commonest
    picker.setSequential(true);
    assert.equal(picker.sequential, true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 5), ['0:0', '0:1', '1:0', '1:1', '2:0']);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 3), ['2:1', '3:0', '3:1']);
    picker.checkInvariants();
  });

  it('skips priority 0 and had pieces, and still takes higher priorities first', () => {
    const picker = new PiecePicker(geom(8), { random: seeded(3), have: bf('10000000'), sequential: true });
    picker.setPiecePriority(1, 0);
    picker.setPiecePriority(3, 0);
    picker.setPiecePriority(6, 7);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 10), ['6:0', '2:0', '4:0', '5:0', '7:0']);
    picker.checkInvariants();
  });

  it('from a peer that lacks the next pieces, picks the lowest it has', () => {
    const picker = withPeers(geom(20), []);
    picker.setSequential(true);
    assert.deepEqual(pick(picker, peer(1, '00000000000000010011'), 10), ['15:0', '18:0', '19:0']);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 2), ['0:0', '1:0']);
    picker.checkInvariants();
  });

  it('finishes pieces in progress first', () => {
    const picker = withPeers(geom(6, 2), []);
    pick(picker, peer(9, '000010'), 1); // piece 4 in progress (started from a peer with only piece 4)
    picker.setSequential(true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 3), ['4:1', '0:0', '0:1']);
    picker.checkInvariants();
  });

  it('picks a cancelled or failed lower piece again before going on', () => {
    const picker = withPeers(geom(6, 2), []);
    picker.setSequential(true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 6), ['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
    picker.requestCancelled(1, 0, 1);
    picker.requestCancelled(1, BLOCK_SIZE, 1); // piece 1 fresh again
    picker.blockReceived(0, 0);
    picker.blockReceived(0, BLOCK_SIZE);
    picker.pieceFailed(0); // piece 0 fresh again
    picker.checkInvariants();
    assert.deepEqual(pick(picker, peer(2, 'seed'), 6), ['0:0', '0:1', '1:0', '1:1', '3:0', '3:1']);
    picker.checkInvariants();
  });

  it('follows a priority change below the cursor', () => {
    const picker = withPeers(geom(5), []);
    picker.setSequential(true);
    picker.setPiecePriority(1, 0);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 3), ['0:0', '2:0', '3:0']);
    picker.setPiecePriority(1, 4);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 3), ['1:0', '4:0']);
    picker.setPiecePriorities([4, 4, 4, 4, 4]);
    picker.checkInvariants();
  });

  it('still enters end game', () => {
    const picker = withPeers(geom(3, 2), []);
    picker.setSequential(true);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 6), ['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
    assert.equal(picker.inEndGame, true);
    assert.deepEqual(pick(picker, peer(2, 'seed'), 2), ['0:0', '0:1']);
    assert.deepEqual(picker.requestersOf(0, 0), [1, 2]);
    assert.deepEqual(pick(picker, peer(1, 'seed'), 2), [], 'never the same block twice to one peer');
    picker.checkInvariants();
  });

  it('switches on and off', () => {
    // availability 3 2 1 0 0 0 ... : piece 0 is the commonest
    const picker = withPeers(geom(8), ['11100000', '11000000', '10000000']);
    const seed = peer(1, 'seed');
    const first = pick(picker, seed, 1);
    assert.notEqual(pieceOf(first[0]), 0, 'rarest first picks one of the pieces nobody has');
    picker.setSequential(true);
    const seq = pick(picker, seed, 3).map(pieceOf);
    assert.deepEqual(seq, [0, 1, 2]);
    picker.setSequential(false);
    assert.equal(picker.sequential, false);
    const rest = pick(picker, seed, 10).map(pieceOf);
    assert.equal(rest.length, 4);
    assert.ok(!rest.includes(0) && !rest.includes(pieceOf(first[0])));
    picker.checkInvariants();
    picker.setSequential(true);
    picker.setSequential(true); // idempotent
    picker.checkInvariants();
  });

  it('orders allowed-fast pieces by index while choked', () => {
    const picker = withPeers(geom(6), ['000011']);
    picker.setSequential(true);
    const p = peer(1, 'seed', { choked: true, allowedFast: new Set([5, 3, 1]) });
    assert.deepEqual(pick(picker, p, 3), ['1:0', '3:0', '5:0']);
  });

  it('downloads 100,000 pieces in order without rescanning', () => {
    const g = new PieceGeometry(100_000 * BLOCK_SIZE, BLOCK_SIZE);
    const picker = new PiecePicker(g, { sequential: true });
    picker.addPeerHaveAll();
    const tail = new Bitfield(100_000);
    for (let p = 99_990; p < 100_000; p++) tail.set(p);
    picker.addPeerBitfield(tail);
    const seed = peer(1, 'seed');
    const sparse: PeerView = { id: 2, bits: tail, isSeed: false, choked: false };
    const out: BlockRequest[] = [];
    const t = performance.now();
    let expect = 0;
    for (let i = 0; i < 50_000; i++) {
      out.length = 0;
      picker.pick(seed, 1, out);
      assert.equal(out[0].piece, expect++);
      picker.blockReceived(out[0].piece, 0);
      picker.pieceVerified(out[0].piece);
      if (i % 1000 === 0) {
        // a peer with only the last pieces: found by skipping whole bytes of its bitfield
        out.length = 0;
        picker.pick(sparse, 1, out);
        assert.ok(out[0].piece >= 99_990);
        picker.requestCancelled(out[0].piece, 0, 2);
      }
    }
    const ms = performance.now() - t;
    console.log(`# 50,000 sequential picks: ${ms.toFixed(0)} ms`);
    picker.checkInvariants();
  });

  it('picks in (priority, index) order whatever the priorities, had pieces and cancels', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ prio: fc.integer({ min: 0, max: 7 }), had: fc.boolean(), cancel: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        (spec) => {
          const n = spec.length;
          const have = new Bitfield(n);
          spec.forEach((x, i) => x.had && have.set(i));
          const picker = new PiecePicker(new PieceGeometry(n * BLOCK_SIZE, BLOCK_SIZE), { have, sequential: true });
          picker.setPiecePriorities(spec.map((x) => x.prio));
          const expected = spec
            .map((x, i) => ({ ...x, i }))
            .filter((x) => !x.had && x.prio > 0)
            .sort((a, b) => b.prio - a.prio || a.i - b.i)
            .map((x) => x.i);
          const got: number[] = [];
          const cancelled = new Set<number>();
          const out: BlockRequest[] = [];
          for (let guard = 0; guard < 3 * n + 3; guard++) {
            out.length = 0;
            if (picker.pick(peer(1, 'seed'), 1, out) === 0) break;
            const p = out[0].piece;
            if (spec[p].cancel && !cancelled.has(p)) {
              // cancelled once: it must come straight back
              cancelled.add(p);
              picker.requestCancelled(p, 0, 1);
              picker.checkInvariants();
              continue;
            }
            got.push(p);
            picker.blockReceived(p, 0);
            picker.pieceVerified(p);
          }
          assert.deepEqual(got, expected);
          picker.checkInvariants();
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- random operation sequences

type Op =
  | { t: 'bitfield'; bits: boolean[] }
  | { t: 'haveAll' }
  | { t: 'have'; peer: number; piece: number }
  | { t: 'remove'; peer: number }
  | { t: 'pick'; peer: number; max: number; choked: boolean; fast: readonly number[] }
  | { t: 'receive'; pick: number }
  | { t: 'cancel'; pick: number }
  | { t: 'verify'; pick: number; ok: boolean }
  | { t: 'priority'; piece: number; priority: number }
  | { t: 'priorities'; values: number[] }
  | { t: 'sequential'; on: boolean };

const MAX_PIECES = 12;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('bitfield' as const), bits: fc.array(fc.boolean(), { minLength: MAX_PIECES, maxLength: MAX_PIECES }) }),
  fc.record({ t: fc.constant('haveAll' as const) }),
  fc.record({ t: fc.constant('have' as const), peer: fc.nat(), piece: fc.nat() }),
  fc.record({ t: fc.constant('remove' as const), peer: fc.nat() }),
  fc.record({
    t: fc.constant('pick' as const),
    peer: fc.nat(),
    max: fc.integer({ min: 0, max: 6 }),
    choked: fc.boolean(),
    fast: fc.array(fc.nat({ max: MAX_PIECES - 1 }), { maxLength: 3 }),
  }),
  fc.record({ t: fc.constant('pick' as const), peer: fc.nat(), max: fc.integer({ min: 1, max: 6 }), choked: fc.constant(false), fast: fc.constant([]) }),
  fc.record({ t: fc.constant('receive' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('receive' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('verify' as const), pick: fc.nat(), ok: fc.boolean() }),
  fc.record({ t: fc.constant('priority' as const), piece: fc.nat(), priority: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    t: fc.constant('priorities' as const),
    values: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: MAX_PIECES, maxLength: MAX_PIECES }),
  }),
  fc.record({ t: fc.constant('sequential' as const), on: fc.boolean() }),
);

interface ModelPeer {
  id: number;
  bits: Bitfield | 'all';
  outstanding: Set<string>; // 'piece:begin'
}

function runScenario(pieces: number, blocks: number, lastBlocks: number, seed: number, ops: Op[]): void {
  const g = geom(pieces, blocks, lastBlocks);
  const picker = new PiecePicker(g, { random: seeded(seed) });
  const peers: ModelPeer[] = [];
  const received = new Set<string>();
  const complete = new Set<number>(); // pieces with every block received, waiting for a verdict
  let nextId = 1;
  const key = (piece: number, begin: number) => `${piece}:${begin}`;

  for (const op of ops) {
    switch (op.t) {
      case 'bitfield': {
        const bits = new Bitfield(pieces);
        for (let p = 0; p < pieces; p++) if (op.bits[p]) bits.set(p);
        picker.addPeerBitfield(bits);
        peers.push({ id: nextId++, bits, outstanding: new Set() });
        break;
      }
      case 'haveAll':
        picker.addPeerHaveAll();
        peers.push({ id: nextId++, bits: 'all', outstanding: new Set() });
        break;
      case 'have': {
        if (peers.length === 0) break;
        const p = peers[op.peer % peers.length];
        const piece = op.piece % pieces;
        if (p.bits === 'all' || p.bits.has(piece)) break;
        p.bits.set(piece);
        picker.addPeerHave(piece);
        break;
      }
      case 'remove': {
        if (peers.length === 0) break;
        const [p] = peers.splice(op.peer % peers.length, 1);
        for (const k of p.outstanding) {
          const [piece, begin] = k.split(':').map(Number);
          picker.requestCancelled(piece, begin, p.id);
        }
        picker.removePeer(p.bits);
        break;
      }
      case 'pick': {
        if (peers.length === 0) break;
        const p = peers[op.peer % peers.length];
        const view: PeerView = {
          id: p.id,
          bits: p.bits === 'all' ? null : p.bits,
          isSeed: p.bits === 'all' || p.bits.complete,
          choked: op.choked,
          allowedFast: new Set(op.fast.map((f) => f % pieces)),
        };
        const wasEndGame = picker.inEndGame;
        const out: BlockRequest[] = [];
        const n = picker.pick(view, op.max, out);
        assert.equal(n, out.length);
        assert.ok(n <= op.max);
        for (const r of out) {
          const k = key(r.piece, r.begin);
          assert.ok(!p.outstanding.has(k), `block ${k} handed twice to peer ${p.id}`);
          assert.ok(!received.has(k), `received block ${k} picked`);
          assert.ok(!picker.have(r.piece), `had piece ${r.piece} picked`);
          assert.ok(picker.priority(r.piece) > 0, `skipped piece ${r.piece} picked`);
          assert.ok(p.bits === 'all' || p.bits.has(r.piece), 'peer lacks the piece');
          if (op.choked) assert.ok(view.allowedFast!.has(r.piece), 'choked peer, not allowed fast');
          assert.equal(r.begin % BLOCK_SIZE, 0);
          assert.equal(r.length, g.blockSize(r.piece, r.begin / BLOCK_SIZE));
          const others = peers.filter((q) => q.outstanding.has(k)).length;
          if (others > 0) assert.ok(wasEndGame || picker.inEndGame, `duplicate ${k} outside end game`);
          assert.ok(others <= 2);
          p.outstanding.add(k);
          assert.ok(picker.requestersOf(r.piece, r.begin).includes(p.id));
        }
        break;
      }
      case 'receive':
      case 'cancel': {
        const all = peers.flatMap((p) => [...p.outstanding].map((k) => [p, k] as const));
        if (all.length === 0) break;
        const [p, k] = all[op.pick % all.length];
        const [piece, begin] = k.split(':').map(Number);
        p.outstanding.delete(k);
        if (op.t === 'cancel') {
          picker.requestCancelled(piece, begin, p.id);
          break;
        }
        const r = picker.blockReceived(piece, begin);
        assert.equal(r.duplicate, received.has(k) || picker.have(piece));
        if (!r.duplicate) {
          received.add(k);
          const requesters = picker.requestersOf(piece, begin);
          assert.ok(requesters.includes(p.id));
          for (const q of peers) {
            if (q !== p && q.outstanding.delete(k)) {
              assert.ok(requesters.includes(q.id));
              picker.requestCancelled(piece, begin, q.id);
            }
          }
        }
        const allIn = Array.from({ length: g.blocksInPiece(piece) }, (_, b) => received.has(key(piece, b * BLOCK_SIZE))).every(Boolean);
        assert.equal(r.pieceComplete, !r.duplicate && allIn);
        if (r.pieceComplete) complete.add(piece);
        break;
      }
      case 'verify': {
        if (complete.size === 0) break;
        const list = [...complete];
        const piece = list[op.pick % list.length];
        complete.delete(piece);
        for (let b = 0; b < g.blocksInPiece(piece); b++) received.delete(key(piece, b * BLOCK_SIZE));
        if (op.ok) {
          picker.pieceVerified(piece);
          assert.ok(picker.have(piece));
        } else {
          picker.pieceFailed(piece);
        }
        for (const q of peers) {
          for (const k of q.outstanding) {
            if (Number(k.split(':')[0]) === piece) {
              q.outstanding.delete(k);
              picker.requestCancelled(piece, Number(k.split(':')[1]), q.id);
            }
          }
        }
        break;
      }
      case 'priority':
        picker.setPiecePriority(op.piece % pieces, op.priority as never);
        break;
      case 'priorities':
        picker.setPiecePriorities(op.values.slice(0, pieces));
        break;
      case 'sequential':
        picker.setSequential(op.on);
        break;
    }
    picker.checkInvariants();
    for (let piece = 0; piece < pieces; piece++) {
      const expected = peers.filter((p) => p.bits === 'all' || p.bits.has(piece)).length;
      assert.equal(picker.availability(piece), expected, `availability of ${piece}`);
    }
    let had = 0;
    for (let piece = 0; piece < pieces; piece++) if (picker.have(piece)) had++;
    assert.equal(picker.haveCount, had);
  }
}

describe('PiecePicker random operation sequences', () => {
  it('keeps its invariants', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PIECES }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        fc.array(opArb, { minLength: 20, maxLength: 150, size: 'max' }),
        (pieces, blocks, last, seed, ops) => runScenario(pieces, blocks, Math.min(last, blocks), seed, ops),
      ),
      { numRuns: 300 },
    );
  });

  it('downloads everything when peers behave', () => {
    // Every peer is a seed; repeat pick/receive/verify until complete.
    const g = geom(30, 3, 2);
    const picker = new PiecePicker(g, { random: seeded(5) });
    for (let i = 0; i < 3; i++) picker.addPeerHaveAll();
    const out: BlockRequest[] = [];
    let rounds = 0;
    while (!picker.complete && rounds++ < 1000) {
      for (let id = 1; id <= 3; id++) {
        out.length = 0;
        picker.pick(peer(id, 'seed'), 5, out);
        for (const r of out) {
          const res = picker.blockReceived(r.piece, r.begin);
          if (res.pieceComplete) picker.pieceVerified(r.piece);
        }
      }
    }
    assert.equal(picker.complete, true);
    picker.checkInvariants();
  });
});
