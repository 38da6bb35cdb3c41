import { isIPv4 } from 'node:net';
import type { MapProtocol } from './pmp-codec.js';

export type { MapProtocol } from './pmp-codec.js';

/** How a mapping was made. */
export type MappingMethod = 'pcp' | 'nat-pmp' | 'upnp';

export const METHOD_NAMES: Readonly<Record<MappingMethod, string>> = { pcp: 'PCP', 'nat-pmp': 'NAT-PMP', upnp: 'UPnP' };

/** What the router granted. */
export interface MappingGrant {
  readonly externalPort: number;
  /** Seconds; 0 means permanent (a UPnP router that accepts nothing else). */
  readonly lifetimeSeconds: number;
  readonly externalAddress?: string;
}

/**
 * Why a router did not map: no router answered (`unavailable`), it does not speak this protocol version
 * (`unsupported`), it said no (`refused`), our external port is taken (`conflict`), or it sent garbage (`protocol`).
 */
export type MappingFailure = 'unavailable' | 'unsupported' | 'refused' | 'conflict' | 'protocol';

export class MappingError extends Error {
  override name = 'MappingError';
  constructor(
    message: string,
    readonly kind: MappingFailure,
  ) {
    super(message);
  }
}

/** One way of talking to one router. */
export interface MappingBackend {
  readonly method: MappingMethod;
  /** The router's address. */
  readonly gateway: string;
  map(protocol: MapProtocol, internalPort: number, externalPort: number, lifetimeSeconds: number): Promise<MappingGrant>;
  unmap(protocol: MapProtocol, internalPort: number, externalPort: number): Promise<void>;
  externalAddress(): Promise<string | undefined>;
  /** True once, after a reply showed the router lost its state (NAT-PMP/PCP epoch went back): map everything again. */
  takeRestarted(): boolean;
  close(): Promise<void>;
}

/**
 * A router's word on our Internet address, if it is one: an IPv4 address other than 0.0.0.0 (which NAT-PMP sends
 * while the router has none). Anything else a hostile or broken router says is dropped, not shown.
 */
export function usableExternalAddress(address: string): string | undefined {
  return isIPv4(address) && address !== '0.0.0.0' ? address : undefined;
}
