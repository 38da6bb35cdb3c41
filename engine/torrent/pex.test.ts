import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePex, encodeExtendedHandshake, encodePex, decodeExtendedHandshake, PexFlags, WireError, type PexPeer } from '../wire/index.js';
import { Pex, PEX_MAX_SEND, PEX_MAX_TAKE, type PexConnection, type PexOutgoing } from './pex.js';

class FakeConn implements PexConnection {
  isSeed = false;
  closed = false;
  readonly extensions = new Map<string, number>();
  readonly transport: { remoteAddress: string; remotePort: number; kind?: 'tcp' | 'utp' };
  constructor(host: string, port: number, readonly incoming = false, pexId = 9, kind?: 'tcp' | 'utp') {
    this.transport = { remoteAddress: host, remotePort: port, kind };
    if (pexId) this.extensions.set('ut_pex', pexId);
  }
}

function handshake(pex: Pex<FakeConn>, c: FakeConn, now: number, extra: { p?: number; e?: number } = {}): void {
  const payload = encodeExtendedHandshake({ m: { ut_pex: c.extensions.get('ut_pex') ?? 0 }, p: extra.p, prefersEncryption: extra.e === 1 });
  pex.onHandshake(c, decodeExtendedHandshake(payload), now);
}

function to(msgs: PexOutgoing<FakeConn>[], c: FakeConn) {
  const m = msgs.find((x) => x.peer === c);
  return m ? { id: m.id, ...decodePex(m.payload, 1000) } : undefined;
}

const addrs = (list: { host: string; port: number }[]): string[] => list.map((p) => `${p.host}:${p.port}`).sort();

test('the first message goes out after the first delay and lists the other connected peers, never the recipient', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 3000, intervalMs: 60_000 });
  const a = new FakeConn('10.0.0.1', 6881);
  const b = new FakeConn('10.0.0.2', 6882);
  const inKnown = new FakeConn('10.0.0.3', 50001, true); // incoming, told us its listen port
  const inUnknown = new FakeConn('10.0.0.4', 50002, true); // incoming, no `p`: not advertised
  const peers = new Set([a, b, inKnown, inUnknown]);
  for (const c of peers) handshake(pex, c, 1000, c === inKnown ? { p: 7000 } : {});
  assert.deepEqual(pex.due(peers, 3999), [], 'not before the first delay');
  const msgs = pex.due(peers, 4000);
  assert.equal(msgs.length, 4);
  const toA = to(msgs, a)!;
  assert.equal(toA.id, 9, "sent on the peer's ut_pex id");
  assert.deepEqual(addrs(toA.added), ['10.0.0.2:6882', '10.0.0.3:7000']);
  assert.equal(toA.added.find((p) => p.port === 6882)!.flags, PexFlags.reachable, 'outgoing peers are reachable');
  assert.equal(toA.added.find((p) => p.port === 7000)!.flags, 0, 'an incoming peer at its listen port is not known to be reachable');
  assert.deepEqual(toA.dropped, []);
  const toIn = to(msgs, inKnown)!;
  assert.deepEqual(addrs(toIn.added), ['10.0.0.1:6881', '10.0.0.2:6882'], 'never the recipient itself');
  assert.deepEqual(pex.due(peers, 5000), [], 'then nothing until the interval');
});

test('later messages carry only the diff: new peers added, gone ones dropped, nothing when nothing changed', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0, intervalMs: 60_000 });
  const r = new FakeConn('10.0.0.1', 1);
  const x = new FakeConn('10.0.0.2', 2);
  const y = new FakeConn('10.0.0.3', 3);
  const peers = new Set([r, x]);
  handshake(pex, r, 0);
  assert.deepEqual(addrs(to(pex.due(peers, 0), r)!.added), ['10.0.0.2:2']);
  assert.deepEqual(pex.due(peers, 60_000), [], 'nothing new: no message');
  peers.delete(x);
  peers.add(y);
  y.isSeed = true;
  const m = to(pex.due(peers, 120_000), r)!;
  assert.deepEqual(addrs(m.added), ['10.0.0.3:3']);
  assert.equal(m.added[0].flags, PexFlags.reachable | PexFlags.seed);
  assert.deepEqual(addrs(m.dropped), ['10.0.0.2:2']);
  y.closed = true; // closing but not yet removed: counts as gone
  assert.deepEqual(addrs(to(pex.due(peers, 180_000), r)!.dropped), ['10.0.0.3:3']);
});

test('at most 50 added and 50 dropped per message; the rest follow in later ones', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0, intervalMs: 1000 });
  const r = new FakeConn('10.1.0.1', 1);
  const others = Array.from({ length: 120 }, (_, i) => new FakeConn(`10.2.${i >> 8}.${i & 255}`, 6881));
  const peers = new Set([r, ...others]);
  handshake(pex, r, 0);
  const seen = new Set<string>();
  for (const t of [0, 1000, 2000]) for (const p of to(pex.due(peers, t), r)!.added) seen.add(`${p.host}:${p.port}`);
  assert.equal(seen.size, 120);
  const sizes: number[] = [];
  for (const c of others) peers.delete(c);
  for (const t of [3000, 4000, 5000]) sizes.push(to(pex.due(peers, t), r)!.dropped.length);
  assert.deepEqual(sizes, [PEX_MAX_SEND, PEX_MAX_SEND, 20]);
  assert.deepEqual(pex.due(peers, 6000), []);
});

test('IPv6 peers go in added6; IPv4-mapped addresses are sent as IPv4; peers without ut_pex or a handshake get nothing', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0 });
  const r = new FakeConn('::ffff:10.0.0.1', 1);
  const v6 = new FakeConn('2001:db8::5', 6881);
  const mapped = new FakeConn('::ffff:10.0.0.9', 6889);
  const noPex = new FakeConn('10.0.0.7', 7, false, 0);
  const disabled = new FakeConn('10.0.0.8', 8);
  disabled.extensions.set('ut_pex', 0);
  const noHandshake = new FakeConn('10.0.0.6', 6);
  const peers = new Set([r, v6, mapped, noPex, disabled, noHandshake]);
  for (const c of [r, v6, mapped, noPex, disabled]) handshake(pex, c, 0);
  const msgs = pex.due(peers, 0);
  assert.deepEqual(msgs.map((m) => m.peer.transport.remotePort).sort((p, q) => p - q), [1, 6881, 6889]);
  const m = to(msgs, r)!;
  assert.deepEqual(addrs(m.added6), ['2001:db8::5:6881']);
  assert.ok(addrs(m.added).includes('10.0.0.9:6889'));
  assert.ok(!addrs(m.added).includes('10.0.0.1:1'), 'not the recipient, mapped or not');
});

test('the encryption preference from the extended handshake (e=1) is passed on as a flag', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0 });
  const r = new FakeConn('10.0.0.1', 1);
  const enc = new FakeConn('10.0.0.2', 2);
  handshake(pex, r, 0);
  handshake(pex, enc, 0, { e: 1 });
  const m = to(pex.due(new Set([r, enc]), 0), r)!;
  assert.equal(m.added[0].flags, PexFlags.reachable | PexFlags.preferEncryption);
});

test('uTP: a peer connected over uTP is passed on with flag 0x04, and received peers with that flag are listed for the dialler', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0, minReceiveGapMs: 0 });
  const r = new FakeConn('10.0.0.1', 1);
  const overUtp = new FakeConn('10.0.0.2', 2, false, 9, 'utp');
  handshake(pex, r, 0);
  handshake(pex, overUtp, 0);
  const m = to(pex.due(new Set([r, overUtp]), 0), r)!;
  assert.equal(m.added[0].flags, PexFlags.reachable | PexFlags.utp);
  const got = pex.receive(r, encodePex({ added: [{ host: '10.5.0.1', port: 7, flags: PexFlags.utp }, { host: '10.5.0.2', port: 8, flags: 0 }] }), 0, false);
  assert.deepEqual(got, { kind: 'peers', peers: [{ host: '10.5.0.1', port: 7 }, { host: '10.5.0.2', port: 8 }], utp: [{ host: '10.5.0.1', port: 7 }] });
});

test('receiving: peers capped per message, seeds skipped while seeding, port 0 skipped, floods ignored, garbage throws', () => {
  const pex = new Pex<FakeConn>({ minReceiveGapMs: 45_000 });
  const from = new FakeConn('10.0.0.1', 1);
  const many: PexPeer[] = Array.from({ length: 80 }, (_, i) => ({ host: `10.3.0.${i}`, port: 1000 + i, flags: i === 0 ? PexFlags.seed : 0 }));
  const got = pex.receive(from, encodePex({ added: many, added6: [{ host: '2001:db8::1', port: 1, flags: 0 }] }), 0, true);
  assert.equal(got.kind, 'peers');
  if (got.kind !== 'peers') return;
  assert.equal(got.peers.length, PEX_MAX_TAKE);
  assert.ok(!got.peers.some((p) => p.host === '10.3.0.0'), 'a seed is no use to a seed');
  assert.deepEqual(pex.receive(from, encodePex({ added: many }), 44_999, false), { kind: 'flood' });
  assert.equal(pex.floods, 1);
  const later = pex.receive(from, encodePex({ added: [{ host: '10.4.0.1', port: 0, flags: 0 }, { host: '10.4.0.2', port: 5, flags: PexFlags.seed }] }), 45_000, false);
  assert.deepEqual(later, { kind: 'peers', peers: [{ host: '10.4.0.2', port: 5 }], utp: [] }, 'port 0 skipped; seeds kept while leeching');
  const other = new FakeConn('10.0.0.2', 2);
  assert.throws(() => pex.receive(other, Buffer.from('d5:added3:abce'), 0, false), WireError);
  assert.throws(() => pex.receive(new FakeConn('10.0.0.3', 3), Buffer.from('not bencode'), 0, false), WireError);
});

test('turned off nothing is sent; turned back on every peer is told everything again', () => {
  const pex = new Pex<FakeConn>({ firstDelayMs: 0, intervalMs: 1000 });
  const r = new FakeConn('10.0.0.1', 1);
  const x = new FakeConn('10.0.0.2', 2);
  const peers = new Set([r, x]);
  handshake(pex, r, 0);
  handshake(pex, x, 0);
  assert.equal(pex.due(peers, 0).length, 2);
  pex.setEnabled(false);
  assert.equal(pex.enabled, false);
  assert.deepEqual(pex.due(peers, 5000), []);
  pex.setEnabled(true);
  assert.deepEqual(addrs(to(pex.due(peers, 6000), r)!.added), ['10.0.0.2:2']);
});
