/**
 * BEP 55 ut_holepunch: the payload of the extension message with which a peer asks a relay to introduce it to a
 * peer behind NAT (rendezvous), the relay tells both sides to dial each other (connect), or says why it cannot
 * (error). Pure.
 *
 * Layout: msg_type (1 byte), addr_type (1: 0 IPv4, 1 IPv6), address (4 or 16), port (2, big-endian), err_code
 * (4, big-endian; 0 unless an error). Older libtorrent releases leave err_code out of non-error messages, so a
 * payload without it decodes with error 0.
 */
import { formatIp, parseIp } from './compact.js';
import { WireError } from './errors.js';

export const HolepunchMessageType = { rendezvous: 0, connect: 1, error: 2 } as const;

/** BEP 55 error codes (err_code of an error message). */
export const HolepunchError = {
  /** The target endpoint is not a valid one. */
  noSuchPeer: 1,
  /** The relay is not connected to the target. */
  notConnected: 2,
  /** The target does not support ut_holepunch. */
  noSupport: 3,
  /** The target is the relay itself. */
  noSelf: 4,
} as const;
export type HolepunchErrorCode = (typeof HolepunchError)[keyof typeof HolepunchError];

const ERROR_NAMES: Readonly<Record<number, string>> = { 1: 'no such peer', 2: 'not connected', 3: 'no support', 4: 'no self' };

/** How an error code reads in the log. */
export function holepunchErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `unknown error ${code}`;
}

export type HolepunchMessage =
  | { readonly type: 'rendezvous' | 'connect'; readonly host: string; readonly port: number }
  | { readonly type: 'error'; readonly host: string; readonly port: number; readonly error: number }
  /** A msg_type this version does not know: ignored, as BEP 10 extensions ignore what they do not understand. */
  | { readonly type: 'unknown'; readonly code: number };

const TYPE_NAMES = ['rendezvous', 'connect', 'error'] as const;

/** The payload of `msg`; an address that is not an IP literal, a port outside 0..65535 or a bad error code throws WireError. */
export function encodeHolepunch(msg: Exclude<HolepunchMessage, { type: 'unknown' }>): Uint8Array {
  const ip = parseIp(msg.host);
  if (!ip) throw new WireError(`wire: ut_holepunch: not an IP address: ${JSON.stringify(msg.host.slice(0, 64))}`);
  if (!Number.isInteger(msg.port) || msg.port < 0 || msg.port > 0xffff) throw new WireError(`wire: ut_holepunch: port ${msg.port} out of range`);
  const error = msg.type === 'error' ? msg.error : 0;
  if (!Number.isInteger(error) || error < 0 || error > 0xffffffff) throw new WireError(`wire: ut_holepunch: error code ${error} out of range`);
  const out = new Uint8Array(2 + ip.length + 6);
  const view = new DataView(out.buffer);
  out[0] = HolepunchMessageType[msg.type];
  out[1] = ip.length === 4 ? 0 : 1;
  out.set(ip, 2);
  view.setUint16(2 + ip.length, msg.port);
  view.setUint32(4 + ip.length, error);
  return out;
}

/** Decodes a ut_holepunch payload; an unknown addr_type or a length that fits neither layout throws WireError. */
export function decodeHolepunch(payload: Uint8Array): HolepunchMessage {
  if (payload.length < 2) throw new WireError(`wire: ut_holepunch: payload of ${payload.length} bytes is too short`);
  const code = payload[0];
  const addrType = payload[1];
  if (addrType !== 0 && addrType !== 1) throw new WireError(`wire: ut_holepunch: unknown addr_type ${addrType}`);
  const ipLength = addrType === 0 ? 4 : 16;
  const base = 2 + ipLength + 2;
  if (payload.length !== base && payload.length !== base + 4) {
    throw new WireError(`wire: ut_holepunch: payload of ${payload.length} bytes (need ${base} or ${base + 4} for addr_type ${addrType})`);
  }
  if (code >= TYPE_NAMES.length) return { type: 'unknown', code };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  const host = formatIp(payload.subarray(2, 2 + ipLength));
  const port = view.getUint16(2 + ipLength);
  const type = TYPE_NAMES[code];
  if (type !== 'error') return { type, host, port };
  return { type, host, port, error: payload.length === base ? 0 : view.getUint32(base) };
}
