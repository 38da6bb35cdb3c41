// Where a node starts: the bootstrap routers' addresses as lookup contacts, of the node's address family (an IPv4
// node bootstraps from IPv4 addresses, an IPv6 node from IPv6 ones: BEP 32 keeps the two DHTs apart).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from '../net/address.js';
import type { Contact } from './lookup.js';
import type { Address } from './rpc.js';

/** Host name resolution for the bootstrap routers: the addresses of `family` (default 4). */
export type Resolve = (host: string, family?: 4 | 6) => Promise<string[]>;

export async function defaultResolve(host: string, family: 4 | 6 = 4): Promise<string[]> {
  if (isIP(host) === family) return [host];
  if (isIP(host) !== 0) return [];
  const all = await dnsLookup(host, { family, all: true });
  return all.map((a) => a.address);
}

/** Every address of `family` of every router, as contacts of unknown id. A router that does not resolve is left out. */
export async function resolveBootstrap(routers: readonly Address[], resolve: Resolve, family: 4 | 6 = 4): Promise<Contact[]> {
  const resolved = await Promise.all(
    routers.map(async (a) => {
      try {
        return (await resolve(a.host, family)).filter((h) => isIP(h) === family).map((host): Contact => ({ id: null, host, port: a.port }));
      } catch {
        return [];
      }
    }),
  );
  return resolved.flat();
}

/** The routers given as plain addresses of `family`, as contacts: no DNS, for lookups that start from a thin table. */
export function literalBootstrap(routers: readonly Address[], family: 4 | 6 = 4): Contact[] {
  const out: Contact[] = [];
  for (const a of routers) if (isIP(a.host) === family) out.push({ id: null, host: a.host, port: a.port });
  return out;
}
