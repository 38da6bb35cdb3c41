/**
 * UPnP Internet Gateway Device documents: finding the WAN connection service in a device description, and the
 * SOAP actions we use on it (AddPortMapping, DeletePortMapping, GetExternalIPAddress) with their replies and faults.
 * All router input goes through the bounded reader of xml-codec.ts. Pure: no I/O.
 */
import { child, descendants, parseXml, XmlError, type XmlElement } from './xml-codec.js';

/** WAN connection services in order of preference. */
export const WAN_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

export const MAX_DESCRIPTION_CHARS = 128 * 1024;
export const MAX_SOAP_REPLY_CHARS = 16 * 1024;

export interface WanService {
  readonly serviceType: string;
  readonly controlUrl: URL;
}

export class IgdError extends Error {
  override name = 'IgdError';
  /** True when the document is not XML at all (or over a bound of the XML reader), not merely missing something. */
  constructor(
    message: string,
    readonly notXml = false,
  ) {
    super(message);
  }
}

/**
 * The preferred WAN connection service of a device description fetched from `location`. The control URL is
 * resolved against URLBase (or the location) and must point at the same host as the description: a router does not
 * get to send us elsewhere.
 */
export function findWanService(xml: string, location: URL): WanService {
  let root: XmlElement;
  try {
    root = parseXml(xml, { maxChars: MAX_DESCRIPTION_CHARS });
  } catch (err) {
    throw new IgdError(`device description is not valid XML (${(err as Error).message})`, true);
  }
  const base = child(root, 'URLBase')?.text;
  let baseUrl = location;
  if (base) {
    try {
      baseUrl = new URL(base);
    } catch {
      throw new IgdError('device description has an invalid URLBase');
    }
  }
  const services = descendants(root, 'service');
  for (const wanted of WAN_SERVICES) {
    const svc = services.find((s) => child(s, 'serviceType')?.text === wanted);
    const control = svc && child(svc, 'controlURL')?.text;
    if (!control) continue;
    let controlUrl: URL;
    try {
      controlUrl = new URL(control, baseUrl);
    } catch {
      throw new IgdError('device description has an invalid controlURL');
    }
    if (controlUrl.protocol !== 'http:' || controlUrl.hostname !== location.hostname) {
      throw new IgdError(`device description sends us to ${controlUrl.host}, which is not the router ${location.hostname}`);
    }
    return { serviceType: wanted, controlUrl };
  }
  throw new IgdError('device description lists no WANIPConnection or WANPPPConnection service');
}

export type PortProtocol = 'TCP' | 'UDP';

export interface SoapRequest {
  /** The SOAPACTION header value, quotes included. */
  readonly soapAction: string;
  readonly body: string;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function soapRequest(serviceType: string, action: string, args: readonly (readonly [string, string | number])[]): SoapRequest {
  const inner = args.map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
  const body =
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${serviceType}">${inner}</u:${action}></s:Body></s:Envelope>\r\n`;
  return { soapAction: `"${serviceType}#${action}"`, body };
}

export interface PortMappingArgs {
  readonly externalPort: number;
  readonly protocol: PortProtocol;
  readonly internalPort: number;
  readonly internalClient: string;
  readonly description: string;
  /** Seconds; 0 asks for a permanent mapping (only for routers that refuse anything else, error 725). */
  readonly leaseSeconds: number;
}

export function addPortMappingRequest(serviceType: string, m: PortMappingArgs): SoapRequest {
  return soapRequest(serviceType, 'AddPortMapping', [
    ['NewRemoteHost', ''],
    ['NewExternalPort', m.externalPort],
    ['NewProtocol', m.protocol],
    ['NewInternalPort', m.internalPort],
    ['NewInternalClient', m.internalClient],
    ['NewEnabled', 1],
    ['NewPortMappingDescription', m.description],
    ['NewLeaseDuration', m.leaseSeconds],
  ]);
}

export function deletePortMappingRequest(serviceType: string, externalPort: number, protocol: PortProtocol): SoapRequest {
  return soapRequest(serviceType, 'DeletePortMapping', [
    ['NewRemoteHost', ''],
    ['NewExternalPort', externalPort],
    ['NewProtocol', protocol],
  ]);
}

export function getExternalIpRequest(serviceType: string): SoapRequest {
  return soapRequest(serviceType, 'GetExternalIPAddress', []);
}

/** A SOAP reply: the action's out arguments, or the router's UPnP error. */
export type SoapReply =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly code: number; readonly description: string };

/** UPnP error codes we act on. */
export const UPNP_ERRORS = {
  conflict: 718,
  onlyPermanentLeases: 725,
  samePortRequired: 724,
  externalPortWildcard: 727,
  notAuthorized: 606,
} as const;

/** Parses the body of a SOAP reply to `action` (HTTP 200 or 500); throws IgdError when it is neither a reply nor a fault. */
export function decodeSoapReply(xml: string, action: string): SoapReply {
  let root: XmlElement;
  try {
    root = parseXml(xml, { maxChars: MAX_SOAP_REPLY_CHARS });
  } catch (err) {
    throw new IgdError(`reply is not valid XML (${err instanceof XmlError ? err.message : String(err)})`, true);
  }
  const body = root.name === 'Envelope' ? child(root, 'Body') : undefined;
  if (!body) throw new IgdError('reply has no SOAP Envelope/Body');
  const fault = child(body, 'Fault');
  if (fault) {
    const upnp = descendants(fault, 'UPnPError')[0];
    const code = Number(upnp && child(upnp, 'errorCode')?.text);
    const description = (upnp && child(upnp, 'errorDescription')?.text) || child(fault, 'faultstring')?.text || 'no description';
    // Router text goes into a one-line status: no control characters, bounded.
    return { ok: false, code: Number.isInteger(code) ? code : 0, description: description.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200) };
  }
  const response = child(body, `${action}Response`);
  if (!response) throw new IgdError(`reply has no ${action}Response`);
  const values = new Map<string, string>();
  for (const c of response.children) values.set(c.name, c.text);
  return { ok: true, values };
}
