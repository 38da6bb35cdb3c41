// A home network behind a NAT router on a "public" switch segment: the home host reaches public hosts (masqueraded
// as the router's WAN address); public hosts cannot reach it, even with a route aimed at the router, until a port is
// mapped. IPv6 is not translated but the same router drops unsolicited inbound.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, measureRtt, runBulkFlow, startBulkSink, startUdpEcho } from '../../testing/lab/index.js';

describe('network lab: NAT router', { timeout: 150_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create({
      switches: [{ name: 'inet' }],
      routers: [{ name: 'home', nat: { wan: 'inet' } }],
      hosts: [{ name: 'pub1' }, { name: 'pub2' }, { name: 'pc' }],
      links: [{ a: 'pub1', b: 'inet' }, { a: 'pub2', b: 'inet' }, { a: 'home', b: 'inet' }, { a: 'home', b: 'pc' }],
      ipv6: true,
    });
    await startUdpEcho(lab, 'pub1', 7000);
  });
  after(() => lab?.close());
  const probe = { count: 10, intervalMs: 20, waitMs: 500 };

  it('the home host reaches a public host, which sees the router WAN address as the source', async () => {
    const rtt = await measureRtt(lab, 'pc', { host: lab.address('pub1'), port: 7000 }, probe);
    assert.equal(rtt.received, rtt.sent);
    const echo = await startUdpEcho(lab, 'pub2', 7001);
    await measureRtt(lab, 'pc', { host: lab.address('pub2'), port: 7001 }, probe);
    const sources = echo.lines().filter((l) => l.startsWith('from ')).map((l) => l.slice(5));
    assert.deepEqual(sources, [lab.address('home', { toward: 'inet' })]);
  });

  it('public hosts share one segment (IPv4 and IPv6)', async () => {
    assert.equal((await measureRtt(lab, 'pub2', { host: lab.address('pub1'), port: 7000 }, probe)).received, probe.count);
    assert.equal((await measureRtt(lab, 'pub2', { host: lab.address('pub1', { family: 6 }), port: 7000 }, probe)).received, probe.count);
  });

  it('unsolicited inbound is dropped, even with a route to the home network via the router', async () => {
    await startUdpEcho(lab, 'pc', 7000);
    const pcAddress = lab.address('pc');
    assert.equal((await measureRtt(lab, 'pub1', { host: pcAddress, port: 7000 }, probe)).received, 0, 'no route from outside');
    // A neighbour on the WAN segment can aim packets at the router anyway: the forward filter must drop them.
    const lan = `${pcAddress.split('.').slice(0, 3).join('.')}.0/24`;
    await lab.exec('pub1', 'ip', ['route', 'add', lan, 'via', lab.address('home', { toward: 'inet' })]);
    assert.equal((await measureRtt(lab, 'pub1', { host: pcAddress, port: 7000 }, probe)).received, 0, 'the NAT router forwarded unsolicited inbound IPv4');
    // IPv6 is routed (no translation) but firewalled the same way; outbound works.
    assert.equal((await measureRtt(lab, 'pub1', { host: lab.address('pc', { family: 6 }), port: 7000 }, probe)).received, 0, 'unsolicited inbound IPv6 got through');
    assert.equal((await measureRtt(lab, 'pc', { host: lab.address('pub1', { family: 6 }), port: 7000 }, probe)).received, probe.count);
  });

  it('a mapped port makes the home host reachable at the router WAN address (UDP and TCP)', async () => {
    const wan = lab.address('home', { toward: 'inet' });
    await lab.mapPort('home', { proto: 'udp', port: 17000, to: 'pc', toPort: 7000 });
    const rtt = await measureRtt(lab, 'pub2', { host: wan, port: 17000 }, probe);
    assert.equal(rtt.received, rtt.sent, 'mapped UDP port did not answer');

    await startBulkSink(lab, 'pc', 5001).then(async (sink) => {
      await assert.rejects(runBulkFlow(lab, 'pub2', sink, { host: wan, port: 5001 }, 1), /failed/, 'unmapped TCP port reached the home host');
      await lab.mapPort('home', { proto: 'tcp', port: 5001, to: 'pc' });
      const flow = await runBulkFlow(lab, 'pub2', sink, { host: wan, port: 5001 }, 1);
      assert.ok(flow.bytes > 100_000 && flow.bytes === flow.sent, `mapped TCP flow: ${JSON.stringify(flow)}`);
    });
  });
});
