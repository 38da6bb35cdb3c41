/**
 * NAT-PMP (RFC 6886) and PCP (RFC 6887, MAP opcode) messages. Both speak to the gateway on UDP 5351; a PCP server
 * answers a NAT-PMP request and a NAT-PMP-only server answers a PCP request with "unsupported version", which is
 * how a client falls back. Replies are untrusted: lengths, versions and opcodes are checked. Pure: no I/O.
 */

export const PMP_PORT = 5351;
export type MapProtocol = 'tcp' | 'udp';

export class PmpError extends Error {
  override name = 'PmpError';
}

// ---- NAT-PMP ----

export const NATPMP_RESULTS: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'unsupported version',
  2: 'not authorized/refused',
  3: 'network failure',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export function encodeNatPmpExternalAddressRequest(): Uint8Array {
  return new Uint8Array([0, 0]);
}

/** A mapping request; lifetime 0 (with suggested external port 0) deletes the mapping. */
export function encodeNatPmpMapRequest(protocol: MapProtocol, internalPort: number, suggestedExternalPort: number, lifetimeSeconds: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  b[0] = 0;
  b[1] = protocol === 'udp' ? 1 : 2;
  v.setUint16(4, internalPort);
  v.setUint16(6, suggestedExternalPort);
  v.setUint32(8, lifetimeSeconds);
  return b;
}

export type NatPmpReply =
  | { readonly kind: 'external-address'; readonly result: number; readonly epoch: number; readonly address: string }
  | { readonly kind: 'map'; readonly protocol: MapProtocol; readonly result: number; readonly epoch: number; readonly internalPort: number; readonly externalPort: number; readonly lifetime: number }
  /** An error reply too short to carry the body of its opcode (allowed for result != 0). */
  | { readonly kind: 'error'; readonly op: number; readonly result: number; readonly epoch: number };

export function decodeNatPmpReply(data: Uint8Array): NatPmpReply {
  if (data.length < 8) throw new PmpError(`NAT-PMP reply of ${data.length} bytes is too short`);
  if (data[0] !== 0) throw new PmpError(`NAT-PMP reply has version ${data[0]}`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const op = data[1]!;
  if (op < 128 || op > 130) throw new PmpError(`NAT-PMP reply has opcode ${op}`);
  const result = v.getUint16(2);
  const epoch = v.getUint32(4);
  if (op === 128 && data.length >= 12) {
    return { kind: 'external-address', result, epoch, address: `${data[8]}.${data[9]}.${data[10]}.${data[11]}` };
  }
  if (op !== 128 && data.length >= 16) {
    return { kind: 'map', protocol: op === 129 ? 'udp' : 'tcp', result, epoch, internalPort: v.getUint16(8), externalPort: v.getUint16(10), lifetime: v.getUint32(12) };
  }
  if (result !== 0) return { kind: 'error', op: op - 128, result, epoch };
  throw new PmpError(`NAT-PMP success reply of ${data.length} bytes is too short`);
}

// ---- PCP ----

export const PCP_VERSION = 2;
export const PCP_OPCODE_MAP = 1;
export const PCP_RESULTS: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'unsupported version',
  2: 'not authorized',
  3: 'malformed request',
  4: 'unsupported opcode',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure',
  8: 'no resources',
  9: 'unsupported protocol',
  10: 'user exceeded quota',
  11: 'cannot provide external port',
  12: 'address mismatch',
  13: 'excessive remote peers',
};

/** An IPv4 address as the 16-byte IPv4-mapped IPv6 form PCP uses (::ffff:a.b.c.d); zeros for '0.0.0.0'. */
export function ipv4Mapped(address: string): Uint8Array {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new PmpError(`not an IPv4 address: ${address}`);
  const b = new Uint8Array(16);
  if (parts.every((p) => p === 0)) return b;
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(parts, 12);
  return b;
}

function mappedToString(b: Uint8Array): string {
  const isMapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (isMapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

export interface PcpMapRequest {
  /** Our address on the LAN, as the gateway sees it. */
  readonly clientAddress: string;
  readonly lifetimeSeconds: number;
  /** 12 random bytes naming this mapping; renewals and the delete reuse it. */
  readonly nonce: Uint8Array;
  readonly protocol: MapProtocol;
  readonly internalPort: number;
  readonly suggestedExternalPort: number;
}

export function encodePcpMapRequest(r: PcpMapRequest): Uint8Array {
  if (r.nonce.length !== 12) throw new PmpError('PCP nonce must be 12 bytes');
  const b = new Uint8Array(60);
  const v = new DataView(b.buffer);
  b[0] = PCP_VERSION;
  b[1] = PCP_OPCODE_MAP;
  v.setUint32(4, r.lifetimeSeconds);
  b.set(ipv4Mapped(r.clientAddress), 8);
  b.set(r.nonce, 24);
  b[36] = r.protocol === 'tcp' ? 6 : 17;
  v.setUint16(40, r.internalPort);
  v.setUint16(42, r.suggestedExternalPort);
  // Suggested external address: the IPv4 "any" address (::ffff:0.0.0.0) since we want an IPv4 mapping.
  b[54] = 0xff;
  b[55] = 0xff;
  return b;
}

export type PcpReply =
  | { readonly kind: 'map'; readonly result: number; readonly lifetime: number; readonly epoch: number; readonly nonce: Uint8Array; readonly protocol: MapProtocol | number; readonly internalPort: number; readonly externalPort: number; readonly externalAddress: string }
  | { readonly kind: 'error'; readonly version: number; readonly opcode: number; readonly result: number; readonly lifetime: number; readonly epoch: number };

/**
 * A PCP reply (or a NAT-PMP server's "unsupported version" reply to our PCP request, reported as an error with
 * version 0 so the caller can fall back).
 */
export function decodePcpReply(data: Uint8Array): PcpReply {
  if (data.length >= 4 && data[0] === 0) {
    const result = (data[2]! << 8) | data[3]!;
    return { kind: 'error', version: 0, opcode: data[1]! & 0x7f, result, lifetime: 0, epoch: 0 };
  }
  if (data.length < 24) throw new PmpError(`PCP reply of ${data.length} bytes is too short`);
  if (data.length > 1100 || data.length % 4 !== 0) throw new PmpError(`PCP reply of ${data.length} bytes has an invalid length`);
  if (data[0] !== PCP_VERSION) throw new PmpError(`PCP reply has version ${data[0]}`);
  if ((data[1]! & 0x80) === 0) throw new PmpError('PCP message is a request, not a reply');
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const opcode = data[1]! & 0x7f;
  const result = data[3]!;
  const lifetime = v.getUint32(4);
  const epoch = v.getUint32(8);
  if (opcode !== PCP_OPCODE_MAP || data.length < 60) {
    if (result !== 0) return { kind: 'error', version: PCP_VERSION, opcode, result, lifetime, epoch };
    throw new PmpError(opcode !== PCP_OPCODE_MAP ? `PCP reply has opcode ${opcode}` : 'PCP MAP reply is too short');
  }
  const proto = data[36]!;
  return {
    kind: 'map',
    result,
    lifetime,
    epoch,
    nonce: new Uint8Array(data.subarray(24, 36)),
    protocol: proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto,
    internalPort: v.getUint16(40),
    externalPort: v.getUint16(42),
    externalAddress: mappedToString(data.subarray(44, 60)),
  };
}
