import { isIP, isIPv4, unmapIPv4 } from '../net/address.js';

/** 127.0.0.0/8, ::1, localhost (and IPv4-mapped loopback). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = unmapIPv4(h);
  return isIPv4(v4) && v4.startsWith('127.');
}

/** "host:port" as it appears in a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** What the daemon accepts as Host header and as Origin host for its own pages. */
export class OriginPolicy {
  private readonly hosts: Set<string>;
  /**
   * Bound to a non-loopback address (--allow-remote): the daemon may be reached under any name
   * (its IP, a host name, 0.0.0.0's interfaces), so any Host passes and an Origin must match the
   * request's own Host; the token is what protects it there.
   */
  private readonly anyHost: boolean;

  constructor(host: string, port: number) {
    this.anyHost = !isLoopbackHost(host);
    this.hosts = new Set(['127.0.0.1', 'localhost', '::1', host].map((n) => hostPort(n, port).toLowerCase()));
  }

  /**
   * The Host header names this daemon. On a loopback bind only loopback names pass: a page on
   * evil.example that a DNS rebinding points at 127.0.0.1 still sends Host: evil.example.
   */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    return this.anyHost || this.hosts.has(hostHeader.toLowerCase());
  }

  /** A browser's Origin header (absent for non-browser clients) is one of the daemon's own. */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (url.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const host = `${url.hostname}:${port}`.toLowerCase();
    if (this.anyHost) return hostHeader !== undefined && host === hostHeader.toLowerCase();
    return this.hosts.has(host);
  }
}
