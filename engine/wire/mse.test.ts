import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MseError } from './errors.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, MAX_PAD, MseInitiator, MseResponder, type MseResult } from './mse.js';
import { hash, req2Hash } from './mse-crypto.js';
import { chunked, exchange, lookup } from './test-mse.js';

const infoHash = randomBytes(20);
const other = randomBytes(20);
const BOTH = CRYPTO_RC4 | CRYPTO_PLAINTEXT;

function pair(provide: number, allow: number, initialPayload?: Uint8Array): { a: MseInitiator; b: MseResponder } {
  return { a: new MseInitiator({ infoHash, provide, initialPayload }), b: new MseResponder({ allow, findInfoHash: lookup([other, infoHash]) }) };
}

test('RC4 both ways: the IA arrives decrypted and later bytes pass through the returned ciphers', () => {
  const ia = Buffer.from('\x13BitTorrent protocol and the rest of a handshake');
  const { a, b } = pair(BOTH, BOTH, ia);
  const r = exchange(a, b, () => 7);
  assert.equal(r.a.method, 'rc4');
  assert.equal(r.b.method, 'rc4');
  assert.deepEqual(Buffer.from(r.b.payload), ia);
  assert.deepEqual(Buffer.from(r.b.infoHash), infoHash);
  assert.equal(r.a.payload.length, 0);
  for (const [from, to] of [[r.a, r.b], [r.b, r.a]] as const) {
    const msg = Buffer.from('piece data, any length at all');
    const wire = Buffer.from(msg);
    from.encrypt!.apply(wire);
    assert.notDeepEqual(wire, msg);
    to.decrypt!.apply(wire);
    assert.deepEqual(wire, msg);
  }
});

test('plaintext is selected when only it is offered or only it is allowed, and then there are no ciphers', () => {
  for (const [provide, allow] of [[CRYPTO_PLAINTEXT, BOTH], [BOTH, CRYPTO_PLAINTEXT]]) {
    const { a, b } = pair(provide, allow, Buffer.from('hello'));
    const r = exchange(a, b, () => 1000);
    assert.equal(r.a.method, 'plaintext');
    assert.equal(r.b.method, 'plaintext');
    assert.equal(r.a.encrypt, null);
    assert.equal(r.b.decrypt, null);
    assert.equal(Buffer.from(r.b.payload).toString(), 'hello');
  }
});

test("the responder's payload reaches the initiator: what came with the answer decrypted, the rest through the cipher", () => {
  const { a, b } = pair(CRYPTO_RC4, BOTH);
  const start = a.start();
  const step2 = b.receive(start);
  const step3 = a.receive(step2.send!);
  const step4 = b.receive(step3.send!);
  assert.ok(step4.done);
  const payload = Buffer.from('bitfield and friends');
  const wire = Buffer.from(payload);
  step4.done.encrypt!.apply(wire);
  const answer = Buffer.concat([step4.send!, wire]);
  let result: MseResult | null = null;
  const received: Uint8Array[] = [];
  for (const c of chunked(answer, (n) => (n % 3) + 1)) {
    if (result === null) {
      result = a.receive(c).done;
      if (result) received.push(result.payload);
    } else {
      const copy = c.slice();
      result.decrypt!.apply(copy);
      received.push(copy);
    }
  }
  assert.deepEqual(Buffer.concat(received), payload);
});

test('refusals are MseErrors with a reason', () => {
  const noCommon = pair(CRYPTO_PLAINTEXT, CRYPTO_RC4);
  assert.throws(() => exchange(noCommon.a, noCommon.b, () => 50), (e) => e instanceof MseError && /no method in common/.test(e.message));

  const unknown = { a: new MseInitiator({ infoHash: randomBytes(20), provide: BOTH }), b: new MseResponder({ allow: BOTH, findInfoHash: lookup([infoHash]) }) };
  assert.throws(() => exchange(unknown.a, unknown.b, () => 50), (e) => e instanceof MseError && /torrent we do not serve/.test(e.message));

  const b = new MseResponder({ allow: BOTH, findInfoHash: lookup([infoHash]) });
  assert.throws(() => b.receive(new Uint8Array(96)), (e) => e instanceof MseError && /public key/.test(e.message));
  assert.throws(() => b.receive(new Uint8Array(1)), (e) => e instanceof MseError && /over/.test(e.message));

  const a = new MseInitiator({ infoHash, provide: BOTH });
  a.start();
  const plaintext = Buffer.concat([Buffer.from('\x13BitTorrent protocol'), randomBytes(76)]);
  assert.throws(() => a.receive(plaintext), (e) => e instanceof MseError && /plaintext handshake/.test(e.message));
});

test('markers are looked for past at most 512 bytes of padding, then given up', () => {
  const b = new MseResponder({ allow: BOTH, findInfoHash: lookup([infoHash]) });
  const a = new MseInitiator({ infoHash, provide: BOTH });
  const ya = a.start().subarray(0, 96);
  b.receive(ya);
  // 531 bytes could still hide req1 at offset 512 (it is 20 long); the 532nd proves it is not there.
  assert.equal(b.receive(new Uint8Array(MAX_PAD + 19)).done, null);
  assert.throws(() => b.receive(new Uint8Array(1)), (e) => e instanceof MseError && /no req1 hash/.test(e.message));

  const a2 = new MseInitiator({ infoHash, provide: BOTH });
  a2.start();
  const b2 = new MseResponder({ allow: BOTH, findInfoHash: lookup([infoHash]) });
  const yb = b2.receive(a2.start().subarray(0, 96)).send!.subarray(0, 96);
  assert.ok(a2.receive(yb).send);
  assert.equal(a2.receive(new Uint8Array(MAX_PAD + 7)).done, null);
  assert.throws(() => a2.receive(new Uint8Array(1)), (e) => e instanceof MseError && /verification constant/.test(e.message));
});

test('a responder finds torrents by HASH(req2 | info hash)', () => {
  const find = lookup([infoHash]);
  assert.deepEqual(find(req2Hash(infoHash)), infoHash);
  assert.equal(find(hash('req2', other)), null);
});
