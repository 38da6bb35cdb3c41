import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork, concat, payload, type SimOptions, type SimSide } from './test-sim.js';
import { ST_STATE, decodePacket, type UtpPacket } from './packet.js';

const SEC = 1_000_000;

/** Writes `data` from `side` in 16 KiB pieces, honouring back-pressure; returns a pump to call between steps. */
function writer(side: SimSide, data: Uint8Array): (() => boolean) & { written: () => number } {
  let at = 0;
  let waiting = false;
  let drainsSeen = 0;
  const pump = () => {
    const conn = side.conn;
    if (!conn || conn.state !== 'connected') return at >= data.length;
    if (waiting && side.drains === drainsSeen) return false;
    waiting = false;
    while (at < data.length) {
      const n = Math.min(16384, data.length - at);
      const ok = conn.write(data.subarray(at, at + n));
      at += n;
      if (!ok) {
        waiting = true;
        drainsSeen = side.drains;
        break;
      }
    }
    return at >= data.length;
  };
  return Object.assign(pump, { written: () => at });
}

function transfer(opts: SimOptions, bytes: number, limitSec: number): { net: SimNetwork; data: Uint8Array; ok: boolean } {
  const net = new SimNetwork(opts);
  const data = payload(bytes);
  net.connect();
  const pump = writer(net.a, data);
  const ok = net.run(() => {
    pump();
    net.a.conn?.flush(net.now);
    return net.b.receivedBytes >= bytes;
  }, limitSec * SEC);
  return { net, data, ok };
}

test('handshake: SYN, SYN-ACK (STATE), both sides connected with the BEP connection ids', () => {
  const net = new SimNetwork();
  net.connect();
  assert.ok(net.run(() => net.a.connected && net.b.connected, 2 * SEC));
  assert.equal(net.a.conn!.recvId, 0x1234);
  assert.equal(net.a.conn!.sendId, 0x1235);
  assert.equal(net.b.conn!.recvId, 0x1235, 'the acceptor receives on the id the initiator sends with');
  assert.equal(net.b.conn!.sendId, 0x1234);
});

test('4 MiB byte for byte with 5% loss, reordering and duplicates', () => {
  const { net, data, ok } = transfer({ seed: 3, delayMicros: 20_000, jitterMicros: 15_000, loss: 0.05, duplicate: 0.03 }, 4 << 20, 600);
  assert.ok(ok, `received ${net.b.receivedBytes} of ${data.length}`);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  assert.ok(net.a.conn!.retransmits > 0, 'losses were repaired by retransmission');
  const simSeconds = (net.now - 1 * SEC) / SEC;
  console.log(`  4 MiB at 5% loss: ${simSeconds.toFixed(1)} s simulated, ${net.a.conn!.retransmits} retransmits, cwnd ${net.a.conn!.congestionWindow}`);
});

test('sequence numbers wrap around 65535 on both sides', () => {
  const { net, data, ok } = transfer({ seed: 5, initiatorSeq: 65_500, acceptorSeq: 65_530, loss: 0.02, jitterMicros: 5000 }, 300_000, 120);
  assert.ok(ok);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  // and the other way, across the acceptor's wrap
  const back = payload(200_000, 9);
  const pump = writer(net.b, back);
  assert.ok(net.run(() => (pump(), net.b.conn!.flush(net.now), net.a.receivedBytes >= back.length), 120 * SEC));
  assert.deepEqual(concat(net.a.received), Buffer.from(back));
});

test('FIN from either side: the peer sees the end after all data, the closer after the ACK', () => {
  for (const closer of ['a', 'b'] as const) {
    const net = new SimNetwork({ seed: 11, loss: 0.05 });
    net.connect();
    assert.ok(net.run(() => net.a.connected && net.b.connected, 5 * SEC));
    const [from, to] = closer === 'a' ? [net.a, net.b] : [net.b, net.a];
    const data = payload(50_000);
    from.conn!.write(data);
    from.conn!.end(net.now);
    assert.ok(net.run(() => to.closedReason !== null && from.closedReason !== null, 60 * SEC), `closer ${closer}: ${from.closedReason} / ${to.closedReason}`);
    assert.equal(to.closedReason, 'peer closed the connection');
    assert.equal(from.closedReason, 'connection closed');
    assert.deepEqual(concat(to.received), Buffer.from(data));
  }
});

test('RESET closes the peer at once', () => {
  const net = new SimNetwork();
  net.connect();
  assert.ok(net.run(() => net.b.connected && net.a.connected, 2 * SEC));
  net.b.conn!.abort('bye', net.now);
  assert.equal(net.b.closedReason, 'bye');
  assert.ok(net.run(() => net.a.closedReason !== null, 2 * SEC));
  assert.equal(net.a.closedReason, 'connection reset by peer');
});

test('connect timeout: no answer, the SYN is retried then the connection gives up', () => {
  const net = new SimNetwork({ loss: 1 });
  net.connect();
  assert.ok(net.run(() => net.a.closedReason !== null, 60 * SEC));
  assert.equal(net.a.closedReason, 'connect timed out');
  assert.equal(net.a.datagramsOut, 4, 'one SYN and three retries');
  assert.ok(net.now - 1 * SEC >= 14 * SEC && net.now - 1 * SEC < 17 * SEC, `gave up after ${(net.now - SEC) / SEC} s`);
});

test('idle timeout when the peer vanishes; keep-alives hold an idle but live link open', () => {
  const conn = { idleTimeoutMicros: 20 * SEC, keepAliveMicros: 5 * SEC };
  const live = new SimNetwork({ conn });
  live.connect();
  assert.ok(live.run(() => live.a.connected && live.b.connected, 2 * SEC));
  const sentBefore = live.a.datagramsOut;
  assert.equal(live.run(() => live.a.closedReason !== null || live.b.closedReason !== null, 60 * SEC), false, 'still open after 60 s idle');
  assert.ok(live.a.datagramsOut - sentBefore >= 10, 'keep-alives went out');
  live.setLink({ loss: 1 });
  assert.ok(live.run(() => live.a.closedReason !== null && live.b.closedReason !== null, 30 * SEC));
  assert.equal(live.a.closedReason, 'timed out: nothing received');
});

test('data to a peer that vanished: retransmission timeouts close the connection', () => {
  const net = new SimNetwork();
  net.connect();
  assert.ok(net.run(() => net.a.connected && net.b.connected, 2 * SEC));
  net.setLink({ loss: 1 });
  net.a.conn!.write(payload(10_000));
  net.a.conn!.flush(net.now);
  assert.ok(net.run(() => net.a.closedReason !== null, 200 * SEC));
  assert.equal(net.a.closedReason, 'timed out: no acknowledgement');
});

test('receive window: a paused reader gets no more than its buffer, then everything after resuming', () => {
  const opts: SimOptions = { seed: 2, conn: { receiveBufferPackets: 64 } };
  const net = new SimNetwork(opts);
  net.connect();
  assert.ok(net.run(() => net.b.connected && net.a.connected, 2 * SEC));
  net.b.conn!.pauseReading();
  const data = payload(1 << 20);
  const pump = writer(net.a, data);
  let maxWindowSeen = Infinity;
  net.tap = (to, d) => {
    const p = decodePacket(d);
    if (to === 'a' && typeof p !== 'string' && (p as UtpPacket).type === ST_STATE) maxWindowSeen = Math.min(maxWindowSeen, (p as UtpPacket).windowSize);
    return d;
  };
  // Paused for 2 minutes: longer than the sender's retransmission give-up, yet a peer answering with a closed window is alive.
  net.run(() => (pump(), net.a.conn!.flush(net.now), false), 120 * SEC);
  assert.equal(net.a.closedReason, null);
  assert.equal(net.b.receivedBytes, 0, 'nothing delivered while paused');
  assert.ok(maxWindowSeen < 1200, `the advertised window closed (down to ${maxWindowSeen} bytes)`);
  const accepted = pump.written() - net.a.conn!.bufferedBytes;
  assert.ok(accepted <= 64 * 1452, `the receiver took ${accepted} bytes: its buffer plus at most one probe`);
  assert.ok(accepted >= 64 * 1452 - 1200, `the receiver took ${accepted} bytes: about its buffer`);
  net.b.conn!.resumeReading(net.now);
  assert.ok(net.run(() => (pump(), net.a.conn!.flush(net.now), net.b.receivedBytes >= data.length), 60 * SEC));
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
});

test('back-pressure: write() says wait when the send buffer is full, drained() fires as it empties', () => {
  const net = new SimNetwork({ conn: { sendBufferPackets: 16 } });
  net.connect();
  assert.ok(net.run(() => net.a.connected, 2 * SEC));
  assert.equal(net.a.conn!.write(payload(100_000)), false);
  assert.ok(net.run(() => net.a.drains > 0, 30 * SEC));
  assert.ok(net.run(() => net.b.receivedBytes === 100_000, 30 * SEC));
});

test('LEDBAT holds the queue near the 100 ms target on a slow link', () => {
  // 1 packet/ms (about 1.2 MB/s) with a 10 ms base delay: an unlimited window would build a long queue.
  const { net, ok } = transfer({ seed: 4, delayMicros: 10_000, packetsPerMs: 1 }, 3 << 20, 120);
  assert.ok(ok);
  const cwnd = net.a.conn!.congestionWindow;
  // 100 ms of queue at 1.2 MB/s is 120 KB plus the bandwidth-delay product of 24 KB.
  assert.ok(cwnd < 260_000, `window ${cwnd} should stay near 144 KB`);
  const seconds = (net.now - SEC) / SEC;
  assert.ok(seconds < 5, `3 MiB over a 1.2 MB/s link took ${seconds} s`);
});

/** Re-encodes a datagram's selective ACK the way libtorrent sizes it: ceil(span / 8) bytes, not a multiple of 4. */
function libtorrentSack(data: Uint8Array): Uint8Array {
  const p = decodePacket(data);
  if (typeof p === 'string' || p.sackLength === 0 || data[1] !== 1) return data;
  let highest = -1;
  for (let i = 0; i < p.sackLength * 8; i++) if (data[p.sackOffset + (i >> 3)]! & (1 << (i & 7))) highest = i;
  const len = Math.max(1, (highest + 8) >> 3);
  if (len === p.sackLength) return data;
  const out = new Uint8Array(22 + len + p.payloadLength);
  out.set(data.subarray(0, 22 + len));
  out[21] = len;
  out.set(data.subarray(p.payloadOffset), 22 + len);
  return out;
}

test('regression: selective ACKs of ceil(span / 8) bytes (libtorrent) are taken, not dropped as malformed', () => {
  // Loss towards B leaves holes, so nearly every ACK B sends carries a selective ACK; libtorrent sizes it to the
  // bits it needs. Dropping those datagrams (the old decoder wanted multiples of 4) hid every ACK from A while B
  // held data out of order; A backed off its RTO until "timed out: no acknowledgement" (the uTP stall at 13%).
  const net = new SimNetwork({ seed: 5, delayMicros: 10_000 });
  let trimmed = 0;
  net.tap = (to, data) => {
    if (to === 'b') return net.random() < 0.04 ? null : data; // 4% loss of A's DATA
    const out = libtorrentSack(data);
    if (out !== data && out[21]! % 4 !== 0) trimmed++;
    return out;
  };
  const data = payload(2 << 20);
  net.connect();
  const pump = writer(net.a, data);
  const ok = net.run(() => {
    pump();
    net.a.conn?.flush(net.now);
    return net.b.receivedBytes >= data.length || net.a.closedReason !== null;
  }, 120 * SEC);
  assert.equal(net.a.closedReason, null, 'the sender gave up');
  assert.ok(ok, `received ${net.b.receivedBytes} of ${data.length}`);
  assert.deepEqual(concat(net.b.received), Buffer.from(data));
  assert.ok(trimmed > 20, `only ${trimmed} ACKs carried a short selective ACK`);
  const seconds = (net.now - SEC) / SEC;
  // With the ACKs seen, SACK repairs the holes within a few round trips; without them every hole costs an RTO.
  assert.ok(seconds < 30, `2 MiB took ${seconds.toFixed(1)} s simulated`);
  console.log(`  2 MiB with libtorrent-sized SACKs at 4% loss: ${seconds.toFixed(1)} s simulated, ${trimmed} short SACKs, ${net.a.conn!.retransmits} retransmits`);
});
