/**
 * SSDP (UPnP 1.x discovery) messages for finding an Internet Gateway Device: the M-SEARCH request we multicast on
 * the LAN and the unicast HTTP-over-UDP replies routers send back. Replies are untrusted: capped in size, and only
 * a `200` status with an http:// LOCATION is accepted. Pure: no I/O.
 */

export const SSDP_MULTICAST = { host: '239.255.255.250', port: 1900 } as const;
export const IGD_SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
] as const;
export const MAX_SSDP_REPLY = 2048;

export function encodeMSearch(searchTarget: string, mxSeconds: number): Uint8Array {
  const text =
    'M-SEARCH * HTTP/1.1\r\n' +
    `HOST: ${SSDP_MULTICAST.host}:${SSDP_MULTICAST.port}\r\n` +
    'MAN: "ssdp:discover"\r\n' +
    `MX: ${Math.max(1, Math.min(5, Math.round(mxSeconds)))}\r\n` +
    `ST: ${searchTarget}\r\n` +
    '\r\n';
  return new TextEncoder().encode(text);
}

export interface SsdpReply {
  /** The device description URL (http:// only). */
  readonly location: URL;
  readonly searchTarget: string;
  readonly usn: string;
}

export class SsdpError extends Error {
  override name = 'SsdpError';
}

/** Parses one M-SEARCH reply; throws SsdpError saying what is wrong with it. */
export function decodeSsdpReply(data: Uint8Array): SsdpReply {
  if (data.length > MAX_SSDP_REPLY) throw new SsdpError(`SSDP reply of ${data.length} bytes exceeds ${MAX_SSDP_REPLY}`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  const lines = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) throw new SsdpError('SSDP reply is not an HTTP/1.x 200 response');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rawLocation = headers.get('location');
  if (!rawLocation) throw new SsdpError('SSDP reply has no LOCATION');
  let location: URL;
  try {
    location = new URL(rawLocation);
  } catch {
    throw new SsdpError('SSDP reply has an invalid LOCATION');
  }
  if (location.protocol !== 'http:') throw new SsdpError(`SSDP LOCATION scheme ${location.protocol} is not http:`);
  return { location, searchTarget: headers.get('st') ?? '', usn: headers.get('usn') ?? '' };
}
