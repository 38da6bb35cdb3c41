// Our global IPv6 address, for the `ipv6=` parameter of HTTP announces (BEP 7): a tracker reached over IPv4 then
// still learns the address IPv6 peers can dial. Only while some listener has IPv6 bound (a session listening on
// 127.0.0.1 alone must not advertise an address it does not accept connections on).
import { localInterfaces } from './own-addresses.js';

let ipv6Listeners = 0;

export function ipv6ListenerOpened(): void {
  ipv6Listeners++;
}

export function ipv6ListenerClosed(): void {
  ipv6Listeners = Math.max(0, ipv6Listeners - 1);
}

/** True for global unicast (2000::/3): not loopback, link-local (fe80::/10), unique-local (fc00::/7) or mapped IPv4. */
export function isGlobalIPv6(address: string): boolean {
  const first = Number.parseInt(address.split(':', 1)[0] || '0', 16);
  return first >= 0x2000 && first <= 0x3fff;
}

/** The first global IPv6 address among the machine's interfaces, undefined when none or no listener has IPv6. */
export function globalIPv6Address(now = Date.now()): string | undefined {
  if (ipv6Listeners === 0) return undefined;
  return localInterfaces(now).find((a) => a.family === 'IPv6' && !a.internal && isGlobalIPv6(a.address))?.address;
}
