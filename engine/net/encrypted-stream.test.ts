import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MseInitiator, MseResponder, CRYPTO_RC4 } from '../wire/mse.js';
import { exchange, lookup } from '../wire/test-mse.js';
import type { PeerStream, StreamSink } from './transport.js';
import { EncryptedStream } from './encrypted-stream.js';

/** A stream that records what is written to it. */
class RecordingStream implements PeerStream {
  readonly written: Uint8Array[] = [];
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  write(data: Uint8Array): boolean {
    this.written.push(data);
    return true;
  }
  destroy(): void {}
  attach(_sink: StreamSink): void {}
}

function rc4Pair(): ReturnType<typeof exchange> {
  const infoHash = new Uint8Array(20).fill(7);
  return exchange(new MseInitiator({ infoHash, provide: CRYPTO_RC4 }), new MseResponder({ findInfoHash: lookup([infoHash]), allow: CRYPTO_RC4 }), () => 50);
}

test('write() encrypts a copy and leaves the caller\'s bytes alone; writeOwned() encrypts in place without a copy', () => {
  const { a, b } = rc4Pair();
  assert.equal(a.method, 'rc4');
  const inner = new RecordingStream();
  const stream = new EncryptedStream(inner, a);
  const shared = Uint8Array.from([0, 0, 0, 0]); // e.g. the constant keep-alive
  stream.write(shared);
  assert.deepEqual([...shared], [0, 0, 0, 0]);
  assert.notEqual(inner.written[0], shared);

  const block = Uint8Array.from({ length: 64 }, (_, i) => i);
  stream.writeOwned(block);
  assert.equal(inner.written[1], block, 'the same buffer went to the socket');
  assert.notDeepEqual([...block], Array.from({ length: 64 }, (_, i) => i), 'encrypted in place');

  // The other side reads both in order.
  const received = [inner.written[0].slice(), inner.written[1].slice()];
  for (const r of received) b.decrypt?.apply(r);
  assert.deepEqual([...received[0]], [0, 0, 0, 0]);
  assert.deepEqual([...received[1]], Array.from({ length: 64 }, (_, i) => i));
});
