// This machine's network interfaces, read once a minute for everything that needs them, and whether an address is
// our own: trackers, DHT nodes and PEX list us among the peers, and dialling our own listener only ends at the
// handshake ("that is us"). Loopback and wildcard forms, and every address of the machine's interfaces (a LAN
// address when tracker and peers share the network, a public one on a server).
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const LOOPBACK_OR_ANY = /^(127\.|::1$|::ffff:127\.|0\.0\.0\.0$|::$|localhost$)/;
/** Interfaces are read again after this long (addresses come and go: DHCP, roaming, privacy addresses). */
const CACHE_MS = 60_000;

let cached: { readonly at: number; readonly interfaces: readonly NetworkInterfaceInfo[]; readonly addresses: ReadonlySet<string> } | null = null;

function read(now: number): NonNullable<typeof cached> {
  if (cached && now - cached.at < CACHE_MS) return cached;
  const interfaces = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  cached = { at: now, interfaces, addresses: new Set(interfaces.map((info) => info.address.toLowerCase())) };
  return cached;
}

/** Every address of this machine's network interfaces, as read at most CACHE_MS ago. */
export function localInterfaces(now = Date.now()): readonly NetworkInterfaceInfo[] {
  return read(now).interfaces;
}

/** True for loopback and wildcard addresses and for any address of this machine's network interfaces. */
export function isOwnAddress(host: string, now = Date.now()): boolean {
  if (LOOPBACK_OR_ANY.test(host)) return true;
  return read(now).addresses.has(host.toLowerCase().replace(/^::ffff:/, ''));
}
