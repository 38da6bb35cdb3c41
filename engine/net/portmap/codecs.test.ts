// The port mapping codecs: NAT-PMP and PCP bytes as the RFCs lay them out, SSDP replies, device descriptions and
// SOAP, the bounded XML reader's refusals, and fuzzing: hostile input only ever raises the codecs' own errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addPortMappingRequest, decodeSoapReply, findWanService, IgdError } from './igd-codec.js';
import { decodeNatPmpReply, decodePcpReply, encodeNatPmpMapRequest, encodePcpMapRequest, ipv4Mapped, PmpError } from './pmp-codec.js';
import { decodeSsdpReply, encodeMSearch, SsdpError } from './ssdp-codec.js';
import { IGD_DESCRIPTION, soapFault, soapOk } from './test-fake-router.js';
import { parseXml, XmlError } from './xml-codec.js';
import { parseRouteTable } from './gateway.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('NAT-PMP and PCP codecs', () => {
  it('encodes a NAT-PMP TCP map request (RFC 6886 3.3)', () => {
    assert.equal(hex(encodeNatPmpMapRequest('tcp', 6881, 6881, 7200)), '0002' + '0000' + '1ae1' + '1ae1' + '00001c20');
  });

  it('decodes NAT-PMP map, external-address and short error replies', () => {
    const map = Buffer.from('0082' + '0000' + '000003e8' + '1ae1' + '1ae2' + '00001c20', 'hex');
    assert.deepEqual(decodeNatPmpReply(map), { kind: 'map', protocol: 'tcp', result: 0, epoch: 1000, internalPort: 6881, externalPort: 6882, lifetime: 7200 });
    assert.deepEqual(decodeNatPmpReply(Buffer.from('0080000000000005cb007107', 'hex')), { kind: 'external-address', result: 0, epoch: 5, address: '203.0.113.7' });
    assert.deepEqual(decodeNatPmpReply(Buffer.from('0081000200000005', 'hex')), { kind: 'error', op: 1, result: 2, epoch: 5 });
    assert.throws(() => decodeNatPmpReply(Buffer.from('0081000000000005', 'hex')), PmpError);
    assert.throws(() => decodeNatPmpReply(Buffer.from('0001000000000005', 'hex')), /opcode 1/);
  });

  it('encodes a PCP MAP request (RFC 6887 7.1, 11.1) and decodes its reply', () => {
    const nonce = new Uint8Array(12).fill(0xab);
    const req = encodePcpMapRequest({ clientAddress: '192.168.1.20', lifetimeSeconds: 3600, nonce, protocol: 'udp', internalPort: 6881, suggestedExternalPort: 6881 });
    assert.equal(req.length, 60);
    assert.equal(hex(req.subarray(0, 24)), '0201' + '0000' + '00000e10' + '00000000000000000000ffffc0a80114');
    assert.equal(hex(req.subarray(24, 60)), 'ab'.repeat(12) + '11000000' + '1ae1' + '1ae1' + '00000000000000000000ffff00000000');
    const reply = Buffer.from(req);
    reply[1] = 0x81;
    reply.writeUInt32BE(77, 8);
    reply.fill(0, 12, 24);
    reply.set([0xcb, 0, 0x71, 9], 56);
    const r = decodePcpReply(reply);
    assert.equal(r.kind, 'map');
    if (r.kind === 'map') {
      assert.deepEqual([r.result, r.lifetime, r.epoch, r.protocol, r.internalPort, r.externalPort, r.externalAddress], [0, 3600, 77, 'udp', 6881, 6881, '203.0.113.9']);
      assert.deepEqual(r.nonce, nonce);
    }
    assert.throws(() => decodePcpReply(req), /request, not a reply/);
    assert.deepEqual(decodePcpReply(Buffer.from('0081000100000000', 'hex')), { kind: 'error', version: 0, opcode: 1, result: 1, lifetime: 0, epoch: 0 });
    assert.throws(() => ipv4Mapped('1.2.3'), PmpError);
  });

  it('never throws anything but PmpError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.constantFrom(0, 2), (bytes, version) => {
        if (bytes.length > 0) bytes[0] = version;
        for (const decode of [decodeNatPmpReply, decodePcpReply]) {
          try {
            decode(bytes);
          } catch (err) {
            if (!(err instanceof PmpError)) throw err;
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('SSDP codec', () => {
  it('builds an M-SEARCH and parses a reply, headers in any case', () => {
    assert.match(new TextDecoder().decode(encodeMSearch('urn:schemas-upnp-org:device:InternetGatewayDevice:1', 2)), /^M-SEARCH \* HTTP\/1\.1\r\nHOST: 239\.255\.255\.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: urn:.*\r\n\r\n$/);
    const r = decodeSsdpReply(new TextEncoder().encode('HTTP/1.1 200 OK\r\nlocation: http://10.0.0.1:5000/rootDesc.xml\r\nSt: urn:x\r\nUSN: uuid:1\r\n\r\n'));
    assert.equal(r.location.href, 'http://10.0.0.1:5000/rootDesc.xml');
    assert.equal(r.searchTarget, 'urn:x');
  });

  it('refuses non-200, missing or non-http LOCATION, and oversized replies', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.throws(() => decodeSsdpReply(enc('HTTP/1.1 404 Not Found\r\n\r\n')), SsdpError);
    assert.throws(() => decodeSsdpReply(enc('HTTP/1.1 200 OK\r\n\r\n')), /no LOCATION/);
    assert.throws(() => decodeSsdpReply(enc('HTTP/1.1 200 OK\r\nLOCATION: file:///etc/passwd\r\n\r\n')), /not http/);
    assert.throws(() => decodeSsdpReply(new Uint8Array(5000)), /exceeds/);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 400 }).map((s) => enc(`HTTP/1.1 200 OK\r\n${s}`))), (b) => {
        try {
          decodeSsdpReply(b);
        } catch (err) {
          if (!(err instanceof SsdpError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('bounded XML reader', () => {
  it('reads elements, drops prefixes, decodes the predefined entities and CDATA', () => {
    const el = parseXml('<?xml version="1.0"?><!-- c --><s:a x="1>2"><b>x &amp; y &#65;&#x42;</b><c/><d><![CDATA[<&amp;>]]></d></s:a>');
    assert.equal(el.name, 'a');
    assert.deepEqual(el.children.map((c) => [c.name, c.text]), [['b', 'x & y AB'], ['c', ''], ['d', '<&amp;>']]);
  });

  it('refuses DTDs and entities (no expansion), depth and size bombs, and broken nesting', () => {
    assert.throws(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), /document type declarations/);
    assert.throws(() => parseXml('<a>'.repeat(40) + '</a>'.repeat(40)), /deeper than 32/);
    assert.throws(() => parseXml(`<a>${'<b/>'.repeat(5000)}</a>`), /more than 4096 elements/);
    assert.throws(() => parseXml(`<a>${' '.repeat(200_000)}</a>`), /exceeds/);
    assert.throws(() => parseXml('<a><b></a></b>'), /mismatched/);
    assert.throws(() => parseXml('<a></a><b></b>'), /more than one root/);
    assert.throws(() => parseXml('<a>'), /unclosed/);
    assert.equal(parseXml('<a>&unknown;</a>').text, '&unknown;', 'unknown entities stay as text, never expanded');
  });

  it('never throws anything but XmlError on arbitrary text', () => {
    const xmlish = fc.array(fc.constantFrom('<a>', '</a>', '<b/>', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '&amp;', '&#x41;', '"', "'", '<!DOCTYPE', 'text', '<', '>', '/'), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), xmlish), (s) => {
        try {
          parseXml(s);
        } catch (err) {
          if (!(err instanceof XmlError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('IGD description and SOAP codecs', () => {
  const location = new URL('http://10.0.0.1:5000/rootDesc.xml');

  it('finds the WANIPConnection control URL, preferring v2, honouring URLBase', () => {
    const v1 = findWanService(IGD_DESCRIPTION.replace('{CONTROL}', '/ctl/IPConn'), location);
    assert.equal(v1.serviceType, 'urn:schemas-upnp-org:service:WANIPConnection:1');
    assert.equal(v1.controlUrl.href, 'http://10.0.0.1:5000/ctl/IPConn');
    const both = IGD_DESCRIPTION.replace('{CONTROL}', '/v1').replace('</serviceList>', '<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>v2</controlURL></service></serviceList>');
    const withBase = both.replace('<specVersion>', '<URLBase>http://10.0.0.1:6000/base/</URLBase><specVersion>');
    assert.equal(findWanService(withBase, location).controlUrl.href, 'http://10.0.0.1:6000/base/v2');
    const ppp = IGD_DESCRIPTION.replace('WANIPConnection:1', 'WANPPPConnection:1').replace('{CONTROL}', '/ppp');
    assert.equal(findWanService(ppp, location).serviceType, 'urn:schemas-upnp-org:service:WANPPPConnection:1');
    assert.throws(() => findWanService(IGD_DESCRIPTION.replace('{CONTROL}', 'http://10.0.0.2/x'), location), /which is not the router/);
    assert.throws(() => findWanService('<root/>', location), IgdError);
  });

  it('builds AddPortMapping with escaped arguments and parses replies and faults', () => {
    const req = addPortMappingRequest('urn:schemas-upnp-org:service:WANIPConnection:1', { externalPort: 6881, protocol: 'TCP', internalPort: 6881, internalClient: '10.0.0.2', description: 'a<b', leaseSeconds: 3600 });
    assert.equal(req.soapAction, '"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"');
    assert.match(req.body, /<NewExternalPort>6881<\/NewExternalPort><NewProtocol>TCP<\/NewProtocol>.*<NewPortMappingDescription>a&#60;b<\/NewPortMappingDescription><NewLeaseDuration>3600</);
    assert.equal(parseXml(req.body).name, 'Envelope');
    const ok = decodeSoapReply(soapOk('GetExternalIPAddress', '<NewExternalIPAddress>1.2.3.4</NewExternalIPAddress>'), 'GetExternalIPAddress');
    assert.deepEqual(ok, { ok: true, values: new Map([['NewExternalIPAddress', '1.2.3.4']]) });
    assert.deepEqual(decodeSoapReply(soapFault(718), 'AddPortMapping'), { ok: false, code: 718, description: 'ConflictInMappingEntry' });
    assert.throws(() => decodeSoapReply(soapOk('Other', ''), 'AddPortMapping'), /no AddPortMappingResponse/);
    assert.throws(() => decodeSoapReply('<html/>', 'AddPortMapping'), /no SOAP Envelope/);
  });

  it('never throws anything but IgdError on arbitrary documents', () => {
    const doc = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.tuple(fc.nat({ max: IGD_DESCRIPTION.length }), fc.string({ maxLength: 20 })).map(([at, s]) => IGD_DESCRIPTION.slice(0, at) + s + IGD_DESCRIPTION.slice(at)),
    );
    fc.assert(
      fc.property(doc, (d) => {
        for (const f of [() => findWanService(d, location), () => decodeSoapReply(d, 'AddPortMapping')]) {
          try {
            f();
          } catch (err) {
            if (!(err instanceof IgdError)) throw err;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('default gateway', () => {
  it('reads the lowest-metric default route of /proc/net/route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
      'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    assert.deepEqual(parseRouteTable(table), { gateway: '10.0.0.1', iface: 'eth0' });
    assert.equal(parseRouteTable(table.split('\n').slice(0, 1).join('\n')), undefined);
  });
});
