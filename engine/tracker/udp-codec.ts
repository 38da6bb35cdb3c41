/**
 * BEP 15 (UDP tracker protocol) packets. Pure: bytes in, values or TrackerError out.
 * All integers are big-endian.
 */
import { TrackerError } from './errors.js';
import { decodeCompactPeers } from '../wire/compact.js';
import type { AnnounceEvent, AnnounceParams, PeerAddress, ScrapeResponse } from './types.js';

/** The magic constant that opens a connect request. */
export const UDP_PROTOCOL_ID = 0x41727101980n;

export const UDP_ACTION = { connect: 0, announce: 1, scrape: 2, error: 3 } as const;
export type UdpActionName = keyof typeof UDP_ACTION;

export const UDP_EVENT = { none: 0, completed: 1, started: 2, stopped: 3 } as const;

/** BEP 15 allows about 74 info-hashes per scrape request. */
export const UDP_MAX_SCRAPE_HASHES = 74;

export const UDP_CONNECT_REQUEST_LEN = 16;
export const UDP_ANNOUNCE_REQUEST_LEN = 98;

export type UdpFamily = 4 | 6;

export interface UdpAnnounceResponse {
  transactionId: number;
  interval: number;
  leechers: number;
  seeders: number;
  peers: PeerAddress[];
}

export interface UdpAnnounceRequest {
  connectionId: bigint;
  transactionId: number;
  infoHash: Uint8Array;
  peerId: Uint8Array;
  downloaded: number;
  left: number;
  uploaded: number;
  event: AnnounceEvent | undefined;
  ip: number;
  key: number;
  numwant: number;
  port: number;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkU32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TrackerError(`udp tracker: ${what} must be a 32-bit unsigned integer`, 'protocol');
}

function checkHash(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 20) throw new TrackerError(`udp tracker: ${what} must be 20 bytes`, 'protocol');
}

/** Non-negative int64 from a JS number (negative and non-finite become 0; fractions are truncated). */
function toU64(n: number): bigint {
  if (!Number.isFinite(n) || n <= 0) return 0n;
  return BigInt(Math.min(Math.trunc(n), Number.MAX_SAFE_INTEGER));
}

export function encodeConnectRequest(transactionId: number): Uint8Array {
  checkU32(transactionId, 'transaction id');
  const out = new Uint8Array(UDP_CONNECT_REQUEST_LEN);
  const v = view(out);
  v.setBigUint64(0, UDP_PROTOCOL_ID);
  v.setUint32(8, UDP_ACTION.connect);
  v.setUint32(12, transactionId);
  return out;
}

export function encodeAnnounceRequest(connectionId: bigint, transactionId: number, params: AnnounceParams): Uint8Array {
  checkU32(transactionId, 'transaction id');
  checkHash(params.infoHash, 'info_hash');
  checkHash(params.peerId, 'peer_id');
  if (!Number.isInteger(params.port) || params.port < 0 || params.port > 0xffff) throw new TrackerError('udp tracker: port out of range', 'protocol');
  const key = params.key ?? 0;
  checkU32(key, 'key');
  const numwant = params.numwant === undefined ? -1 : Math.max(-1, Math.min(Math.trunc(params.numwant), 0x7fffffff));
  const out = new Uint8Array(UDP_ANNOUNCE_REQUEST_LEN);
  const v = view(out);
  v.setBigUint64(0, BigInt.asUintN(64, connectionId));
  v.setUint32(8, UDP_ACTION.announce);
  v.setUint32(12, transactionId);
  out.set(params.infoHash, 16);
  out.set(params.peerId, 36);
  v.setBigUint64(56, toU64(params.downloaded));
  v.setBigUint64(64, toU64(params.left));
  v.setBigUint64(72, toU64(params.uploaded));
  v.setUint32(80, params.event ? UDP_EVENT[params.event] : UDP_EVENT.none);
  v.setUint32(84, 0); // ip: 0 = the packet's source address
  v.setUint32(88, key);
  v.setInt32(92, numwant);
  v.setUint16(96, params.port);
  return out;
}

export function encodeScrapeRequest(connectionId: bigint, transactionId: number, infoHashes: readonly Uint8Array[]): Uint8Array {
  checkU32(transactionId, 'transaction id');
  if (infoHashes.length === 0 || infoHashes.length > UDP_MAX_SCRAPE_HASHES) {
    throw new TrackerError(`udp tracker: a scrape carries 1 to ${UDP_MAX_SCRAPE_HASHES} info-hashes`, 'protocol');
  }
  const out = new Uint8Array(16 + 20 * infoHashes.length);
  const v = view(out);
  v.setBigUint64(0, BigInt.asUintN(64, connectionId));
  v.setUint32(8, UDP_ACTION.scrape);
  v.setUint32(12, transactionId);
  infoHashes.forEach((h, i) => {
    checkHash(h, 'info_hash');
    out.set(h, 16 + 20 * i);
  });
  return out;
}

/** Action and transaction id of any response, or undefined when the packet is shorter than 8 bytes. */
export function peekUdpResponse(buf: Uint8Array): { action: number; transactionId: number } | undefined {
  if (buf.length < 8) return undefined;
  const v = view(buf);
  return { action: v.getUint32(0), transactionId: v.getUint32(4) };
}

function expectAction(buf: Uint8Array, action: number, name: string, minLen: number): DataView {
  if (buf.length < minLen) throw new TrackerError(`udp tracker: ${name} response of ${buf.length} bytes is shorter than ${minLen}`, 'protocol');
  const v = view(buf);
  const got = v.getUint32(0);
  if (got !== action) throw new TrackerError(`udp tracker: expected ${name} response (action ${action}), got action ${got}`, 'protocol');
  return v;
}

export function decodeConnectResponse(buf: Uint8Array): { transactionId: number; connectionId: bigint } {
  const v = expectAction(buf, UDP_ACTION.connect, 'connect', 16);
  if (buf.length !== 16) throw new TrackerError(`udp tracker: connect response of ${buf.length} bytes, expected 16`, 'protocol');
  return { transactionId: v.getUint32(4), connectionId: v.getBigUint64(8) };
}

/** `family` is the address family of the socket the request went out on: it decides 6-byte (IPv4) or 18-byte (IPv6) peers. */
export function decodeAnnounceResponse(buf: Uint8Array, family: UdpFamily): UdpAnnounceResponse {
  const v = expectAction(buf, UDP_ACTION.announce, 'announce', 20);
  const size = family === 6 ? 18 : 6;
  // Whole entries only: a trailing partial entry is dropped, as libtorrent does (the same rule as HTTP compact lists).
  const end = buf.length - ((buf.length - 20) % size);
  const peers: PeerAddress[] = decodeCompactPeers(buf.subarray(20, end), family)
    .filter((p) => p.port !== 0)
    .map((p) => ({ host: p.host, port: p.port }));
  return { transactionId: v.getUint32(4), interval: v.getUint32(8), leechers: v.getUint32(12), seeders: v.getUint32(16), peers };
}

/** `expectedCount` is the number of info-hashes the request carried; the response must hold exactly that many entries. */
export function decodeScrapeResponse(buf: Uint8Array, expectedCount?: number): { transactionId: number; files: ScrapeResponse[] } {
  const v = expectAction(buf, UDP_ACTION.scrape, 'scrape', 8);
  const rest = buf.length - 8;
  if (rest % 12 !== 0) throw new TrackerError(`udp tracker: scrape response body of ${rest} bytes is not a multiple of 12`, 'protocol');
  const n = rest / 12;
  if (expectedCount !== undefined && n !== expectedCount) {
    throw new TrackerError(`udp tracker: scrape response has ${n} entries, expected ${expectedCount}`, 'protocol');
  }
  const files: ScrapeResponse[] = [];
  for (let off = 8; off < buf.length; off += 12) {
    files.push({ complete: v.getUint32(off), downloaded: v.getUint32(off + 4), incomplete: v.getUint32(off + 8) });
  }
  return { transactionId: v.getUint32(4), files };
}

export function decodeErrorResponse(buf: Uint8Array): { transactionId: number; message: string } {
  const v = expectAction(buf, UDP_ACTION.error, 'error', 8);
  const message = Buffer.from(buf.buffer, buf.byteOffset + 8, buf.length - 8).toString('utf8');
  return { transactionId: v.getUint32(4), message };
}

// ---- request decoders: what a tracker does; used by the test fake and handy for checking encoders ----

export function decodeConnectRequest(buf: Uint8Array): { transactionId: number } {
  if (buf.length !== UDP_CONNECT_REQUEST_LEN) throw new TrackerError(`udp tracker: connect request of ${buf.length} bytes, expected 16`, 'protocol');
  const v = view(buf);
  if (v.getBigUint64(0) !== UDP_PROTOCOL_ID) throw new TrackerError('udp tracker: connect request without the protocol magic', 'protocol');
  if (v.getUint32(8) !== UDP_ACTION.connect) throw new TrackerError('udp tracker: not a connect request', 'protocol');
  return { transactionId: v.getUint32(12) };
}

const EVENT_BY_ID: (AnnounceEvent | undefined)[] = [undefined, 'completed', 'started', 'stopped'];

export function decodeAnnounceRequest(buf: Uint8Array): UdpAnnounceRequest {
  if (buf.length < UDP_ANNOUNCE_REQUEST_LEN) throw new TrackerError(`udp tracker: announce request of ${buf.length} bytes, expected at least 98`, 'protocol');
  const v = view(buf);
  if (v.getUint32(8) !== UDP_ACTION.announce) throw new TrackerError('udp tracker: not an announce request', 'protocol');
  const eventId = v.getUint32(80);
  if (eventId > 3) throw new TrackerError(`udp tracker: unknown event ${eventId}`, 'protocol');
  return {
    connectionId: v.getBigUint64(0),
    transactionId: v.getUint32(12),
    infoHash: buf.slice(16, 36),
    peerId: buf.slice(36, 56),
    downloaded: Number(v.getBigUint64(56)),
    left: Number(v.getBigUint64(64)),
    uploaded: Number(v.getBigUint64(72)),
    event: EVENT_BY_ID[eventId],
    ip: v.getUint32(84),
    key: v.getUint32(88),
    numwant: v.getInt32(92),
    port: v.getUint16(96),
  };
}

export function decodeScrapeRequest(buf: Uint8Array): { connectionId: bigint; transactionId: number; infoHashes: Uint8Array[] } {
  if (buf.length < 36 || (buf.length - 16) % 20 !== 0) throw new TrackerError(`udp tracker: scrape request of ${buf.length} bytes`, 'protocol');
  const v = view(buf);
  if (v.getUint32(8) !== UDP_ACTION.scrape) throw new TrackerError('udp tracker: not a scrape request', 'protocol');
  const infoHashes: Uint8Array[] = [];
  for (let off = 16; off < buf.length; off += 20) infoHashes.push(buf.slice(off, off + 20));
  return { connectionId: v.getBigUint64(0), transactionId: v.getUint32(12), infoHashes };
}
