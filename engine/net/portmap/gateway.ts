/**
 * Where the home router is: the IPv4 default gateway from the kernel's routing table (/proc/net/route; this is file
 * I/O and lives in net/ beside the sockets that use it), and our own address toward it (the source address the
 * kernel picks, found by connecting a UDP socket, which sends nothing).
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

export interface DefaultRoute {
  readonly gateway: string;
  readonly iface: string;
}

/** The default route of a /proc/net/route table (lowest metric), or undefined. Pure; exported for tests. */
export function parseRouteTable(text: string): DefaultRoute | undefined {
  let best: { route: DefaultRoute; metric: number } | undefined;
  for (const line of text.split('\n').slice(1, 1025)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f as [string, string, string, string, string, string, string, string];
    // RTF_UP (1) and RTF_GATEWAY (2); destination and mask 0: the default route.
    if (dest !== '00000000' || mask !== '00000000' || (parseInt(flags, 16) & 3) !== 3 || !/^[0-9A-Fa-f]{8}$/.test(gw)) continue;
    const n = parseInt(gw, 16);
    // The kernel prints the address in host byte order, which is little-endian on every platform Node runs on here.
    const gateway = `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`;
    const m = Number(metric) || 0;
    if (!best || m < best.metric) best = { route: { gateway, iface }, metric: m };
  }
  return best?.route;
}

/** The default IPv4 gateway of this network namespace, or undefined (no default route, or not Linux). */
export async function readDefaultGateway(): Promise<DefaultRoute | undefined> {
  try {
    return parseRouteTable((await readFile('/proc/net/route', 'utf8')).slice(0, 64 * 1024));
  } catch {
    return undefined;
  }
}

/** Our IPv4 source address toward `host` (no packet is sent); rejects when there is no route. */
export function localAddressToward(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(9, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
