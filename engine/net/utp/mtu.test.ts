import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROBES, MtuSearch, maxDatagramForLink } from './mtu.js';
import { decodePacket, encodeHeader, EXT_PADDING, headerLength, ST_DATA, type UtpPacket } from './packet.js';
import { SimNetwork, concat, payload } from './test-sim.js';

const SEC = 1_000_000;

/** Runs the search against a path that carries datagrams up to `pathMax` and silently drops bigger ones. */
function searchOver(pathMax: number, base: number, ceiling: number): { search: MtuSearch; probes: number[] } {
  const search = new MtuSearch({ base, ceiling });
  const probes: number[] = [];
  for (let seq = 1; seq < 100; seq++) {
    const size = search.nextProbe(seq);
    if (size === 0) break;
    probes.push(size);
    search.probeSent(seq, size);
    if (size <= pathMax) search.probeAcked();
    else search.probeLost();
  }
  return { search, probes };
}

test('the binary search converges just under the path MTU, never above it, in a handful of probes', () => {
  for (const pathMax of [1220, 1252, 1372, 1472, 8972, 65_507]) {
    const { search, probes } = searchOver(pathMax, 1220, 65_507);
    assert.ok(search.floor <= pathMax, `floor ${search.floor} above the path's ${pathMax}`);
    assert.ok(pathMax - search.floor < 16, `floor ${search.floor} far below the path's ${pathMax}`);
    assert.ok(probes.length <= 13 * 3, `${probes.length} probes`);
    assert.equal(search.nextProbe(1e6), 0, 'no probe once converged');
  }
});

test('one lost probe is not enough: a size counts as too big after MAX_PROBES losses in a row', () => {
  const s = new MtuSearch({ base: 1220, ceiling: 1472 });
  const size = s.nextProbe(0);
  for (let i = 1; i < MAX_PROBES; i++) {
    s.probeSent(i, size);
    s.probeLost();
    assert.equal(s.ceiling, 1472, `after ${i} loss(es)`);
    assert.equal(s.nextProbe(0), size, 'the same size is tried again');
  }
  s.probeSent(9, size);
  s.probeLost();
  assert.equal(s.ceiling, size - 1);
});

test('the floor never drops below the base, and a lost probe costs only the ceiling', () => {
  const { search } = searchOver(1000, 1220, 1472); // a path narrower than the base: every probe lost
  assert.equal(search.floor, 1220);
  assert.ok(search.ceiling < 1236);
  assert.equal(search.probesAcked, 0);
});

test('one probe at a time; a black hole resets to the base; a converged search reopens after the raise timer', () => {
  const s = new MtuSearch({ base: 1220, ceiling: 1472, raiseAfterMicros: 600 * SEC });
  const size = s.nextProbe(0);
  s.probeSent(7, size);
  assert.equal(s.nextProbe(0), 0, 'a probe is in flight');
  s.probeAcked();
  assert.equal(s.floor, size);
  s.blackHole();
  assert.equal(s.floor, 1220);
  for (let i = 0; s.nextProbe(SEC) > 0 && i < 100; i++) {
    s.probeSent(1, s.nextProbe(SEC));
    s.probeLost();
  }
  assert.equal(s.nextProbe(2 * SEC), 0);
  assert.ok(s.nextProbe(700 * SEC) > 1220, 'the search starts again after the raise timer');
  assert.equal(s.ceiling, 1472);
});

test('largest unfragmented UDP payload per link MTU and family', () => {
  assert.equal(maxDatagramForLink(1500, 4), 1472);
  assert.equal(maxDatagramForLink(1500, 6), 1452);
  assert.equal(maxDatagramForLink(1280, 6), 1232);
  assert.equal(maxDatagramForLink(65_536, 4), 65_507, 'IPv4 total length is 16 bits');
  assert.equal(maxDatagramForLink(65_536, 6), 65_488, 'loopback: 65536 - 40 - 8');
  assert.equal(maxDatagramForLink(70_000, 6), 65_527, 'IPv6 payload length is 16 bits, header excluded');
});

test('a padded probe decodes as a payload-less DATA packet of exactly the probe size', () => {
  for (const padding of [2, 3, 4, 256, 257, 258, 259, 1000, 65_487]) {
    const buf = new Uint8Array(headerLength(0, padding));
    const at = encodeHeader(buf, { type: ST_DATA, connectionId: 9, timestampMicros: 1, timestampDiffMicros: 2, windowSize: 3, seqNr: 4, ackNr: 5 }, null, 0, padding);
    assert.equal(at, buf.length);
    const p = decodePacket(buf) as UtpPacket;
    assert.equal(typeof p, 'object', `padding ${padding}: ${String(p)}`);
    assert.equal(p.payloadLength, 0);
    assert.equal(p.seqNr, 4);
    assert.equal(buf[1], EXT_PADDING);
  }
});

test('a simulated path with a 1400-byte MTU and a black hole above it: discovery settles below it, data arrives byte for byte', () => {
  const pathMax = 1400 - 28;
  const net = new SimNetwork({ seed: 4, delayMicros: 5000, maxDatagram: pathMax, conn: { maxDatagram: 8972 } });
  const data = payload(8 << 20);
  net.connect();
  let written = false;
  const ok = net.run(() => {
    if (!written && net.a.conn?.state === 'connected') {
      written = true;
      net.a.conn.write(data);
    }
    net.a.conn?.flush(net.now);
    return net.b.receivedBytes >= data.length;
  }, 300 * SEC);
  assert.ok(ok, `received ${net.b.receivedBytes} of ${data.length}`);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  const m = net.a.conn!.pathMtu;
  console.log(`  path max ${pathMax}: data at ${m.datagram}-byte datagrams, ceiling ${m.ceiling}, probes ${m.probesSent} (${m.probesAcked} acked, ${m.probesLost} lost)`);
  assert.ok(m.datagram <= pathMax && m.datagram > pathMax - 16, `datagram ${m.datagram}`);
  assert.ok(m.probesLost > 0 && m.probesAcked > 0);
  assert.equal(net.a.conn!.state, 'connected', 'lost probes did not hurt the connection');
});

test('a wide path (64 KiB): packets grow to the ceiling, and a FIN asked for while probing still follows every byte', () => {
  const net = new SimNetwork({ seed: 8, delayMicros: 200, conn: { maxDatagram: 65_507 } });
  const data = payload(16 << 20);
  net.connect();
  let written = false;
  const ok = net.run(() => {
    if (!written && net.a.conn?.state === 'connected') {
      written = true;
      net.a.conn.write(data);
      net.a.conn.end(net.now); // the FIN waits behind 16 MiB, and probes go out meanwhile
    }
    net.a.conn?.flush(net.now);
    return net.b.closedReason !== null && net.a.closedReason !== null;
  }, 300 * SEC);
  assert.equal(net.b.closedReason, 'peer closed the connection');
  assert.equal(net.a.closedReason, 'connection closed');
  assert.ok(ok, `received ${net.b.receivedBytes} of ${data.length}`);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  const m = net.a.conn!.pathMtu;
  assert.ok(m.datagram > 65_000, `datagram ${m.datagram}`);
});

test('5% random loss on an Ethernet-sized path: lost probes are retried, so packets still grow to about 1472 bytes', () => {
  const net = new SimNetwork({ seed: 12, delayMicros: 10_000, loss: 0.05, maxDatagram: 1472, conn: { maxDatagram: 1472 } });
  const data = payload(4 << 20);
  net.connect();
  let written = false;
  const ok = net.run(() => {
    if (!written && net.a.conn?.state === 'connected') {
      written = true;
      net.a.conn.write(data);
    }
    net.a.conn?.flush(net.now);
    return net.b.receivedBytes >= data.length;
  }, 600 * SEC);
  assert.ok(ok, `received ${net.b.receivedBytes} of ${data.length}`);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  const m = net.a.conn!.pathMtu;
  console.log(`  5% loss, path max 1472: data at ${m.datagram}-byte datagrams, probes ${m.probesSent} (${m.probesAcked} acked, ${m.probesLost} lost)`);
  assert.ok(m.datagram > 1456, `datagram ${m.datagram}`);
});
