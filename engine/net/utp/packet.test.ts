import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  HEADER_SIZE,
  ST_DATA,
  ST_STATE,
  ST_SYN,
  decodePacket,
  decodePacketInto,
  emptyPacket,
  encodeHeader,
  headerLength,
  looksLikeUtp,
  sackBit,
  seqDiff,
  seqLess,
  type PacketType,
  type UtpPacket,
} from './packet.js';
import { byteEdits, mutate } from '../../wire/test-mutate.js';

const RUNS = Number(process.env.UTP_FUZZ_RUNS ?? 500);

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

test('known answer: a SYN laid out as BEP 29 draws it', () => {
  // type 4 | version 1, no extension, conn id 0x1234, timestamp, diff 0, wnd 1 MiB, seq 1, ack 0
  const bytes = hex('41 00 1234 01020304 00000000 00100000 0001 0000');
  const p = decodePacket(bytes);
  assert.notEqual(typeof p, 'string');
  const pkt = p as UtpPacket;
  assert.equal(pkt.type, ST_SYN);
  assert.equal(pkt.connectionId, 0x1234);
  assert.equal(pkt.timestampMicros, 0x01020304);
  assert.equal(pkt.timestampDiffMicros, 0);
  assert.equal(pkt.windowSize, 0x100000);
  assert.equal(pkt.seqNr, 1);
  assert.equal(pkt.ackNr, 0);
  assert.equal(pkt.payloadOffset, 20);
  assert.equal(pkt.payloadLength, 0);
  const out = new Uint8Array(20);
  assert.equal(encodeHeader(out, pkt, null, 0), 20);
  assert.deepEqual(out, bytes);
});

test('known answer: a STATE with a selective ACK of 4 bytes, high timestamp bits', () => {
  // ST_STATE (0x21), extension 1; ack_nr 0xfffe; sack: bit 0 (seq 0x0000) and bit 9 (seq 0x0009) set
  const bytes = hex('21 01 ffff fedcba98 80000001 0000ffff 0005 fffe 00 04 01020000');
  const p = decodePacket(bytes) as UtpPacket;
  assert.equal(p.type, ST_STATE);
  assert.equal(p.timestampMicros, 0xfedcba98);
  assert.equal(p.timestampDiffMicros, 0x80000001);
  assert.equal(p.ackNr, 0xfffe);
  assert.equal(p.sackOffset, 22);
  assert.equal(p.sackLength, 4);
  assert.equal(sackBit(bytes, p.sackOffset, 0), true);
  assert.equal(sackBit(bytes, p.sackOffset, 1), false);
  assert.equal(sackBit(bytes, p.sackOffset, 9), true);
  assert.equal(p.payloadLength, 0);
  const out = new Uint8Array(headerLength(4));
  encodeHeader(out, p, bytes.subarray(22), 4);
  assert.deepEqual(out, bytes);
});

test('unknown extensions are skipped; the payload follows them', () => {
  // extension 2 (len 3) then extension 1 (len 4), then 2 payload bytes
  const bytes = hex('01 02 0001 00000000 00000000 00000000 0002 0001  01 03 aabbcc  00 04 ff000000  7788');
  const p = decodePacket(bytes) as UtpPacket;
  assert.equal(p.type, ST_DATA);
  assert.equal(p.sackOffset, 27);
  assert.equal(p.payloadOffset, 31);
  assert.deepEqual([...bytes.subarray(p.payloadOffset)], [0x77, 0x88]);
});

test("selective ACKs of any length (libtorrent sends ceil(span / 8) bytes, not a multiple of 4)", () => {
  // ST_STATE, extension 1, ack_nr 0x0010; a 1-byte sack with bits 0 and 2 (seqs 0x12 and 0x14), then a 3-byte one.
  const one = decodePacket(hex('21 01 0000 00000000 00000000 00100000 0001 0010 00 01 05'));
  assert.ok(typeof one !== 'string', String(one));
  assert.equal(one.sackLength, 1);
  assert.equal(sackBit(hex('21 01 0000 00000000 00000000 00100000 0001 0010 00 01 05'), one.sackOffset, 2), true);
  const three = decodePacket(hex('01 01 0000 00000000 00000000 00100000 0001 0010 00 03 010203 cafe'));
  assert.ok(typeof three !== 'string', String(three));
  assert.equal(three.sackLength, 3);
  assert.equal(three.payloadLength, 2, 'the payload starts after the 3-byte bitmask');
});

test('typed errors for garbage', () => {
  assert.equal(decodePacket(new Uint8Array(19)), 'too-short');
  assert.equal(decodePacket(hex('42 00 0000 00000000 00000000 00000000 0000 0000')), 'bad-version');
  assert.equal(decodePacket(hex('51 00 0000 00000000 00000000 00000000 0000 0000')), 'bad-type');
  assert.equal(decodePacket(hex('21 01 0000 00000000 00000000 00000000 0000 0000 00')), 'truncated-extension');
  assert.equal(decodePacket(hex('21 01 0000 00000000 00000000 00000000 0000 0000 00 00')), 'bad-sack-length');
  assert.equal(decodePacket(hex('21 01 0000 00000000 00000000 00000000 0000 0000 00 08 00000000')), 'truncated-extension');
});

test('looksLikeUtp separates uTP from bencoded KRPC', () => {
  assert.equal(looksLikeUtp(Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe')), false);
  assert.equal(looksLikeUtp(hex('41 00 1234 01020304 00000000 00100000 0001 0000')), true);
  assert.equal(looksLikeUtp(hex('41 00 1234')), false);
});

test('sequence arithmetic wraps at 2^16', () => {
  assert.equal(seqLess(65535, 0), true);
  assert.equal(seqLess(0, 65535), false);
  assert.equal(seqLess(5, 5), false);
  assert.equal(seqDiff(2, 65534), 4);
  assert.equal(seqDiff(65534, 2), -4);
});

const header = fc.record({
  type: fc.integer({ min: 0, max: 4 }).map((t) => t as PacketType),
  connectionId: fc.integer({ min: 0, max: 0xffff }),
  timestampMicros: fc.integer({ min: 0, max: 0xffffffff }),
  timestampDiffMicros: fc.integer({ min: 0, max: 0xffffffff }),
  windowSize: fc.integer({ min: 0, max: 0xffffffff }),
  seqNr: fc.integer({ min: 0, max: 0xffff }),
  ackNr: fc.integer({ min: 0, max: 0xffff }),
});
const sack = fc.integer({ min: 0, max: 8 }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }));

test('fuzz: encode then decode gives the same fields, sack and payload', () => {
  fc.assert(
    fc.property(header, sack, fc.uint8Array({ maxLength: 64 }), (h, s, payload) => {
      const buf = new Uint8Array(headerLength(s.length) + payload.length);
      const at = encodeHeader(buf, h, s, s.length);
      buf.set(payload, at);
      const p = emptyPacket();
      assert.equal(decodePacketInto(buf, p), null);
      assert.deepEqual(
        { type: p.type, connectionId: p.connectionId, timestampMicros: p.timestampMicros, timestampDiffMicros: p.timestampDiffMicros, windowSize: p.windowSize, seqNr: p.seqNr, ackNr: p.ackNr },
        { ...h },
      );
      assert.equal(p.sackLength, s.length);
      if (s.length > 0) assert.deepEqual(buf.subarray(p.sackOffset, p.sackOffset + p.sackLength), s);
      assert.deepEqual(buf.subarray(p.payloadOffset), payload);
      assert.equal(p.payloadOffset + p.payloadLength, buf.length);
    }),
    { numRuns: RUNS },
  );
});

const seeds = [
  hex('41 00 1234 01020304 00000000 00100000 0001 0000'),
  hex('21 01 ffff fedcba98 80000001 0000ffff 0005 fffe 00 04 01020000'),
  hex('01 02 0001 00000000 00000000 00000000 0002 0001  01 03 aabbcc  00 04 ff000000  7788'),
];
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.tuple(fc.constantFrom(...seeds), byteEdits).map(([s, e]) => mutate(s, e)),
);

test('fuzz: decode of random and mutated bytes never throws and stays in bounds', () => {
  const p = emptyPacket();
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      const err = decodePacketInto(bytes, p);
      if (err !== null) {
        assert.equal(typeof err, 'string');
        return;
      }
      assert.ok(bytes.length >= HEADER_SIZE);
      assert.ok(p.payloadOffset >= HEADER_SIZE && p.payloadOffset + p.payloadLength === bytes.length);
      if (p.sackLength > 0) assert.ok(p.sackOffset + p.sackLength <= p.payloadOffset);
      assert.equal(looksLikeUtp(bytes), true);
    }),
    { numRuns: RUNS * 4 },
  );
});
