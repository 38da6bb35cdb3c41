// The largest datagram worth probing for towards a peer: the MTU of the interface the peer is reached through, less
// IP and UDP headers. Node cannot set the don't-fragment bit on a UDP socket; Linux (IP_PMTUDISC_WANT) sets it when
// a datagram fits the route's known path MTU and fragments locally otherwise, so probing past the interface's MTU
// would only measure local fragmentation. Loopback peers use the loopback interface's MTU (65536 by default: one
// datagram per 64 KiB instead of per 1.2 KiB); others the largest MTU among the other interfaces. Read from
// /sys/class/net, where that is missing an Ethernet-sized 1500.
import { readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { maxDatagramForLink } from './mtu.js';

const SYS_NET = '/sys/class/net';
const ETHERNET_MTU = 1500;
/** IFF_LOOPBACK in an interface's flags. */
const IFF_LOOPBACK = 0x8;
/** Interfaces come and go (a VPN, a cable): read them again after this long. */
const REFRESH_MS = 60_000;

interface LinkMtus {
  readonly loopback: number;
  readonly other: number;
}

let cached: { at: number; mtus: LinkMtus } | null = null;

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses. */
export function isLoopbackAddress(host: string): boolean {
  if (host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The MTUs of the loopback interface and the largest other one, from /sys (1500 each where it cannot be read). */
export function readLinkMtus(sysNet = SYS_NET): LinkMtus {
  let loopback = 0;
  let other = 0;
  let names: string[] = [];
  try {
    names = readdirSync(sysNet);
  } catch {
    return { loopback: ETHERNET_MTU, other: ETHERNET_MTU };
  }
  for (const name of names) {
    try {
      const mtu = Number(readFileSync(`${sysNet}/${name}/mtu`, 'utf8').trim());
      const flags = Number(readFileSync(`${sysNet}/${name}/flags`, 'utf8').trim());
      if (!Number.isFinite(mtu) || mtu <= 0) continue;
      if (flags & IFF_LOOPBACK) loopback = Math.max(loopback, mtu);
      else other = Math.max(other, mtu);
    } catch {
      // an interface that vanished while we read: skip it
    }
  }
  return { loopback: loopback || ETHERNET_MTU, other: other || ETHERNET_MTU };
}

/** The largest UDP payload to probe for towards `host` (an IP address), without local fragmentation. */
export function maxDatagramTo(host: string, nowMs = Date.now()): number {
  if (cached === null || nowMs - cached.at > REFRESH_MS) cached = { at: nowMs, mtus: readLinkMtus() };
  const family = isIP(host) === 6 && !host.startsWith('::ffff:') ? 6 : 4;
  return maxDatagramForLink(isLoopbackAddress(host) ? cached.mtus.loopback : cached.mtus.other, family);
}
