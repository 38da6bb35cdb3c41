// How a UtpSocket batches its answers: one ACK per event-loop turn, and, when a turn's read stopped at libuv's
// per-turn limit (32 datagrams: the socket still holds more), one ACK after the rest of the burst is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodeHeader, HEADER_SIZE, ST_DATA, ST_STATE, ST_SYN, type UtpPacket } from './packet.js';
import { UtpSocket, type UtpDatagramPort } from './socket.js';

const HOST = '127.0.0.1';
const PORT = 6881;
const PEER_RECV_ID = 100;
const FIRST_SEQ = 1000;

/** A datagram port whose incoming side the test drives, datagram by datagram, as libuv would in one poll. */
function fakePort(): { port: UtpDatagramPort; sent: UtpPacket[]; deliver: (d: Uint8Array) => void } {
  const sent: UtpPacket[] = [];
  let handler: ((data: Uint8Array, host: string, port: number) => void) | null = null;
  return {
    sent,
    port: {
      send: (data) => {
        const p = decodePacket(data);
        assert.equal(typeof p, 'object', 'the socket sent a malformed packet');
        sent.push(p as UtpPacket);
      },
      onDatagram: (fn) => {
        handler = fn;
        return () => {
          handler = null;
        };
      },
    },
    deliver: (d) => handler!(d, HOST, PORT),
  };
}

function packet(type: typeof ST_SYN | typeof ST_DATA, seqNr: number, payload = 0): Uint8Array {
  const buf = new Uint8Array(HEADER_SIZE + payload);
  const connectionId = type === ST_SYN ? PEER_RECV_ID : PEER_RECV_ID + 1;
  encodeHeader(buf, { type, connectionId, timestampMicros: 1, timestampDiffMicros: 0, windowSize: 1 << 20, seqNr, ackNr: 0 }, null, 0);
  return buf;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A socket with one accepted connection; the SYN-ACK is already in `sent`. */
function accepted(): { socket: UtpSocket; sent: UtpPacket[]; deliverData: (count: number) => void } {
  const { port, sent, deliver } = fakePort();
  const socket = new UtpSocket(port);
  socket.onConnection((stream) => stream.attach({ receive: () => {}, transportClosed: () => {}, drained: () => {} }));
  deliver(packet(ST_SYN, FIRST_SEQ));
  assert.equal(sent.length, 1, 'the SYN is answered at once');
  let seq = FIRST_SEQ + 1;
  return { socket, sent, deliverData: (count) => { for (let i = 0; i < count; i++) deliver(packet(ST_DATA, seq++, 100)); } };
}

const acks = (sent: UtpPacket[]): UtpPacket[] => sent.slice(1).filter((p) => p.type === ST_STATE);

test('a turn that read fewer datagrams than libuv reads per turn is acknowledged at its end, once', async () => {
  const { socket, sent, deliverData } = accepted();
  deliverData(31);
  assert.equal(acks(sent).length, 0, 'no ACK while the turn is still reading');
  await nextTurn();
  assert.deepEqual(acks(sent).map((p) => p.ackNr), [FIRST_SEQ + 31]);
  socket.close();
});

test('a turn that read a full 32 waits for the rest of the burst, then acknowledges all of it once', async () => {
  const { socket, sent, deliverData } = accepted();
  deliverData(32);
  await nextTurn();
  assert.equal(acks(sent).length, 0, 'the socket still held datagrams: the ACK waits for them');
  deliverData(5); // the next turn's poll
  await nextTurn();
  await nextTurn();
  assert.deepEqual(acks(sent).map((p) => p.ackNr), [FIRST_SEQ + 37]);
  socket.close();
});

test('an endless burst is still acknowledged every few turns', async () => {
  const { socket, sent, deliverData } = accepted();
  for (let turn = 0; turn < 8; turn++) {
    deliverData(32);
    await nextTurn();
  }
  await nextTurn();
  const got = acks(sent).length;
  assert.ok(got >= 2 && got <= 3, `8 full turns gave ${got} ACKs (expected one per 4 turns at most apart)`);
  socket.close();
});
