import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressBook } from './address-book.js';
import { CanonicalSlots } from './canonical-slots.js';
import type { PeerConnection } from './connection.js';
import { peerPriority } from './peer-priority.js';

const OWN = { host: '123.213.32.10', port: 6881 };
const ADDRESSES = ['98.76.54.32', '123.213.32.234', '8.8.4.4', '200.1.2.3', '123.213.40.1', '77.1.1.1'].map((host) => ({ host, port: 51413 }));
const byPriority = [...ADDRESSES].sort((a, b) => peerPriority(OWN, b) - peerPriority(OWN, a));

function fakePeer(host: string, port: number, closed: string[]): PeerConnection {
  return { transport: { remoteAddress: host, remotePort: port }, close: (reason: string) => closed.push(`${host}: ${reason}`) } as unknown as PeerConnection;
}

test('the address book dials the highest canonical priority first once our address is known', () => {
  const book = new AddressBook();
  for (const a of ADDRESSES) book.add(a, 0);
  const slots = new CanonicalSlots();
  assert.equal(slots.rank, undefined, 'no order before a peer told us our address');
  assert.deepEqual(book.candidates(2, 0, slots.rank), ADDRESSES.slice(0, 2), 'first come, first dialled');
  const fresh = new AddressBook();
  for (const a of ADDRESSES) fresh.add(a, 0);
  fresh.slots.setOwnAddress(OWN.host, OWN.port);
  assert.deepEqual(fresh.candidates(3, 0), byPriority.slice(0, 3), "the book's own slots order it");
  // the ones handed out wait their turn; the next call gives the next best
  assert.deepEqual(fresh.candidates(3, 0), byPriority.slice(3, 6));
});

test('full: a newcomer of higher priority replaces the connected peer of lowest priority; a lower one is refused', () => {
  const slots = new CanonicalSlots();
  const closed: string[] = [];
  const [best, middle, worst] = [byPriority[0], byPriority[2], byPriority[5]];
  const peers = [fakePeer(middle.host, middle.port, closed), fakePeer(worst.host, worst.port, closed)];
  assert.equal(slots.makeRoom(best, peers), false, 'no own address: nobody replaced');
  slots.setOwnAddress(OWN.host, OWN.port);
  assert.equal(slots.makeRoom(byPriority[5], [fakePeer(middle.host, middle.port, closed)]), false, 'lower priority: refused');
  assert.deepEqual(closed, []);
  assert.equal(slots.makeRoom(best, peers), true);
  assert.equal(closed.length, 1);
  assert.match(closed[0], new RegExp(`^${worst.host.replace(/\./g, '\\.')}: replaced by .*canonical priority \\(BEP 40\\)`));
});
