import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MseInitiator, MseResponder, CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../wire/mse.js';
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

test('writeBlock() under RC4 encrypts header and payload into one buffer of its own and leaves the shared payload alone', () => {
  const { a, b } = rc4Pair();
  const inner = new RecordingStream();
  const stream = new EncryptedStream(inner, a);
  const header = Uint8Array.from({ length: 13 }, (_, i) => 200 + i);
  const chunk = Uint8Array.from({ length: 96 }, (_, i) => i); // a read-ahead chunk other blocks are views of
  const payload = chunk.subarray(32, 64);
  assert.equal(stream.writeBlock(header, payload), true);
  assert.equal(inner.written.length, 1, 'one write');
  assert.deepEqual([...chunk], Array.from({ length: 96 }, (_, i) => i), 'the shared chunk is unchanged');
  const received = inner.written[0].slice();
  b.decrypt?.apply(received);
  assert.deepEqual([...received], [...header, ...payload]);
});

test('writeBlock() in plaintext after MSE hands header and payload on apart to a stream that takes them so', () => {
  const infoHash = new Uint8Array(20).fill(9);
  const { a } = exchange(new MseInitiator({ infoHash, provide: CRYPTO_PLAINTEXT }), new MseResponder({ findInfoHash: lookup([infoHash]), allow: CRYPTO_PLAINTEXT }), () => 50);
  assert.equal(a.method, 'plaintext');
  const parts: Uint8Array[][] = [];
  const inner = Object.assign(new RecordingStream(), {
    writeBlock(header: Uint8Array, payload: Uint8Array): boolean {
      parts.push([header, payload]);
      return false;
    },
  });
  const stream = new EncryptedStream(inner, a);
  const header = new Uint8Array(13);
  const payload = new Uint8Array(32);
  assert.equal(stream.writeBlock(header, payload), false, "the inner stream's answer");
  assert.equal(parts.length, 1);
  assert.equal(parts[0][0], header);
  assert.equal(parts[0][1], payload, 'the payload is not copied');
  assert.equal(inner.written.length, 0);
});

test('writeBlock() under RC4 reuses a 16 KiB block message buffer only after the inner stream says the kernel took it', () => {
  const { a, b } = rc4Pair();
  const sent: { header: Uint8Array; payload: Uint8Array; onSent?: () => void }[] = [];
  const inner = new RecordingStream() as RecordingStream & { writeBlock: (h: Uint8Array, p: Uint8Array, onSent?: () => void) => boolean };
  inner.writeBlock = (header, payload, onSent) => {
    sent.push({ header, payload, onSent });
    return true;
  };
  const stream = new EncryptedStream(inner, a);
  const header = new Uint8Array(13).fill(1);
  const payload = new Uint8Array(16_384).fill(2);
  stream.writeBlock(header, payload);
  stream.writeBlock(header, payload);
  assert.notEqual(sent[0].payload.buffer, sent[1].payload.buffer, 'the first is still in flight: a second buffer');
  const first = sent[0];
  const firstBytes = Buffer.concat([first.header, first.payload]);
  b.decrypt?.apply(firstBytes);
  assert.deepEqual([...firstBytes.subarray(13, 20)], [2, 2, 2, 2, 2, 2, 2]);
  first.onSent?.();
  stream.writeBlock(header, payload);
  assert.equal(sent[2].payload.buffer, first.payload.buffer, 'released by onSent: reused');
  const third = Buffer.concat([sent[1].header, sent[1].payload, sent[2].header, sent[2].payload]);
  b.decrypt?.apply(third);
  assert.deepEqual([...third.subarray(16_397, 16_397 + 13)], [...header], 'the keystream went on in order');
  assert.deepEqual([...third.subarray(16_397 + 13, 16_397 + 20)], [2, 2, 2, 2, 2, 2, 2]);
});
