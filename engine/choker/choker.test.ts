import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../common/clock.js';
import { initialChokerState, runChoker, type ChokerPeer, type ChokerState } from './choker.js';
import { seededRandom } from '../testing/random.js';

const seeded = seededRandom;

const HOUR = 3_600_000;

/** An interested, long-connected leecher; override what the test is about. */
function peer(id: number, extra: Partial<ChokerPeer> = {}): ChokerPeer {
  return {
    id,
    interested: true,
    downloadRate: 0,
    uploadRate: 0,
    snubbed: false,
    connectedAt: -HOUR,
    isSeed: false,
    unchoked: false,
    ...extra,
  };
}

function sorted(s: Set<number>): number[] {
  return [...s].sort((a, b) => a - b);
}

/** Runs the choker repeatedly like the torrent: feeds back the state and the unchoked flags. */
class Harness {
  state: ChokerState = initialChokerState();
  readonly clock = new ManualClock(0);
  constructor(
    public peers: ChokerPeer[],
    readonly seeding = false,
    readonly random = seeded(1),
  ) {}
  run(): { unchoke: Set<number>; optimisticId: number | null } {
    const r = runChoker(this.peers, { slots: 4, seeding: this.seeding, now: this.clock.now(), random: this.random }, this.state);
    this.state = r.state;
    this.peers = this.peers.map((p) => ({ ...p, unchoked: r.unchoke.has(p.id), optimistic: p.id === r.optimisticId }));
    return r;
  }
}

describe('runChoker regular slots', () => {
  it('unchokes the three best uploaders to us plus one optimistic', () => {
    const peers = [10, 50, 20, 40, 30, 0].map((rate, i) => peer(i + 1, { downloadRate: rate }));
    const r = runChoker(peers, { slots: 4, seeding: false, now: 0, random: seeded(2) }, initialChokerState());
    assert.equal(r.unchoke.size, 4);
    for (const id of [2, 4, 5]) assert.ok(r.unchoke.has(id), `peer ${id} (top rate) unchoked`);
    assert.ok(r.optimisticId !== null && [1, 3, 6].includes(r.optimisticId));
    assert.ok(r.unchoke.has(r.optimisticId!));
    assert.deepEqual(r.state, { optimisticId: r.optimisticId, lastOptimisticAt: 0 });
  });

  it('gives no slot to uninterested peers', () => {
    const peers = [peer(1, { downloadRate: 100, interested: false }), peer(2, { downloadRate: 1 }), peer(3, { interested: false })];
    const r = runChoker(peers, { slots: 4, seeding: false, now: 0, random: seeded(1) }, initialChokerState());
    assert.deepEqual(sorted(r.unchoke), [2]);
    assert.equal(r.optimisticId, null, 'peer 2 took a regular slot; nobody left for the optimistic one');
  });

  it('does not unchoke snubbed peers by rate, only optimistically', () => {
    const peers = [
      peer(1, { downloadRate: 1000, snubbed: true }),
      peer(2, { downloadRate: 10 }),
      peer(3, { downloadRate: 5 }),
      peer(4, { downloadRate: 1 }),
    ];
    const r = runChoker(peers, { slots: 4, seeding: false, now: 0, random: seeded(1) }, initialChokerState());
    assert.deepEqual(sorted(r.unchoke), [1, 2, 3, 4]);
    assert.equal(r.optimisticId, 1, 'the snubbed peer is the only one left: the optimistic unchoke');
    const more = [...peers, peer(5, { downloadRate: 2 })];
    const r2 = runChoker(more, { slots: 4, seeding: false, now: 0, random: seeded(1) }, initialChokerState());
    assert.deepEqual(sorted(r2.unchoke).filter((id) => id !== r2.optimisticId), [2, 3, 5]);
  });

  it('ranks by upload rate while seeding and never unchokes seeds', () => {
    const peers = [
      peer(1, { uploadRate: 500, downloadRate: 0 }),
      peer(2, { uploadRate: 10, downloadRate: 900 }),
      peer(3, { uploadRate: 300 }),
      peer(4, { uploadRate: 900, isSeed: true }),
      peer(5, { uploadRate: 200 }),
      peer(6, { uploadRate: 0, isSeed: true }),
    ];
    for (let s = 0; s < 50; s++) {
      const r = runChoker(peers, { slots: 4, seeding: true, now: 0, random: seeded(s) }, initialChokerState());
      assert.deepEqual(sorted(r.unchoke).filter((id) => id !== r.optimisticId), [1, 3, 5]);
      assert.equal(r.optimisticId, 2);
      assert.ok(!r.unchoke.has(4) && !r.unchoke.has(6));
    }
  });

  it('breaks rate ties in favour of peers already unchoked, then at random', () => {
    const peers = [1, 2, 3, 4, 5, 6].map((id) => peer(id, { unchoked: id >= 4 }));
    const r = runChoker(peers, { slots: 4, seeding: false, now: 0, random: seeded(3) }, initialChokerState());
    assert.deepEqual(sorted(r.unchoke).filter((id) => id !== r.optimisticId), [4, 5, 6]);
    const fresh = [1, 2, 3, 4, 5, 6].map((id) => peer(id));
    const seen = new Set<number>();
    for (let s = 0; s < 50; s++) {
      const rr = runChoker(fresh, { slots: 2, seeding: false, now: 0, random: seeded(s) }, initialChokerState());
      for (const id of rr.unchoke) if (id !== rr.optimisticId) seen.add(id);
    }
    assert.equal(seen.size, 6, 'every tied peer wins the regular slot sometimes');
  });

  it('honours the slot count', () => {
    const peers = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => peer(id, { downloadRate: id }));
    const opts = { seeding: false, now: 0, random: seeded(1) };
    assert.equal(runChoker(peers, { ...opts, slots: 8 }, initialChokerState()).unchoke.size, 8);
    const one = runChoker(peers, { ...opts, slots: 1 }, initialChokerState());
    assert.deepEqual([...one.unchoke], [one.optimisticId]);
    assert.equal(runChoker(peers, { ...opts, slots: 0 }, initialChokerState()).unchoke.size, 0);
    assert.equal(runChoker(peers, opts, initialChokerState()).unchoke.size, 4, 'default 4');
    assert.equal(runChoker([], { ...opts, slots: 4 }, initialChokerState()).unchoke.size, 0);
  });
});

describe('runChoker optimistic unchoke', () => {
  it('keeps the optimistic peer for 30 s, then rotates to another', () => {
    const h = new Harness([1, 2, 3, 4, 5, 6, 7, 8].map((id) => peer(id, { downloadRate: id >= 6 ? 100 * id : 0 })));
    const first = h.run().optimisticId;
    assert.ok(first !== null && first <= 5);
    for (let t = 10_000; t < 30_000; t += 10_000) {
      h.clock.advance(10_000);
      assert.equal(h.run().optimisticId, first, `kept at ${h.clock.now()} ms`);
    }
    h.clock.advance(10_000); // 30 s
    const second = h.run().optimisticId;
    assert.ok(second !== null && second !== first && second <= 5);
    assert.equal(h.state.lastOptimisticAt, 30_000);
    const order = [first, second];
    for (let i = 0; i < 10; i++) {
      h.clock.advance(30_000);
      const next = h.run().optimisticId!;
      assert.notEqual(next, order[order.length - 1]);
      order.push(next);
    }
    assert.ok(new Set(order).size >= 3, `rotation visits several peers: ${order}`);
  });

  it('replaces the optimistic peer at once when it leaves, loses interest or earns a regular slot', () => {
    const h = new Harness([1, 2, 3, 4, 5].map((id) => peer(id, { downloadRate: id >= 3 ? 100 : 0 })));
    const first = h.run().optimisticId!;
    assert.ok(first === 1 || first === 2);
    const other = first === 1 ? 2 : 1;
    h.clock.advance(10_000);
    h.peers = h.peers.map((p) => (p.id === first ? { ...p, interested: false } : p));
    assert.equal(h.run().optimisticId, other);
    assert.equal(h.state.lastOptimisticAt, 10_000);
    h.clock.advance(10_000);
    h.peers = h.peers.map((p) => (p.id === other ? { ...p, downloadRate: 1000 } : p));
    const r = h.run();
    assert.ok(r.unchoke.has(other));
    assert.notEqual(r.optimisticId, other, 'a regular now');
    h.clock.advance(10_000);
    h.peers = h.peers.filter((p) => p.id !== r.optimisticId);
    const r2 = h.run();
    assert.notEqual(r2.optimisticId, r.optimisticId);
  });

  it('keeps the same peer when it is the only candidate', () => {
    const h = new Harness([peer(1, { downloadRate: 9 }), peer(2, { downloadRate: 9 }), peer(3, { downloadRate: 9 }), peer(4)]);
    assert.equal(h.run().optimisticId, 4);
    h.clock.advance(60_000);
    assert.equal(h.run().optimisticId, 4);
    assert.equal(h.state.lastOptimisticAt, 60_000);
  });

  it('makes newly connected peers three times as likely', () => {
    const now = 10 * 60_000;
    // regular slots go to peers 1-3; candidates: 4, 5 (connected long ago), 6 (30 s ago)
    const peers = [
      peer(1, { downloadRate: 100 }),
      peer(2, { downloadRate: 100 }),
      peer(3, { downloadRate: 100 }),
      peer(4),
      peer(5),
      peer(6, { connectedAt: now - 30_000 }),
    ];
    const random = seeded(42);
    const counts = new Map<number, number>([[4, 0], [5, 0], [6, 0]]);
    const runs = 10_000;
    for (let i = 0; i < runs; i++) {
      const r = runChoker(peers, { slots: 4, seeding: false, now, random }, initialChokerState());
      counts.set(r.optimisticId!, counts.get(r.optimisticId!)! + 1);
    }
    // expected 1/5, 1/5, 3/5
    assert.ok(Math.abs(counts.get(6)! / runs - 0.6) < 0.03, `new peer: ${counts.get(6)}`);
    assert.ok(Math.abs(counts.get(4)! / runs - 0.2) < 0.03, `old peer: ${counts.get(4)}`);
    assert.ok(Math.abs(counts.get(5)! / runs - 0.2) < 0.03, `old peer: ${counts.get(5)}`);
    // a minute later, peer 6 is no longer new
    const later = new Map<number, number>([[4, 0], [5, 0], [6, 0]]);
    for (let i = 0; i < runs; i++) {
      const r = runChoker(peers, { slots: 4, seeding: false, now: now + 60_000, random }, initialChokerState());
      later.set(r.optimisticId!, later.get(r.optimisticId!)! + 1);
    }
    assert.ok(Math.abs(later.get(6)! / runs - 1 / 3) < 0.03, `no longer new: ${later.get(6)}`);
  });

  it('never picks a seed as optimistic while seeding, nor an uninterested peer', () => {
    const peers = [peer(1, { isSeed: true }), peer(2, { interested: false }), peer(3, { isSeed: true, interested: false })];
    for (let s = 0; s < 20; s++) {
      const r = runChoker(peers, { slots: 4, seeding: true, now: 0, random: seeded(s) }, initialChokerState());
      assert.equal(r.unchoke.size, 0);
      assert.equal(r.optimisticId, null);
      assert.equal(r.state.optimisticId, null);
    }
  });

  it('does not mutate its inputs', () => {
    const peers = Object.freeze([peer(1), peer(2)].map((p) => Object.freeze(p)));
    const state = Object.freeze({ optimisticId: 7, lastOptimisticAt: 5 });
    const r = runChoker(peers, { slots: 4, seeding: false, now: 100, optimisticIntervalMs: 50, random: seeded(1) }, state);
    assert.equal(r.unchoke.size, 2);
    assert.deepEqual(state, { optimisticId: 7, lastOptimisticAt: 5 });
  });
});
