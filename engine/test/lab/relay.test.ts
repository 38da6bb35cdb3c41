// The user-space delay/loss relay (no netem here): it adds the configured one-way delay in each direction and drops
// the configured fraction of datagrams; TCP passes through it too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../testing/random.js';
import { Lab, measureRtt, runBulkFlow, startBulkSink, startDelayRelay, startUdpEcho, stopRelay } from '../../testing/lab/index.js';

describe('network lab: delay/loss relay', { timeout: 150_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create({ hosts: [{ name: 'a' }, { name: 'b' }], routers: [{ name: 'r' }], links: [{ a: 'a', b: 'r' }, { a: 'r', b: 'b' }] });
    await startUdpEcho(lab, 'b', 7000);
  });
  after(() => lab?.close());

  it('50 ms one way adds 100 ms ±20% to the round trip', async () => {
    const relay = await startDelayRelay(lab, 'r', { port: 8000, to: { host: lab.address('b'), port: 7000 }, delayMs: 50 });
    const rtt = await measureRtt(lab, 'a', { host: lab.address('r', { toward: 'a' }), port: 8000 }, { count: 60, intervalMs: 20, waitMs: 1000 });
    await stopRelay(relay);
    const report = `RTT through the relay: min ${rtt.minMs} median ${rtt.medianMs} p95 ${rtt.p95Ms} ms, ${rtt.received}/${rtt.sent}`;
    console.log(report);
    assert.equal(rtt.received, rtt.sent, report);
    assert.ok(rtt.medianMs >= 80 && rtt.medianMs <= 120, report);
  });

  it('5% loss on the way up drops 5% ±2 points of the datagrams, reproducibly from its seed', async () => {
    const relay = await startDelayRelay(lab, 'r', { port: 8001, to: { host: lab.address('b'), port: 7000 }, delayMs: 5, lossUp: 0.05, seed: 42 });
    const rtt = await measureRtt(lab, 'a', { host: lab.address('r', { toward: 'a' }), port: 8001 }, { count: 1000, intervalMs: 4, waitMs: 1000 });
    const counts = await stopRelay(relay);
    const report = `loss ${(rtt.loss * 100).toFixed(1)}% (${rtt.sent - rtt.received}/${rtt.sent}); relay up ${JSON.stringify(counts.up)} down ${JSON.stringify(counts.down)}`;
    console.log(report);
    assert.ok(Math.abs(rtt.loss - 0.05) <= 0.02, report);
    assert.equal(counts.up.dropped, rtt.sent - rtt.received, `every lost probe was dropped by the relay: ${report}`);
    assert.equal(counts.down.dropped, 0, report);
    // The up direction draws once per datagram from seededRandom(seed): the same drops on every run.
    const draw = seededRandom(42);
    const expected = Array.from({ length: counts.up.forwarded + counts.up.dropped }, () => draw() < 0.05).filter(Boolean).length;
    assert.equal(counts.up.dropped, expected, `drops differ from the seed's sequence: ${report}`);
  });

  it('a TCP stream passes through the relay whole', async () => {
    const sink = await startBulkSink(lab, 'b', 5001);
    const relay = await startDelayRelay(lab, 'r', { port: 8002, to: { host: lab.address('b'), port: 5001 }, delayMs: 40, tcp: true });
    const flow = await runBulkFlow(lab, 'a', sink, { host: lab.address('r', { toward: 'a' }), port: 8002 }, 2);
    await stopRelay(relay);
    console.log(`TCP via relay: ${flow.bytes} bytes in ${flow.seconds} s`);
    assert.ok(flow.bytes > 1_000_000, `only ${flow.bytes} bytes through the TCP relay`);
    assert.equal(flow.bytes, flow.sent, 'the sink received a different number of bytes than the source sent');
  });
});
