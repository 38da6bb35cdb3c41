// Issue 12, must-show 4: hostile routers. A real Tessera client (session/Client: listener, reachability, port
// mapper) maps its port against a fake router on loopback that misbehaves in one way per case: malformed or
// flooding SSDP, huge, endless, deep or entity-laden XML, redirects, slow-loris HTTP, SOAP faults, NAT-PMP/PCP
// garbage, wrong opcodes, epochs and ports, leases of 0 or 2^32-1 s. SSDP goes by unicast to the fake (the gateway
// and search target are injected): nothing is multicast. In every case the client keeps running (its listener
// still accepts), memory stays bounded, and the status is one clear line saying what the router did.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import type { PortMappingStatus } from '../api/types.js';
import { IGD_DESCRIPTION, FakeIgd, FakePmpRouter, soapFault } from '../net/portmap/test-fake-router.js';
import { Client } from './client.js';
import type { PortMappingOptions } from './reachability.js';

const SETTLE_MS = 15_000;
const rssAtStart = process.memoryUsage().rss;

interface Outcome {
  readonly client: Client;
  readonly status: PortMappingStatus;
  readonly lines: string[];
}

/** Starts a client mapping through `mapping`, waits until the first round has an outcome, checks it is still alive. */
async function mapThrough(mapping: PortMappingOptions): Promise<Outcome> {
  const lines: string[] = [];
  const client = new Client({ port: 0, host: '127.0.0.1', portMapping: { retryMs: 600_000, ...mapping }, log: (l) => lines.push(l) });
  await client.listen();
  const deadline = Date.now() + SETTLE_MS;
  while (client.reachability.status().state === 'mapping' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const status = client.reachability.status();
  assert.notEqual(status.state, 'mapping', `no outcome within ${SETTLE_MS} ms: ${status.message}`);
  assert.doesNotMatch(status.message, /[\r\n]/, 'the status is one line');
  assert.ok(status.message.length <= 300, `the status is short: ${status.message.length} characters`);
  await acceptsConnections(client.port);
  return { client, status, lines };
}

/** The client keeps running: its listener still takes a TCP connection. */
function acceptsConnections(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function withIgd(spoil: (igd: FakeIgd) => void, check: (o: Outcome, igd: FakeIgd) => void | Promise<void>): Promise<void> {
  const igd = await FakeIgd.start();
  let client: Client | undefined;
  try {
    spoil(igd);
    const o = await mapThrough({ gateway: '127.0.0.1', methods: ['upnp'], upnp: { target: { host: '127.0.0.1', port: igd.ssdpPort }, timeoutMs: 400 } });
    client = o.client;
    await check(o, igd);
  } finally {
    await client?.close();
    await igd.close();
  }
}

async function withPmp(spoil: (router: FakePmpRouter) => void, check: (o: Outcome, router: FakePmpRouter) => void | Promise<void>, methods: PortMappingOptions['methods'] = ['pcp', 'nat-pmp']): Promise<void> {
  const router = await FakePmpRouter.start();
  let client: Client | undefined;
  try {
    spoil(router);
    const o = await mapThrough({ gateway: '127.0.0.1', methods, pmp: { port: router.port, tries: 3, firstTimeoutMs: 40 } });
    client = o.client;
    await check(o, router);
  } finally {
    await client?.close();
    await router.close();
  }
}

const failedWith = (expected: string | RegExp) => (o: Outcome) => {
  assert.equal(o.status.state, 'failed', o.status.message);
  if (typeof expected === 'string') assert.equal(o.status.message, expected);
  else assert.match(o.status.message, expected);
};

const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><root>&lol3;</root>`;
const EXTERNAL_ENTITY = `<?xml version="1.0"?><!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><root><URLBase>&xxe;</URLBase></root>`;

describe('hostile UPnP routers: the client keeps running and says what the router did', { timeout: 180_000 }, () => {
  const cases: [string, (igd: FakeIgd) => void, string | RegExp][] = [
    ['an SSDP reply with an ftp: LOCATION', (igd) => (igd.behaviour.ssdp = 'HTTP/1.1 200 OK\r\nLOCATION: ftp://127.0.0.1/x\r\n\r\n'), 'mapping failed: UPnP: unusable SSDP reply from 127.0.0.1 (SSDP LOCATION scheme ftp: is not http:)'],
    ['an SSDP reply of binary garbage', (igd) => (igd.behaviour.ssdp = '\u0000\u00ff'.repeat(900)), /^mapping failed: UPnP: unusable SSDP reply from 127\.0\.0\.1 \(SSDP reply of \d+ bytes exceeds 2048\)$/],
    ['an SSDP reply without LOCATION', (igd) => (igd.behaviour.ssdp = 'HTTP/1.1 200 OK\r\nST: x\r\n\r\n'), 'mapping failed: UPnP: unusable SSDP reply from 127.0.0.1 (SSDP reply has no LOCATION)'],
    ['an SSDP reply pointing at another host', (igd) => (igd.behaviour.ssdp = 'HTTP/1.1 200 OK\r\nLOCATION: http://198.51.100.1:1/d.xml\r\n\r\n'), 'mapping failed: UPnP: unusable SSDP reply from 127.0.0.1 (LOCATION 198.51.100.1:1 is not the replying host)'],
    ['a description that is not XML', (igd) => (igd.behaviour.description = 'hello <<< router'), "mapping failed: UPnP: the router's device description is not valid XML (malformed start tag)"],
    ['a description nested 10,000 deep', (igd) => (igd.behaviour.description = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`), "mapping failed: UPnP: the router's device description is not valid XML (elements nested deeper than 32)"],
    ['a description with 40,000 elements', (igd) => (igd.behaviour.description = `<root>${'<a/>'.repeat(40_000)}</root>`), /^mapping failed: UPnP: the router's device description is (too large|not valid XML \(more than 4096 elements\))/],
    ['a billion-laughs entity bomb', (igd) => (igd.behaviour.description = BILLION_LAUGHS), "mapping failed: UPnP: the router's device description is not valid XML (document type declarations and entities are not accepted)"],
    ['an external entity (XXE)', (igd) => (igd.behaviour.description = EXTERNAL_ENTITY), "mapping failed: UPnP: the router's device description is not valid XML (document type declarations and entities are not accepted)"],
    ['a description redirected elsewhere', (igd) => (igd.behaviour.descriptionHttp = 'redirect'), "mapping failed: UPnP: the router redirected its device description (more than 0 redirects); redirects are not followed"],
    ['a description sent one byte per 100 ms (slow-loris)', (igd) => (igd.behaviour.descriptionHttp = 'drip'), 'mapping failed: UPnP: the router did not send its device description within 5 s'],
    ['a control URL on another host', (igd) => (igd.behaviour.description = IGD_DESCRIPTION.replace('{CONTROL}', 'http://198.51.100.1:80/ctl')), "mapping failed: UPnP: the router's device description sends us to 198.51.100.1, which is not the router 127.0.0.1"],
    ['a description without a WAN service', (igd) => (igd.behaviour.description = IGD_DESCRIPTION.replace(/WANIPConnection/g, 'Layer3Forwarding')), "mapping failed: UPnP: the router's device description lists no WANIPConnection or WANPPPConnection service"],
    ['a SOAP fault (606 not authorized)', (igd) => (igd.behaviour.addFault = 606), 'mapping failed: UPnP: router refused (error 606: Action Failed)'],
    ['a SOAP fault with a multi-line, 100 kB description', (igd) => (igd.behaviour.soapBody = soapFault(501).replace('Action Failed', `bad\r\n${'x'.repeat(12_000)}`)), /^mapping failed: UPnP: router refused \(error 501: bad x{100,}\)$/],
    ['a SOAP reply that is not XML', (igd) => (igd.behaviour.addFault = -1), "mapping failed: UPnP: the router's AddPortMapping reply is not valid XML (no root element)"],
    ['a SOAP reply with an entity bomb', (igd) => (igd.behaviour.soapBody = BILLION_LAUGHS), "mapping failed: UPnP: the router's AddPortMapping reply is not valid XML (document type declarations and entities are not accepted)"],
    ['a SOAP reply of 200 kB', (igd) => (igd.behaviour.soapBody = `<x>${'a'.repeat(200_000)}</x>`), "mapping failed: UPnP: the router's AddPortMapping reply is too large (reply exceeds the 16384-byte limit)"],
    ['a SOAP reply that is not SOAP', (igd) => (igd.behaviour.soapBody = '<html><body>login</body></html>'), "mapping failed: UPnP: the router's AddPortMapping reply has no SOAP Envelope/Body"],
    ['a SOAP call that hangs', (igd) => (igd.behaviour.soapHttp = 'hang'), 'mapping failed: UPnP: the router did not answer AddPortMapping within 5 s'],
    ['every external port taken (718)', (igd) => (igd.behaviour.addFault = 718), /^mapping failed: UPnP: router refused \(error 718: ConflictInMappingEntry\) \(after 4 external ports\)$/],
  ];
  for (const [what, spoil, expected] of cases) {
    it(`${what}`, () =>
      withIgd(spoil, (o, igd) => {
        failedWith(expected)(o);
        assert.equal(igd.mappings.size, 0, 'nothing left mapped');
      }));
  }

  it('an endless description: the client stops reading at 128 KiB', () =>
    withIgd(
      (igd) => (igd.behaviour.descriptionHttp = 'endless'),
      (o, igd) => {
        failedWith("mapping failed: UPnP: the router's device description is too large (response exceeds the 131072-byte limit)")(o);
        assert.ok(igd.bytesSent < 16 << 20, `the router got ${igd.bytesSent} bytes out before we hung up`);
      },
    ));

  it('a flood of 500 SSDP replies: bounded, and the first good router is used', () =>
    withIgd(
      (igd) => (igd.behaviour.ssdpCopies = 500),
      (o, igd) => {
        assert.equal(o.status.state, 'mapped', o.status.message);
        assert.ok(igd.httpRequests <= 6, `${igd.httpRequests} HTTP requests to the router`);
      },
    ));

  it('ten devices whose descriptions all fail: three are tried, not ten', () =>
    withIgd(
      (igd) => {
        igd.behaviour.ssdpCopies = 10;
        igd.behaviour.descriptionHttp = 'redirect';
      },
      (o, igd) => {
        failedWith('mapping failed: UPnP: the router redirected its device description (more than 0 redirects); redirects are not followed')(o);
        assert.equal(igd.httpRequests, 3);
      },
    ));

  it('a garbage external address is not shown', () =>
    withIgd(
      (igd) => (igd.behaviour.externalIp = '999.1.1.1<script>'),
      (o) => {
        assert.equal(o.status.state, 'mapped', o.status.message);
        assert.equal(o.status.externalAddress, null);
        assert.equal(o.status.message, `Port ${o.client.port} open via UPnP on 127.0.0.1`);
      },
    ));
});

describe('hostile NAT-PMP/PCP routers: the client keeps running and says what the router did', { timeout: 120_000 }, () => {
  it('short and garbage replies, 50 per request', () =>
    withPmp(
      (r) => (r.behaviour.reply = (req) => Array.from({ length: 50 }, (_, i) => (i % 2 ? Buffer.from([req[0]!, 0x81, 0xff]) : Buffer.alloc(64 + i * 4, i)))),
      failedWith(/^mapping failed: (PCP|NAT-PMP): the router sent garbage \(\d+ malformed replies; last: .+\)$/),
    ));

  it('well-formed replies with the wrong opcode (NAT-PMP)', () =>
    withPmp(
      (r) => (r.behaviour.reply = () => Buffer.from('0080000000000005cb007107', 'hex')),
      failedWith(/^mapping failed: NAT-PMP: the router's \d+ replies did not answer our request \(wrong opcode, port or nonce\)$/),
      ['nat-pmp'],
    ));

  it('a PCP reply with another opcode (PEER) is garbage', () =>
    withPmp(
      (r) =>
        (r.behaviour.reply = (req) => {
          const out = Buffer.alloc(60);
          out[0] = 2;
          out[1] = 0x82;
          req.copy(out, 24, 24, 36);
          return out;
        }),
      failedWith(/^mapping failed: PCP: the router sent garbage \(\d+ malformed replies; last: PCP reply has opcode 2\)$/),
      ['pcp'],
    ));

  it('an unknown result code', () =>
    withPmp((r) => (r.behaviour.result = 200), failedWith(/^mapping failed: (PCP|NAT-PMP): router refused \(result code 200\)$/)));

  it('a lease of 0 seconds', () =>
    withPmp((r) => (r.behaviour.grantLifetime = 0), failedWith('mapping failed: PCP: the router granted a lease of 0 seconds')));

  it('external port 0', () =>
    withPmp((r) => (r.behaviour.grantPort = () => 0), failedWith('mapping failed: PCP: the router granted external port 0')));

  it('TCP and UDP on different external ports every time', () =>
    withPmp((r) => (r.behaviour.grantPort = (p, proto) => (proto === 'tcp' ? p : p + 1)), failedWith(/^mapping failed: PCP: the router gave UDP port \d+, not \d+ \(after 4 external ports\)$/)));

  it('a lease of 2^32-1 s: mapped, and no renewal storm', () =>
    withPmp(
      (r) => (r.behaviour.grantLifetime = 0xffffffff),
      async (o, r) => {
        assert.equal(o.status.state, 'mapped', o.status.message);
        const before = r.requests.length;
        await new Promise((res) => setTimeout(res, 600));
        assert.equal(r.requests.length, before, 'renewals sent right after mapping');
      },
    ));

  it('NAT-PMP reporting 0.0.0.0 as the external address: mapped, no address shown', () =>
    withPmp(
      (r) => {
        r.behaviour.pcp = false;
        r.behaviour.externalAddress = [0, 0, 0, 0];
      },
      (o) => {
        assert.equal(o.status.state, 'mapped', o.status.message);
        assert.equal(o.status.method, 'nat-pmp');
        assert.equal(o.status.externalAddress, null);
      },
    ));

  it('an epoch that keeps going back: maps again and says the router restarted', () =>
    withPmp(
      (r) => (r.behaviour.epoch = 5_000_000),
      async (o, r) => {
        assert.equal(o.status.state, 'mapped', o.status.message);
        r.behaviour.epoch = 1;
        r.mappings.clear();
        const mapper = (o.client.reachability as unknown as { mapper: { round(): Promise<void> } }).mapper;
        await mapper.round();
        assert.ok(o.lines.some((l) => l.includes('restarted; mapped again')), o.lines.join('\n'));
        assert.equal(r.mappings.size, 2);
      },
    ));
});

after(() => {
  // Every case above ran in this process: a leak per case (an endless body, a flood) would show here.
  const grown = process.memoryUsage().rss - rssAtStart;
  assert.ok(grown < 200 << 20, `RSS grew by ${Math.round(grown / 2 ** 20)} MiB over the hostile cases`);
});
