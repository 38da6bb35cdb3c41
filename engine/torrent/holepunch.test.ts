import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeExtendedHandshake, decodeHolepunch, encodeExtendedHandshake, encodeHolepunch, HolepunchError, WireError, type HolepunchMessage, type Message } from '../wire/index.js';
import type { PeerAddress } from '../peer/address-book.js';
import { Holepunch, HOLEPUNCH_BUDGET, HOLEPUNCH_BUDGET_WINDOW_MS, RENDEZVOUS_RETRY_MS, type HolepunchConnection } from './holepunch.js';
import { ourExtendedHandshake } from './extensions.js';

class FakePeer implements HolepunchConnection {
  closed = false;
  readonly extensions = new Map<string, number>();
  readonly transport: { remoteAddress: string; remotePort: number; kind?: 'tcp' | 'utp' };
  readonly sent: HolepunchMessage[] = [];
  constructor(host: string, port: number, readonly incoming: boolean, kind: 'tcp' | 'utp', holepunchId = 4) {
    this.transport = { remoteAddress: host, remotePort: port, kind };
    if (holepunchId) this.extensions.set('ut_holepunch', holepunchId);
  }
  get address(): string {
    return `${this.transport.remoteAddress}:${this.transport.remotePort}`;
  }
  sendMessage(msg: Message): boolean {
    assert.equal(msg.type, 'extended');
    if (msg.type === 'extended') {
      assert.equal(msg.id, this.extensions.get('ut_holepunch'), 'sent with the id the peer asked for');
      this.sent.push(decodeHolepunch(msg.payload));
    }
    return true;
  }
}

function setup(peers: FakePeer[]) {
  let now = 0;
  const punched: PeerAddress[] = [];
  const set = new Set(peers);
  const hp = new Holepunch<FakePeer>({ peers: set, punch: (a) => punched.push(a), log: () => undefined }, { now: () => now });
  return { hp, punched, set, advance: (ms: number) => (now += ms) };
}

const rendezvous = (host: string, port: number): Uint8Array => encodeHolepunch({ type: 'rendezvous', host, port });

test('relay: a rendezvous for a connected peer that speaks ut_holepunch sends connect to both, each naming the other', () => {
  const initiator = new FakePeer('198.51.100.1', 6881, true, 'utp'); // over uTP: its packets come from its NATed uTP port
  const target = new FakePeer('203.0.113.9', 40001, true, 'tcp'); // incoming TCP: reachable at its listen port
  const { hp } = setup([initiator, target]);
  hp.onHandshake(target, decodeExtendedHandshake(encodeExtendedHandshake({ m: { ut_holepunch: 4 }, p: 6882 })));
  hp.message(initiator, rendezvous('203.0.113.9', 6882));
  assert.deepEqual(initiator.sent, [{ type: 'connect', host: '203.0.113.9', port: 6882 }]);
  assert.deepEqual(target.sent, [{ type: 'connect', host: '198.51.100.1', port: 6881 }]);
});

test('relay: the right error for a peer we are not connected to, one without ut_holepunch, the asker itself and a bad endpoint', () => {
  const initiator = new FakePeer('198.51.100.1', 6881, false, 'utp');
  const plain = new FakePeer('203.0.113.7', 6881, false, 'utp', 0);
  const { hp } = setup([initiator, plain]);
  hp.message(initiator, rendezvous('203.0.113.8', 6881));
  hp.message(initiator, rendezvous('203.0.113.7', 6881));
  hp.message(initiator, rendezvous('198.51.100.1', 6881));
  hp.message(initiator, rendezvous('0.0.0.0', 6881));
  assert.deepEqual(
    initiator.sent.map((m) => (m.type === 'error' ? [m.host, m.port, m.error] : m.type)),
    [
      ['203.0.113.8', 6881, HolepunchError.notConnected],
      ['203.0.113.7', 6881, HolepunchError.noSupport],
      ['198.51.100.1', 6881, HolepunchError.noSelf],
      ['0.0.0.0', 6881, HolepunchError.noSuchPeer],
    ],
  );
  assert.deepEqual(plain.sent, [], 'nothing is sent to a peer without ut_holepunch');
});

test('relay: a peer flooding rendezvous messages gets at most the budget relayed per window, then is ignored', () => {
  const hostile = new FakePeer('198.51.100.66', 6881, false, 'utp');
  const target = new FakePeer('203.0.113.9', 6881, false, 'utp');
  const { hp, advance } = setup([hostile, target]);
  for (let i = 0; i < 1000; i++) hp.message(hostile, rendezvous('203.0.113.9', 6881));
  assert.equal(target.sent.length, HOLEPUNCH_BUDGET);
  assert.equal(hostile.sent.length, HOLEPUNCH_BUDGET);
  assert.equal(hp.ignored, 1000 - HOLEPUNCH_BUDGET);
  advance(HOLEPUNCH_BUDGET_WINDOW_MS);
  hp.message(hostile, rendezvous('203.0.113.9', 6881));
  assert.equal(target.sent.length, HOLEPUNCH_BUDGET + 1, 'a new window, a new budget');
});

test('initiator: a failed dial to an address PEX named asks the telling peer (if it speaks ut_holepunch), once per retry period', () => {
  const relay = new FakePeer('192.0.2.1', 6881, false, 'tcp');
  const mute = new FakePeer('192.0.2.2', 6881, false, 'tcp', 0);
  const { hp, advance } = setup([relay, mute]);
  hp.dialFailed('203.0.113.5', 6881);
  assert.deepEqual(relay.sent, [], 'nobody told us about it: nobody to ask');
  hp.learned([{ host: '203.0.113.5', port: 6881 }], relay);
  hp.learned([{ host: '203.0.113.5', port: 6881 }, { host: '203.0.113.6', port: 6881 }], mute);
  hp.dialFailed('203.0.113.5', 6881);
  hp.dialFailed('203.0.113.5', 6881);
  assert.deepEqual(relay.sent, [{ type: 'rendezvous', host: '203.0.113.5', port: 6881 }]);
  hp.dialFailed('203.0.113.6', 6881);
  assert.deepEqual(mute.sent, [], 'a peer without ut_holepunch is not asked');
  advance(RENDEZVOUS_RETRY_MS);
  hp.dialFailed('203.0.113.5', 6881);
  assert.equal(relay.sent.length, 2, 'asked again after the retry period');
  relay.closed = true;
  advance(RENDEZVOUS_RETRY_MS);
  hp.dialFailed('203.0.113.5', 6881);
  assert.equal(relay.sent.length, 2, 'a closed relay is not asked');
});

test('target: connect makes us dial the named peer now, unless connected already; malformed payloads throw WireError', () => {
  const relay = new FakePeer('192.0.2.1', 6881, false, 'tcp');
  const connected = new FakePeer('203.0.113.4', 6881, false, 'utp');
  const { hp, punched } = setup([relay, connected]);
  hp.message(relay, encodeHolepunch({ type: 'connect', host: '203.0.113.5', port: 6881 }));
  hp.message(relay, encodeHolepunch({ type: 'connect', host: '203.0.113.4', port: 6881 }));
  hp.message(relay, encodeHolepunch({ type: 'connect', host: '203.0.113.5', port: 0 }));
  assert.deepEqual(punched, [{ host: '203.0.113.5', port: 6881 }]);
  assert.throws(() => hp.message(relay, new Uint8Array([1, 7, 1])), WireError);
});

test('our extended handshake offers ut_holepunch only when hole punching is on', () => {
  assert.equal(decodeExtendedHandshake(ourExtendedHandshake(6881, 100, { holepunch: true })).m.get('ut_holepunch'), 4);
  assert.equal(decodeExtendedHandshake(ourExtendedHandshake(6881, 100, {})).m.has('ut_holepunch'), false);
});
