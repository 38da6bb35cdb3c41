// An htb-shaped bottleneck: a TCP bulk flow gets the configured rate, and while it runs the deep queue shows up as
// UDP echo round-trip time far above idle, which falls back once the flow ends.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Lab, measureRtt, runBulkFlow, startBulkSink, startUdpEcho } from '../../testing/lab/index.js';

describe('network lab: shaped bottleneck', { timeout: 150_000 }, () => {
  let lab: Lab | undefined;
  after(() => lab?.close());

  it('20 Mbit/s htb link: bulk TCP gets 20 Mbit/s ±15%, and its queue raises the RTT until the flow ends', async () => {
    // Loss-based congestion control fills the 300 ms queue (the kernel default here, BBR, keeps it nearly empty).
    lab = await Lab.create({
      hosts: [{ name: 'a' }, { name: 'b' }],
      routers: [{ name: 'r' }],
      links: [{ a: 'a', b: 'r' }, { a: 'r', b: 'b', rate: '20mbit', queueMs: 300 }],
      tcpCongestion: 'reno',
    });
    const echo = { host: lab.address('b'), port: 7000 };
    await startUdpEcho(lab, 'b', echo.port);
    const sink = await startBulkSink(lab, 'b', 5001);

    const idle = await measureRtt(lab, 'a', echo, { count: 30, intervalMs: 20, waitMs: 1000 });
    const flow = runBulkFlow(lab, 'a', sink, { host: lab.address('b'), port: 5001 }, 10);
    await new Promise((r) => setTimeout(r, 3000)); // tool start-up and slow start
    const loaded = await measureRtt(lab, 'a', echo, { count: 60, intervalMs: 50, waitMs: 1500 });
    const goodput = await flow;
    const afterwards = await measureRtt(lab, 'a', echo, { count: 30, intervalMs: 20, waitMs: 1000 });
    const report = `goodput ${goodput.mbit} Mbit/s over ${goodput.seconds} s; RTT median idle ${idle.medianMs} ms, loaded ${loaded.medianMs} ms (p95 ${loaded.p95Ms}), after ${afterwards.medianMs} ms`;
    console.log(report);

    assert.ok(Math.abs(goodput.mbit - 20) <= 3, `TCP goodput not within 20 Mbit/s ±15%: ${report}`);
    assert.ok(idle.medianMs < 10, `idle RTT too high: ${report}`);
    assert.ok(loaded.medianMs > idle.medianMs + 50, `the queue did not build delay under load: ${report}`);
    assert.ok(loaded.medianMs < 300 + 100, `more delay than a 300 ms queue can hold: ${report}`);
    assert.ok(afterwards.medianMs < 10, `the RTT did not return to idle after the flow: ${report}`);
  });
});
