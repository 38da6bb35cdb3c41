// Fake routers on loopback for the port mapper's tests: a NAT-PMP/PCP server on a UDP port and a UPnP IGD (an
// SSDP responder on a UDP port plus an HTTP server for the description and SOAP). Each can be told to misbehave.
import { createSocket, type Socket } from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePcpReply } from './pmp-codec.js';

export interface PmpMapping {
  protocol: 'tcp' | 'udp';
  internalPort: number;
  externalPort: number;
  lifetime: number;
}

/** What the fake PMP router answers; `reply` overrides everything (return null to stay silent). */
export interface FakePmpBehaviour {
  pcp: boolean;
  natpmp: boolean;
  /** NAT-PMP/PCP result code for map requests (0: grant). */
  result: number;
  /** External ports that are taken. */
  taken: Set<number>;
  epoch: number;
  externalAddress: [number, number, number, number];
  reply?: (req: Buffer) => Buffer | Buffer[] | null;
  /** Hostile: the external port granted for a request (default the suggested one, or the next free one). */
  grantPort?: (suggested: number, protocol: 'tcp' | 'udp') => number;
  /** Hostile: the lease granted whatever was asked (e.g. 0, or 2^32-1). */
  grantLifetime?: number;
}

export class FakePmpRouter {
  readonly requests: Buffer[] = [];
  /** Live mappings by "proto:internalPort". */
  readonly mappings = new Map<string, PmpMapping>();
  readonly behaviour: FakePmpBehaviour = { pcp: true, natpmp: true, result: 0, taken: new Set(), epoch: 1000, externalAddress: [203, 0, 113, 7] };

  private constructor(private readonly socket: Socket, readonly port: number) {
    socket.on('message', (msg, rinfo) => {
      this.requests.push(msg);
      const out = this.behaviour.reply ? this.behaviour.reply(msg) : this.answer(msg);
      for (const b of out === null ? [] : Array.isArray(out) ? out : [out]) socket.send(b, rinfo.port, rinfo.address);
    });
  }

  /** On loopback by default; a lab router passes its LAN address and port 5351. */
  static async start(at: { host?: string; port?: number } = {}): Promise<FakePmpRouter> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(at.port ?? 0, at.host ?? '127.0.0.1', r));
    return new FakePmpRouter(socket, (socket.address() as AddressInfo).port);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }

  private grant(protocol: 'tcp' | 'udp', internalPort: number, suggested: number, lifetime: number): number {
    const key = `${protocol}:${internalPort}`;
    if (lifetime === 0) {
      this.mappings.delete(key);
      return 0;
    }
    let ext = suggested || internalPort;
    while (this.behaviour.taken.has(ext)) ext++;
    if (this.behaviour.grantPort) ext = this.behaviour.grantPort(ext, protocol);
    this.mappings.set(key, { protocol, internalPort, externalPort: ext, lifetime });
    return ext;
  }

  private answer(msg: Buffer): Buffer | null {
    const b = this.behaviour;
    if (msg[0] === 2) {
      if (!b.pcp) return b.natpmp ? Buffer.from([0, 128 + msg[1]!, 0, 1, 0, 0, 0, 0]) : null; // NAT-PMP: unsupported version
      const out = Buffer.alloc(60);
      msg.copy(out, 0, 0, 60);
      out[1] = 0x81;
      out[2] = 0;
      out[3] = b.result;
      out.writeUInt32BE(b.epoch, 8);
      out.fill(0, 12, 24);
      const lifetime = msg.readUInt32BE(4);
      const protocol = msg[36] === 6 ? 'tcp' : 'udp';
      const ext = b.result === 0 ? this.grant(protocol, msg.readUInt16BE(40), msg.readUInt16BE(42), lifetime) : 0;
      out.writeUInt16BE(ext, 42);
      out.writeUInt32BE(b.result === 0 ? (b.grantLifetime ?? lifetime) : 0, 4);
      out.fill(0, 44, 60);
      out[54] = 0xff;
      out[55] = 0xff;
      out.set(b.externalAddress, 56);
      decodePcpReply(out); // the fake must itself be well-formed
      return out;
    }
    if (msg[0] !== 0 || !b.natpmp) return null;
    const op = msg[1]!;
    if (op === 0) {
      const out = Buffer.alloc(12);
      out[1] = 128;
      out.writeUInt32BE(b.epoch, 4);
      out.set(b.externalAddress, 8);
      return out;
    }
    const out = Buffer.alloc(16);
    out[1] = 128 + op;
    out.writeUInt16BE(b.result, 2);
    out.writeUInt32BE(b.epoch, 4);
    const internal = msg.readUInt16BE(4);
    const lifetime = msg.readUInt32BE(8);
    out.writeUInt16BE(internal, 8);
    const ext = b.result === 0 ? this.grant(op === 1 ? 'udp' : 'tcp', internal, msg.readUInt16BE(6), lifetime) : 0;
    out.writeUInt16BE(ext, 10);
    out.writeUInt32BE(b.result === 0 ? (b.grantLifetime ?? lifetime) : 0, 12);
    return out;
  }
}

export interface FakeIgdBehaviour {
  /** The SSDP reply (LOCATION placeholder {LOCATION}); null: silent. */
  ssdp: string | null;
  /** The device description (placeholder {CONTROL}). */
  description: string;
  /** A SOAP fault code for AddPortMapping (0: succeed; -1: a reply that is not XML). */
  addFault: number;
  /** How many AddPortMapping calls get `addFault` before it clears (default: all of them). */
  addFaultTimes?: number;
  taken: Set<number>;
  /** Replaces every SOAP reply body when set. */
  soapBody?: string;
  externalIp: string;
  /**
   * Hostile HTTP: 'drip' sends headers then one byte of body every 100 ms for ever (slow-loris), 'hang' never answers,
   * 'redirect' sends a 302 to another path, 'endless' streams XML without end (counted in `bytesSent`). Applies to the description (GET) and to SOAP (POST) as chosen.
   */
  descriptionHttp?: 'drip' | 'hang' | 'redirect' | 'endless';
  soapHttp?: 'drip' | 'hang';
  /** How many SSDP replies to send per search (a flood); each gets a distinct LOCATION path. */
  ssdpCopies?: number;
}

export const IGD_DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>{CONTROL}</controlURL></service></serviceList>
</device></deviceList></device></deviceList></device></root>`;

export class FakeIgd {
  readonly mappings = new Map<string, { internalClient: string; internalPort: number; lease: number }>();
  readonly actions: string[] = [];
  /** HTTP requests received (descriptions and SOAP). */
  httpRequests = 0;
  /** Body bytes the 'endless' mode managed to send before the client hung up. */
  bytesSent = 0;
  readonly behaviour: FakeIgdBehaviour = {
    ssdp: 'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSN: uuid:fake::igd\r\nLOCATION: {LOCATION}\r\n\r\n',
    description: IGD_DESCRIPTION,
    addFault: 0,
    taken: new Set(),
    externalIp: '203.0.113.9',
  };

  private constructor(
    private readonly ssdpSocket: Socket,
    private readonly server: http.Server,
    readonly ssdpPort: number,
    readonly httpPort: number,
    readonly host: string,
  ) {}

  /**
   * On loopback (SSDP on a random port the test sends to) by default. A lab router passes its LAN address and
   * `multicast: true`: SSDP on port 1900, joined to 239.255.255.250 on that interface only, as a real router.
   */
  static async start(at: { host?: string; multicast?: boolean } = {}): Promise<FakeIgd> {
    const host = at.host ?? '127.0.0.1';
    const ssdpSocket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => ssdpSocket.bind(at.multicast ? 1900 : 0, at.multicast ? '0.0.0.0' : host, r));
    if (at.multicast) ssdpSocket.addMembership('239.255.255.250', host);
    let igd!: FakeIgd;
    const server = http.createServer((req, res) => igd.handle(req, res));
    await new Promise<void>((r) => server.listen(0, host, r));
    igd = new FakeIgd(ssdpSocket, server, (ssdpSocket.address() as AddressInfo).port, (server.address() as AddressInfo).port, host);
    ssdpSocket.on('message', (_msg, rinfo) => {
      const reply = igd.behaviour.ssdp;
      if (reply === null) return;
      const copies = igd.behaviour.ssdpCopies ?? 1;
      for (let i = 0; i < copies; i++) ssdpSocket.send(reply.replace('{LOCATION}', `http://${host}:${igd.httpPort}/desc${i || ''}.xml`), rinfo.port, rinfo.address);
    });
    return igd;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    await new Promise<void>((r) => this.ssdpSocket.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.httpRequests++;
    const hostile = req.method === 'GET' ? this.behaviour.descriptionHttp : this.behaviour.soapHttp;
    if (hostile === 'hang') return void req.resume();
    if (hostile === 'redirect') {
      res.writeHead(302, { location: `http://${this.host}:${this.httpPort}/elsewhere.xml` });
      return void res.end();
    }
    if (hostile === 'endless') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = `<root>${'<a>x</a>'.repeat(9000)}`;
      const pump = (): void => {
        while (!res.destroyed && this.bytesSent < 1 << 30) {
          this.bytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      return pump();
    }
    if (hostile === 'drip') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/xml' });
      const drip = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(drip));
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(this.behaviour.description.replace('{CONTROL}', '/ctl/IPConn'));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const action = /#(\w+)"/.exec(String(req.headers.soapaction))?.[1] ?? '?';
      this.actions.push(action);
      const arg = (name: string): string => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1] ?? '';
      const key = `${arg('NewProtocol')}:${arg('NewExternalPort')}`;
      if (this.behaviour.soapBody !== undefined) return this.reply(res, 200, this.behaviour.soapBody);
      if (action === 'AddPortMapping') {
        let fault = this.behaviour.addFault || (this.behaviour.taken.has(Number(arg('NewExternalPort'))) ? 718 : 0);
        if (this.behaviour.addFault && this.behaviour.addFaultTimes !== undefined && this.behaviour.addFaultTimes-- <= 0) fault = 0;
        if (fault) return this.reply(res, 500, fault === -1 ? 'not xml at all' : soapFault(fault));
        this.mappings.set(key, { internalClient: arg('NewInternalClient'), internalPort: Number(arg('NewInternalPort')), lease: Number(arg('NewLeaseDuration')) });
        return this.reply(res, 200, soapOk('AddPortMapping', ''));
      }
      if (action === 'DeletePortMapping') {
        this.mappings.delete(key);
        return this.reply(res, 200, soapOk('DeletePortMapping', ''));
      }
      if (action === 'GetExternalIPAddress') return this.reply(res, 200, soapOk('GetExternalIPAddress', `<NewExternalIPAddress>${this.behaviour.externalIp}</NewExternalIPAddress>`));
      this.reply(res, 500, soapFault(401));
    });
  }

  private reply(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/xml; charset="utf-8"' });
    res.end(body);
  }
}

const ENVELOPE = (inner: string): string =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>${inner}</s:Body></s:Envelope>`;

export function soapOk(action: string, inner: string): string {
  return ENVELOPE(`<u:${action}Response xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">${inner}</u:${action}Response>`);
}

export function soapFault(code: number): string {
  return ENVELOPE(
    `<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${code === 718 ? 'ConflictInMappingEntry' : 'Action Failed'}</errorDescription></UPnPError></detail></s:Fault>`,
  );
}
