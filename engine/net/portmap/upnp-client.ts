/**
 * UPnP IGD: SSDP discovery on the LAN (M-SEARCH multicast from our LAN address only, so nothing goes out on another
 * interface), the device description over HTTP GET, and SOAP actions over HTTP POST. Every router reply is bounded
 * (sizes, counts, deadlines) and parsed by the pure codecs; a description must come from the host that answered the
 * search, and its control URL must stay on that host.
 */
import { createSocket } from 'node:dgram';
import { httpGet, HttpGetError } from '../http-get.js';
import { httpPost } from '../http-post.js';
import {
  addPortMappingRequest,
  decodeSoapReply,
  deletePortMappingRequest,
  findWanService,
  getExternalIpRequest,
  IgdError,
  MAX_DESCRIPTION_CHARS,
  MAX_SOAP_REPLY_CHARS,
  UPNP_ERRORS,
  type SoapReply,
  type SoapRequest,
  type WanService,
} from './igd-codec.js';
import { decodeSsdpReply, encodeMSearch, IGD_SEARCH_TARGETS, SSDP_MULTICAST, SsdpError } from './ssdp-codec.js';
import { MappingError, usableExternalAddress, type MapProtocol, type MappingBackend, type MappingGrant } from './types.js';

export interface UpnpDiscoveryOptions {
  /** Our LAN address: the search goes out of this interface only. */
  readonly lanAddress: string;
  /** How long to collect replies (default 3 s). */
  readonly timeoutMs?: number;
  /** Where to send the search (default the SSDP multicast group; tests send to a fake router on loopback). */
  readonly target?: { readonly host: string; readonly port: number };
  readonly log?: (line: string) => void;
}

const MAX_REPLIES = 16;
/** Device descriptions fetched at most per discovery (each bounded by HTTP_TIMEOUT_MS). */
const MAX_DESCRIPTIONS_TRIED = 3;
/** After the first valid SSDP reply, how long to wait for more. */
const SETTLE_MS = 300;
const HTTP_TIMEOUT_MS = 5_000;
const USER_AGENT = 'Tessera UPnP/1.1';

/** Finds a WAN connection service on the LAN; rejects with a MappingError saying why none was usable. */
export async function discoverIgd(opts: UpnpDiscoveryOptions): Promise<UpnpClient> {
  const { replies, lastRejected } = await searchSsdp(opts);
  if (replies.length === 0 && lastRejected) throw new MappingError(`UPnP: unusable SSDP reply from ${lastRejected.from} (${lastRejected.reason})`, 'protocol');
  if (replies.length === 0) throw new MappingError('UPnP: no router answered the SSDP search', 'unavailable');
  let lastProblem = '';
  // Each description may take its full deadline (a slow-loris router): a few tries, not one per reply.
  for (const { from, location } of replies.slice(0, MAX_DESCRIPTIONS_TRIED)) {
    try {
      const res = await httpGet(location.toString(), { timeoutMs: HTTP_TIMEOUT_MS, maxBytes: MAX_DESCRIPTION_CHARS, maxRedirects: 0, userAgent: USER_AGENT });
      if (res.status !== 200) throw new IgdError(`device description request got HTTP ${res.status}`);
      const service = findWanService(new TextDecoder().decode(res.body), location);
      return new UpnpClient(from, service, opts.lanAddress);
    } catch (err) {
      lastProblem = descriptionProblem(err);
      opts.log?.(`UPnP: ${location.host}: ${lastProblem}`);
    }
  }
  throw new MappingError(`UPnP: ${lastProblem}`, 'protocol');
}

/** Why a router's device description was of no use, as one line for the status bar. */
export function descriptionProblem(err: unknown): string {
  const detail = (err as Error).message;
  if (err instanceof HttpGetError) {
    if (err.kind === 'timeout') return `the router did not send its device description within ${HTTP_TIMEOUT_MS / 1000} s`;
    if (/redirect/.test(detail)) return `the router redirected its device description (${detail}); redirects are not followed`;
    if (/exceeds/.test(detail)) return `the router's device description is too large (${detail})`;
    return `could not fetch the router's device description (${detail})`;
  }
  return `the router's ${detail}`;
}

/** Multicasts M-SEARCH and collects distinct, valid replies whose LOCATION is on the replying host. */
function searchSsdp(opts: UpnpDiscoveryOptions): Promise<{ replies: { from: string; location: URL }[]; lastRejected?: { from: string; reason: string } }> {
  return new Promise((resolve) => {
    let lastRejected: { from: string; reason: string } | undefined;
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    const found = new Map<string, { from: string; location: URL }>();
    let seen = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve({ replies: [...found.values()], lastRejected });
    };
    let timer = setTimeout(finish, opts.timeoutMs ?? 3_000);
    socket.on('error', (err) => {
      opts.log?.(`UPnP: SSDP socket: ${err.message}`);
      finish();
    });
    socket.on('message', (msg, rinfo) => {
      if (++seen > MAX_REPLIES * 4) return finish();
      try {
        const reply = decodeSsdpReply(msg);
        if (reply.location.hostname !== rinfo.address) throw new SsdpError(`LOCATION ${reply.location.host} is not the replying host`);
        if (!found.has(reply.location.href) && found.size < MAX_REPLIES) found.set(reply.location.href, { from: rinfo.address, location: reply.location });
        // The router answered: wait only a moment for a second device (or the router's answer to our second target).
        if (found.size === 1) {
          clearTimeout(timer);
          timer = setTimeout(finish, SETTLE_MS);
        }
      } catch (err) {
        lastRejected = { from: rinfo.address, reason: (err as Error).message };
        opts.log?.(`UPnP: ignored an SSDP reply from ${rinfo.address}: ${(err as Error).message}`);
      }
    });
    socket.bind(0, opts.lanAddress, () => {
      const target = opts.target ?? SSDP_MULTICAST;
      try {
        socket.setMulticastInterface(opts.lanAddress);
        socket.setMulticastTTL(2);
      } catch (err) {
        opts.log?.(`UPnP: SSDP socket: ${(err as Error).message}`);
        return finish();
      }
      for (const st of IGD_SEARCH_TARGETS) socket.send(encodeMSearch(st, 2), target.port, target.host);
    });
  });
}

/** One router's WAN connection service. */
export class UpnpClient implements MappingBackend {
  readonly method = 'upnp' as const;
  /** Permanent leases only (error 725): ask for lease 0 from then on. */
  private permanentOnly = false;

  constructor(
    readonly gateway: string,
    readonly service: WanService,
    private readonly lanAddress: string,
  ) {}

  takeRestarted(): boolean {
    return false; // a UPnP router that restarts fails our next SOAP call, and the mapper discovers it again
  }

  async map(protocol: MapProtocol, internalPort: number, externalPort: number, lifetimeSeconds: number): Promise<MappingGrant> {
    const ask = (lease: number): Promise<SoapReply> =>
      this.call(
        addPortMappingRequest(this.service.serviceType, {
          externalPort,
          protocol: protocol === 'tcp' ? 'TCP' : 'UDP',
          internalPort,
          internalClient: this.lanAddress,
          description: `Tessera ${protocol.toUpperCase()} ${internalPort}`,
          leaseSeconds: lease,
        }),
        'AddPortMapping',
      );
    let reply = await ask(this.permanentOnly ? 0 : lifetimeSeconds);
    if (!reply.ok && reply.code === UPNP_ERRORS.onlyPermanentLeases) {
      this.permanentOnly = true;
      reply = await ask(0);
    }
    if (!reply.ok) {
      const kind = reply.code === UPNP_ERRORS.conflict || reply.code === UPNP_ERRORS.samePortRequired ? 'conflict' : 'refused';
      throw new MappingError(`UPnP: router refused (error ${reply.code}: ${reply.description})`, kind);
    }
    return { externalPort, lifetimeSeconds: this.permanentOnly ? 0 : lifetimeSeconds };
  }

  async unmap(protocol: MapProtocol, _internalPort: number, externalPort: number): Promise<void> {
    const reply = await this.call(deletePortMappingRequest(this.service.serviceType, externalPort, protocol === 'tcp' ? 'TCP' : 'UDP'), 'DeletePortMapping');
    if (!reply.ok) throw new MappingError(`UPnP: DeletePortMapping failed (error ${reply.code}: ${reply.description})`, 'refused');
  }

  async externalAddress(): Promise<string | undefined> {
    const reply = await this.call(getExternalIpRequest(this.service.serviceType), 'GetExternalIPAddress');
    if (!reply.ok) throw new MappingError(`UPnP: GetExternalIPAddress failed (error ${reply.code}: ${reply.description})`, 'refused');
    return usableExternalAddress(reply.values.get('NewExternalIPAddress') ?? '');
  }

  async close(): Promise<void> {}

  private async call(req: SoapRequest, action: string): Promise<SoapReply> {
    let res;
    try {
      res = await httpPost(this.service.controlUrl, {
        headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: req.soapAction, 'user-agent': USER_AGENT },
        body: req.body,
        timeoutMs: HTTP_TIMEOUT_MS,
        maxBytes: MAX_SOAP_REPLY_CHARS,
      });
    } catch (err) {
      const e = err as Error;
      // The router answered the search and served its description, so a failure here is the router's fault
      // ('protocol'), not the absence of a router ('unavailable', which the mapper reports as "no router answered").
      if (err instanceof HttpGetError && err.kind === 'timeout') throw new MappingError(`UPnP: the router did not answer ${action} within ${HTTP_TIMEOUT_MS / 1000} s`, 'protocol');
      if (err instanceof HttpGetError && err.kind === 'protocol') {
        throw new MappingError(/exceeds/.test(e.message) ? `UPnP: the router's ${action} reply is too large (${e.message})` : `UPnP: the router's ${action} reply is not valid HTTP (${e.message})`, 'protocol');
      }
      throw new MappingError(`UPnP: ${action} failed: ${e.message}`, 'protocol');
    }
    if (res.status !== 200 && res.status !== 500) throw new MappingError(`UPnP: the router answered ${action} with HTTP ${res.status}`, 'protocol');
    try {
      return decodeSoapReply(res.body, action);
    } catch (err) {
      throw new MappingError(`UPnP: the router's ${action} ${(err as Error).message}`, 'protocol');
    }
  }
}
