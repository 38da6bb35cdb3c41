// The port mapper against fake routers on loopback: good ones (PCP, NAT-PMP fallback, UPnP), routers that refuse,
// take our port, reboot, or send garbage. Whatever they do, the mapper keeps running and reports a clear status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PortMapper, type PortMapperOptions } from './port-mapper.js';
import { FakeIgd, FakePmpRouter, IGD_DESCRIPTION } from './test-fake-router.js';

const fast = { tries: 2, firstTimeoutMs: 50 };

async function withPmp(fn: (router: FakePmpRouter, opts: PortMapperOptions) => Promise<void>): Promise<void> {
  const router = await FakePmpRouter.start();
  try {
    await fn(router, { internalPort: 6881, gateway: '127.0.0.1', methods: ['pcp', 'nat-pmp'], pmp: { port: router.port, ...fast }, retryMs: 600_000 });
  } finally {
    await router.close();
  }
}

async function withIgd(fn: (igd: FakeIgd, opts: PortMapperOptions) => Promise<void>): Promise<void> {
  const igd = await FakeIgd.start();
  try {
    await fn(igd, { internalPort: 6881, gateway: '127.0.0.1', methods: ['upnp'], upnp: { target: { host: '127.0.0.1', port: igd.ssdpPort }, timeoutMs: 300 }, retryMs: 600_000 });
  } finally {
    await igd.close();
  }
}

describe('PortMapper with NAT-PMP/PCP routers', { timeout: 30_000 }, () => {
  it('maps TCP and UDP by PCP, learns the external address, and deletes both on stop', () =>
    withPmp(async (router, opts) => {
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.state, 'mapped', mapper.status.message);
      assert.equal(mapper.status.method, 'pcp');
      assert.equal(mapper.status.externalPort, 6881);
      assert.equal(mapper.status.externalAddress, '203.0.113.7');
      assert.match(mapper.status.message, /^Port 6881 open via PCP on 127\.0\.0\.1/);
      assert.deepEqual([...router.mappings.keys()].sort(), ['tcp:6881', 'udp:6881']);
      await mapper.stop();
      assert.equal(router.mappings.size, 0, 'mappings left after stop');
      assert.equal(mapper.status.state, 'stopped');
    }));

  it('falls back to NAT-PMP when the router does not speak PCP', () =>
    withPmp(async (router, opts) => {
      router.behaviour.pcp = false;
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.method, 'nat-pmp', mapper.status.message);
      assert.equal(mapper.status.externalAddress, '203.0.113.7');
      await mapper.stop();
      assert.equal(router.mappings.size, 0);
    }));

  it('takes the port the router offers when ours is taken, the same for TCP and UDP', () =>
    withPmp(async (router, opts) => {
      router.behaviour.taken.add(6881);
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.externalPort, 6882);
      assert.deepEqual([...router.mappings.values()].map((m) => m.externalPort), [6882, 6882]);
      assert.match(mapper.status.message, /external 203\.0\.113\.7:6882/);
      await mapper.stop();
    }));

  it('reports a refusal', () =>
    withPmp(async (router, opts) => {
      router.behaviour.result = 2;
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.state, 'failed');
      assert.match(mapper.status.message, /^mapping failed: .*router refused \(not authorized/);
      await mapper.stop();
    }));

  it('reports silence as no router answering', () =>
    withPmp(async (router, opts) => {
      router.behaviour.pcp = router.behaviour.natpmp = false;
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.message, 'mapping failed: no router answered (PCP, NAT-PMP) at 127.0.0.1');
      await mapper.stop();
    }));

  it('survives garbage replies and says the router sent malformed replies', () =>
    withPmp(async (router, opts) => {
      let n = 0;
      router.behaviour.reply = (req) => [Buffer.from([req[0]!, 0x81, 0xff]), Buffer.alloc(60, n++), Buffer.alloc(2000, 7), Buffer.from([0, 200, 0, 0, 0, 0, 0, 0])];
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.state, 'failed');
      assert.match(mapper.status.message, /malformed replies/);
      // The router recovers: the next round maps.
      delete router.behaviour.reply;
      await (mapper as unknown as { round(): Promise<void> }).round();
      assert.equal(mapper.status.state, 'mapped', mapper.status.message);
      await mapper.stop();
    }));

  it('maps again after the router reboots (epoch went back)', () =>
    withPmp(async (router, opts) => {
      const logs: string[] = [];
      const mapper = new PortMapper({ ...opts, log: (l) => logs.push(l) });
      await mapper.start();
      router.mappings.clear();
      router.behaviour.epoch = 3; // rebooted: seconds since start restart from 0
      await (mapper as unknown as { round(): Promise<void> }).round();
      assert.ok(logs.some((l) => l.includes('restarted')), logs.join('\n'));
      assert.equal(router.mappings.size, 2);
      await mapper.stop();
    }));
});

describe('PortMapper with UPnP IGD routers', { timeout: 30_000 }, () => {
  it('discovers the router, maps TCP and UDP, reads the external address, and deletes both on stop', () =>
    withIgd(async (igd, opts) => {
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.state, 'mapped', mapper.status.message);
      assert.equal(mapper.status.externalAddress, '203.0.113.9');
      assert.match(mapper.status.message, /^Port 6881 open via UPnP on 127\.0\.0\.1/);
      assert.deepEqual([...igd.mappings.keys()].sort(), ['TCP:6881', 'UDP:6881']);
      assert.equal(igd.mappings.get('TCP:6881')?.internalClient, '127.0.0.1');
      await mapper.stop();
      assert.equal(igd.mappings.size, 0);
    }));

  it('picks another external port on ConflictInMappingEntry (718)', () =>
    withIgd(async (igd, opts) => {
      igd.behaviour.taken.add(6881);
      const mapper = new PortMapper(opts);
      await mapper.start();
      assert.equal(mapper.status.state, 'mapped', mapper.status.message);
      assert.notEqual(mapper.status.externalPort, 6881);
      assert.deepEqual([...igd.mappings.keys()].sort(), [`TCP:${mapper.status.externalPort}`, `UDP:${mapper.status.externalPort}`]);
      await mapper.stop();
    }));

  it('after a failed renewal (the router lost its state) finds the router again and maps anew', () =>
    withIgd(async (igd, opts) => {
      const lines: string[] = [];
      const mapper = new PortMapper({ ...opts, log: (l) => lines.push(l) });
      await mapper.start();
      const discoveries = igd.actions.filter((a) => a === 'AddPortMapping').length;
      igd.mappings.clear();
      igd.behaviour.addFault = 501;
      igd.behaviour.addFaultTimes = 1;
      await (mapper as unknown as { round(): Promise<void> }).round();
      assert.ok(lines.some((l) => l.includes('renewal failed') && l.includes('looking for the router again')), lines.join('\n'));
      assert.equal(mapper.status.state, 'mapped', mapper.status.message);
      assert.deepEqual([...igd.mappings.keys()].sort(), ['TCP:6881', 'UDP:6881']);
      assert.ok(igd.actions.filter((a) => a === 'AddPortMapping').length >= discoveries + 3);
      await mapper.stop();
    }));

  const hostile: [string, (igd: FakeIgd) => void, RegExp][] = [
    ['a SOAP fault (606 not authorized)', (igd) => (igd.behaviour.addFault = 606), /^mapping failed: UPnP: router refused \(error 606/],
    ['a SOAP reply that is not XML', (igd) => (igd.behaviour.addFault = -1), /^mapping failed: UPnP: the router's AddPortMapping reply is not valid XML/],
    ['a SOAP reply with an entity bomb', (igd) => (igd.behaviour.soapBody = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>'), /document type declarations and entities are not accepted/],
    ['a huge SOAP reply', (igd) => (igd.behaviour.soapBody = `<x>${'a'.repeat(200_000)}</x>`), /AddPortMapping reply is too large \(reply exceeds the 16384-byte limit\)/],
    ['a huge device description', (igd) => (igd.behaviour.description = `<root>${'<a></a>'.repeat(40_000)}</root>`), /device description is too large/],
    ['a description nested 10,000 deep', (igd) => (igd.behaviour.description = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`), /nested deeper than 32/],
    ['a description sending us to another host', (igd) => (igd.behaviour.description = IGD_DESCRIPTION.replace('{CONTROL}', 'http://198.51.100.1:80/ctl')), /which is not the router/],
    ['a description without a WAN service', (igd) => (igd.behaviour.description = IGD_DESCRIPTION.replace(/WANIPConnection/g, 'Layer3Forwarding')), /no WANIPConnection/],
    ['a malformed SSDP reply', (igd) => (igd.behaviour.ssdp = 'HTTP/1.1 200 OK\r\nLOCATION: ftp://127.0.0.1/x\r\n\r\n'), /unusable SSDP reply from 127\.0\.0\.1 \(SSDP LOCATION scheme ftp: is not http:\)/],
    ['an SSDP reply pointing at another host', (igd) => (igd.behaviour.ssdp = 'HTTP/1.1 200 OK\r\nLOCATION: http://198.51.100.1:1/d.xml\r\n\r\n'), /is not the replying host/],
    ['an SSDP reply that is binary garbage', (igd) => (igd.behaviour.ssdp = '\u0000\u00ff'.repeat(900)), /unusable SSDP reply/],
  ];
  for (const [what, spoil, expected] of hostile) {
    it(`keeps running and reports a clear status after ${what}`, () =>
      withIgd(async (igd, opts) => {
        spoil(igd);
        const lines: string[] = [];
        const mapper = new PortMapper({ ...opts, log: (l) => lines.push(l) });
        await mapper.start();
        assert.equal(mapper.status.state, 'failed');
        assert.match(`${mapper.status.message}\n${lines.join('\n')}`, expected);
        assert.equal(igd.mappings.size, 0);
        await mapper.stop();
      }));
  }
});
