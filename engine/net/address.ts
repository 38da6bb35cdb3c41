// IP address helpers. They open nothing, but they come from node:net, which only net/ imports: modules
// elsewhere take them from here.
import { isIP, isIPv4, isIPv6 } from 'node:net';

export { isIP, isIPv4, isIPv6 };

/** "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) -> "1.2.3.4"; any other address unchanged. */
export function unmapIPv4(addr: string): string {
  return addr.startsWith('::ffff:') && isIPv4(addr.slice(7)) ? addr.slice(7) : addr;
}
