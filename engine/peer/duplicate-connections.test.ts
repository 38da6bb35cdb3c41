import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { judgeHandshake, keepsNewConnection } from './admission.js';
import type { PeerConnection } from './connection.js';
import type { Handshake } from '../wire/index.js';

const INFO_HASH = new Uint8Array(20).fill(7);

/** One side's view of a connection: which of the two it is, and whether the other side dialled it. */
interface Seen {
  readonly name: 'A-dialled' | 'B-dialled';
  readonly incoming: boolean;
  readonly remotePeerId: Uint8Array;
}

/**
 * One side's handshakes arriving in `order`: each is judged as the peer manager does (judgeHandshake against the
 * connections kept so far); returns the names of the connections this side keeps.
 */
function settle(ourId: Uint8Array, theirId: Uint8Array, order: readonly Seen[]): string[] {
  const kept = new Set<Seen>();
  for (const conn of order) {
    const hs: Handshake = { infoHash: INFO_HASH, peerId: theirId, extensions: { extended: true, fast: true, dht: false }, reserved: new Uint8Array(8) };
    const verdict = judgeHandshake(hs, { infoHash: INFO_HASH, peerId: ourId }, kept as unknown as Set<PeerConnection>, conn);
    if (!verdict.ok) continue;
    if (verdict.replaces) kept.delete(verdict.replaces as unknown as Seen);
    kept.add(conn);
  }
  return [...kept].map((c) => c.name);
}

test('two peers dialling each other at once keep the same one connection, whatever order each sees the handshakes in', () => {
  for (let round = 0; round < 200; round++) {
    const a = randomBytes(20);
    const b = randomBytes(20);
    if (round === 0) b.set(a.subarray(0, 19)); // ids that differ only in the last byte
    // A dialled one connection (outgoing at A, incoming at B), B dialled the other.
    const atA: Seen[] = [{ name: 'A-dialled', incoming: false, remotePeerId: b }, { name: 'B-dialled', incoming: true, remotePeerId: b }];
    const atB: Seen[] = [{ name: 'A-dialled', incoming: true, remotePeerId: a }, { name: 'B-dialled', incoming: false, remotePeerId: a }];
    const expected = Buffer.compare(a, b) > 0 ? 'A-dialled' : 'B-dialled';
    for (const orderA of [atA, [...atA].reverse()]) {
      for (const orderB of [atB, [...atB].reverse()]) {
        const keptA = settle(a, b, orderA);
        const keptB = settle(b, a, orderB);
        assert.deepEqual(keptA, [expected], `A keeps exactly the connection the greater id opened (round ${round})`);
        assert.deepEqual(keptB, keptA, 'both sides keep the same connection');
      }
    }
  }
});

test('keepsNewConnection: same direction keeps the existing connection; otherwise the greater id opens the kept one', () => {
  const hi = new Uint8Array(20).fill(9);
  const lo = new Uint8Array(20).fill(1);
  assert.equal(keepsNewConnection(hi, lo, true, true), false);
  assert.equal(keepsNewConnection(hi, lo, false, false), false);
  assert.equal(keepsNewConnection(hi, lo, false, true), true, 'our id is greater: the connection we dialled wins');
  assert.equal(keepsNewConnection(hi, lo, true, false), false);
  assert.equal(keepsNewConnection(lo, hi, true, false), true, 'their id is greater: the connection they dialled wins');
  assert.equal(keepsNewConnection(lo, hi, false, true), false);
});
