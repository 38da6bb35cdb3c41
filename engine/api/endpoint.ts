/**
 * "host:port" as peers are shown (Peers tab, logs, ban commands): an IPv6 host in brackets, "[2001:db8::1]:6881",
 * so the port cannot be read as one more group of the address. The one place peer endpoints become text. Pure.
 */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
