// Where a node starts: the bootstrap routers' addresses as lookup contacts (IPv4 only, as our compact node info is).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4 } from '../net/address.js';
import type { Contact } from './lookup.js';
import type { Address } from './rpc.js';

/** Host name resolution (IPv4 addresses) for the bootstrap routers. */
export type Resolve = (host: string) => Promise<string[]>;

export async function defaultResolve(host: string): Promise<string[]> {
  if (isIPv4(host)) return [host];
  const all = await dnsLookup(host, { family: 4, all: true });
  return all.map((a) => a.address);
}

/** Every IPv4 address of every router, as contacts of unknown id. A router that does not resolve is left out. */
export async function resolveBootstrap(routers: readonly Address[], resolve: Resolve): Promise<Contact[]> {
  const resolved = await Promise.all(
    routers.map(async (a) => {
      try {
        return (await resolve(a.host)).filter((h) => isIPv4(h)).map((host): Contact => ({ id: null, host, port: a.port }));
      } catch {
        return [];
      }
    }),
  );
  return resolved.flat();
}

/** The routers given as plain IPv4 addresses, as contacts: no DNS, for lookups that start from a thin table. */
export function literalBootstrap(routers: readonly Address[]): Contact[] {
  const out: Contact[] = [];
  for (const a of routers) if (isIPv4(a.host)) out.push({ id: null, host: a.host, port: a.port });
  return out;
}
