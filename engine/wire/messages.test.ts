import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeMessage,
  encodeMessage,
  encodePieceHeader,
  writeCancel,
  writeHave,
  writePieceHeader,
  writeReject,
  writeRequest,
  type Message,
} from './messages.js';
import { WireError } from './errors.js';

const body = (encoded: Uint8Array): Uint8Array => encoded.subarray(4);

const samples: Message[] = [
  { type: 'keepalive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'notInterested' },
  { type: 'have', index: 0xfffffffe },
  { type: 'bitfield', bits: new Uint8Array([0xff, 0x80]) },
  { type: 'bitfield', bits: new Uint8Array(0) },
  { type: 'request', index: 1, begin: 16384, length: 16384 },
  { type: 'piece', index: 7, begin: 32768, block: new Uint8Array([1, 2, 3]) },
  { type: 'piece', index: 7, begin: 0, block: new Uint8Array(0) },
  { type: 'cancel', index: 2, begin: 0, length: 100 },
  { type: 'port', port: 6881 },
  { type: 'suggest', index: 9 },
  { type: 'haveAll' },
  { type: 'haveNone' },
  { type: 'reject', index: 3, begin: 4, length: 5 },
  { type: 'allowedFast', index: 42 },
  { type: 'extended', id: 0, payload: new Uint8Array([0x64, 0x65]) },
  { type: 'extended', id: 3, payload: new Uint8Array(0) },
];

test('every message round-trips through encode/decode', () => {
  for (const msg of samples) {
    const encoded = encodeMessage(msg);
    const length = new DataView(encoded.buffer).getUint32(0);
    assert.equal(length, encoded.length - 4, msg.type);
    assert.deepEqual(decodeMessage(body(encoded)), msg, msg.type);
  }
});

test('wire bytes match BEP 3 layouts', () => {
  assert.deepEqual([...encodeMessage({ type: 'keepalive' })], [0, 0, 0, 0]);
  assert.deepEqual([...encodeMessage({ type: 'interested' })], [0, 0, 0, 1, 2]);
  assert.deepEqual([...encodeMessage({ type: 'have', index: 0x01020304 })], [0, 0, 0, 5, 4, 1, 2, 3, 4]);
  assert.deepEqual([...encodeMessage({ type: 'port', port: 0x1ae1 })], [0, 0, 0, 3, 9, 0x1a, 0xe1]);
  assert.deepEqual(
    [...encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 })],
    [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3],
  );
  assert.deepEqual([...encodeMessage({ type: 'extended', id: 1, payload: new Uint8Array([9]) })], [0, 0, 0, 3, 20, 1, 9]);
});

test('payload fields are views into the frame, not copies', () => {
  const frame = body(encodeMessage({ type: 'piece', index: 1, begin: 0, block: new Uint8Array([5, 6]) }));
  const msg = decodeMessage(frame);
  assert.equal(msg.type, 'piece');
  if (msg.type !== 'piece') return;
  assert.equal(msg.block.buffer, frame.buffer);
  frame[9] = 99;
  assert.equal(msg.block[0], 99);
});

test('unknown ids decode to unknown, not an error', () => {
  assert.deepEqual(decodeMessage(new Uint8Array([10])), { type: 'unknown', id: 10 });
  assert.deepEqual(decodeMessage(new Uint8Array([255, 1, 2, 3])), { type: 'unknown', id: 255 });
  assert.throws(() => encodeMessage({ type: 'unknown', id: 10 }), WireError);
});

test('strict lengths: wrong sizes throw WireError', () => {
  const bad: number[][] = [
    [0, 0], [1, 1], [2, 0], [3, 0], [14, 0], [15, 0],
    [4], [4, 0, 0, 0], [4, 0, 0, 0, 0, 0],
    [6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [6, ...new Array(13).fill(0)],
    [8, 0], [16, ...new Array(11).fill(0)],
    [7, 0, 0, 0, 0, 0, 0, 0],
    [9, 0], [9, 0, 0, 0],
    [13, 0, 0, 0], [17, 0, 0, 0, 0, 0],
    [20],
  ];
  for (const frame of bad) {
    assert.throws(() => decodeMessage(new Uint8Array(frame)), WireError, JSON.stringify(frame));
  }
});

test('encodeMessage rejects out-of-range fields', () => {
  assert.throws(() => encodeMessage({ type: 'have', index: -1 }), WireError);
  assert.throws(() => encodeMessage({ type: 'have', index: 2 ** 32 }), WireError);
  assert.throws(() => encodeMessage({ type: 'request', index: 0, begin: 1.5, length: 1 }), WireError);
  assert.throws(() => encodeMessage({ type: 'port', port: 65536 }), WireError);
  assert.throws(() => encodeMessage({ type: 'extended', id: 256, payload: new Uint8Array(0) }), WireError);
});

test('writeRequest/writeCancel/writeReject/writeHave write in place and return the new offset', () => {
  const buf = new Uint8Array(2 + 17 * 3 + 9);
  let off = writeRequest(buf, 2, 1, 2, 3);
  assert.equal(off, 19);
  off = writeCancel(buf, off, 4, 5, 6);
  off = writeReject(buf, off, 7, 8, 9);
  off = writeHave(buf, off, 10);
  assert.equal(off, buf.length);
  assert.deepEqual(buf.subarray(2, 19), encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 }));
  assert.deepEqual(buf.subarray(19, 36), encodeMessage({ type: 'cancel', index: 4, begin: 5, length: 6 }));
  assert.deepEqual(buf.subarray(36, 53), encodeMessage({ type: 'reject', index: 7, begin: 8, length: 9 }));
  assert.deepEqual(buf.subarray(53), encodeMessage({ type: 'have', index: 10 }));
  assert.throws(() => writeRequest(buf, buf.length - 16, 0, 0, 0), WireError);
  assert.throws(() => writeHave(buf, 0, -1), WireError);
});

test('encodePieceHeader + block equals the full piece message', () => {
  const block = new Uint8Array([1, 2, 3, 4, 5]);
  const header = encodePieceHeader(3, 16384, block.length);
  assert.equal(header.length, 13);
  const joined = new Uint8Array(header.length + block.length);
  joined.set(header);
  joined.set(block, header.length);
  assert.deepEqual(joined, encodeMessage({ type: 'piece', index: 3, begin: 16384, block }));
  const buf = new Uint8Array(20);
  assert.equal(writePieceHeader(buf, 7, 3, 16384, block.length), 20);
  assert.deepEqual(buf.subarray(7), header);
});
