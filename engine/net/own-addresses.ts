// Whether an address is this machine's own: trackers, DHT nodes and PEX list us among the peers, and dialling our
// own listener only ends at the handshake ("that is us"). Loopback and wildcard forms, and every address of the
// machine's interfaces (a LAN address when tracker and peers share the network, a public one on a server).
import { networkInterfaces } from 'node:os';

const LOOPBACK_OR_ANY = /^(127\.|::1$|::ffff:127\.|0\.0\.0\.0$|::$|localhost$)/;
/** Interfaces are read again after this long (addresses come and go: DHCP, roaming, privacy addresses). */
const CACHE_MS = 60_000;

let cached: { readonly at: number; readonly addresses: ReadonlySet<string> } | null = null;

function interfaceAddresses(now: number): ReadonlySet<string> {
  if (cached && now - cached.at < CACHE_MS) return cached.addresses;
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) addresses.add(info.address.toLowerCase());
  }
  cached = { at: now, addresses };
  return addresses;
}

/** True for loopback and wildcard addresses and for any address of this machine's network interfaces. */
export function isOwnAddress(host: string, now = Date.now()): boolean {
  if (LOOPBACK_OR_ANY.test(host)) return true;
  const plain = host.toLowerCase().replace(/^::ffff:/, '');
  return interfaceAddresses(now).has(plain);
}
