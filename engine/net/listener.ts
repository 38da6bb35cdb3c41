import { isIP } from './address.js';
import { BindError } from './bind-error.js';
import { FamilySockets, type FamilyBinder } from './listen-family.js';
import { ipv6ListenerClosed, ipv6ListenerOpened } from './local-ipv6.js';
import type { IncomingStream, TransportKind } from './transport.js';
import type { DatagramHandler, IpFamily } from './udp.js';
import { looksLikeUtp } from './utp/packet.js';
import type { UtpSocket } from './utp/socket.js';

/** Takes each incoming stream, whatever transport it came on (see incoming.ts's acceptIncoming). */
export type IncomingHandler = (stream: IncomingStream) => void;

/** Which transports are on: a transport that is off refuses incoming connections and is not dialled. */
export interface TransportSwitches {
  readonly tcp: boolean;
  readonly utp: boolean;
}

/** What the DHT (and any later UDP protocol) sees of a shared UDP port: every datagram that is not uTP. */
export interface SharedDatagrams {
  send(data: Uint8Array, host: string, port: number): void;
  onMessage(fn: DatagramHandler): () => void;
}

export interface PeerListenerOptions {
  /** Most connections at once per transport and family (default 500). */
  readonly maxConnections?: number;
  /** Where "IPv6 is unavailable: listening on IPv4 only" goes (once per listener). */
  readonly log?: (line: string) => void;
  /** Binds one family's sockets (tests inject failures); default FamilySockets.bind. */
  readonly bind?: FamilyBinder;
}

const notUtp = (data: Uint8Array): boolean => !looksLikeUtp(data);

/** Tries with port 0 whose TCP number turned out taken on UDP (or on IPv6) before giving up. */
const FREE_PORT_ATTEMPTS = 8;
/** Bind errors meaning the machine has no usable IPv6 (disabled, or no such address family): carry on without. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

/**
 * Accepts incoming peer connections on one port number, on every transport and both address families: TCP, and
 * uTP over a UDP socket bound to the same number, which the DHT shares (it takes the datagrams that are not uTP,
 * as libtorrent does). Without an explicit host it binds IPv4 (0.0.0.0) and IPv6 (::, IPv6 only) separately, as
 * libtorrent and Transmission do, so each family has its own UDP socket (the IPv6 DHT of BEP 32 takes the
 * IPv6 one); with a host it binds just that address.
 */
export class PeerListener {
  private v4: FamilySockets | null = null;
  private v6: FamilySockets | null = null;
  private switches: TransportSwitches = { tcp: true, utp: true };
  private toldNoIpv6 = false;
  private readonly maxConnections: number;
  private readonly bindFamily: FamilyBinder;
  port = 0;

  constructor(private readonly onConnection: IncomingHandler, private readonly opts: PeerListenerOptions = {}) {
    this.maxConnections = opts.maxConnections ?? 500;
    this.bindFamily = opts.bind ?? ((o) => FamilySockets.bind(o));
  }

  /** The uTP socket outgoing uTP connections go through (IPv4's, else IPv6's); null before listen() and after close(). */
  get utp(): UtpSocket | null {
    return (this.v4 ?? this.v6)?.utp ?? null;
  }

  /** The uTP socket that can reach `host`: IPv6 peers go out the IPv6 socket. Null when that family is not bound. */
  utpFor(host: string): UtpSocket | null {
    return (isIP(host) === 6 ? this.v6 : this.v4)?.utp ?? null;
  }

  /** The IPv4 UDP port as the DHT uses it (datagrams that are not uTP); null before listen() or without IPv4. */
  get datagrams(): SharedDatagrams | null {
    return sharedOf(this.v4);
  }

  /** The IPv6 UDP port as the IPv6 DHT (BEP 32) uses it; null before listen() or when IPv6 is not bound. */
  get datagrams6(): SharedDatagrams | null {
    return sharedOf(this.v6);
  }

  /** The families bound now (4 and/or 6). */
  get families(): IpFamily[] {
    return [this.v4, this.v6].flatMap((s) => (s ? [s.family] : []));
  }

  get transports(): TransportSwitches {
    return this.switches;
  }

  /** Turns transports on or off; connections already open stay. */
  setTransports(switches: TransportSwitches): void {
    this.switches = { ...switches };
    for (const s of [this.v4, this.v6]) s?.utp.onConnection(this.switches.utp ? this.accepting('utp') : null);
  }

  /**
   * Listens on `port` (0: any free number, the same on every socket). Without `host`: IPv4 and IPv6 (IPv6 is
   * skipped, and the log says so once, when the machine has none); with one: only that address.
   */
  async listen(port: number, host?: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listenOnce(port, host);
      } catch (err) {
        // Port 0: TCP chose a number that is taken on UDP or on IPv6. Choose again.
        const taken = err instanceof BindError && err.code === 'EADDRINUSE';
        if (port !== 0 || attempt >= FREE_PORT_ATTEMPTS || !taken) throw err;
      }
    }
  }

  private async listenOnce(port: number, host: string | undefined): Promise<number> {
    if (host !== undefined) {
      const family: IpFamily = isIP(host) === 6 ? 6 : 4;
      this.adopt(await this.bindOne(port, host, family));
      return this.port;
    }
    const v4 = await this.bindOne(port, '0.0.0.0', 4);
    let v6: FamilySockets | null = null;
    try {
      v6 = await this.bindOne(v4.port, '::', 6);
    } catch (err) {
      const code = err instanceof BindError ? err.code : undefined;
      if (code === undefined || !NO_IPV6.has(code)) {
        await v4.close();
        throw err;
      }
      if (!this.toldNoIpv6) this.opts.log?.(`IPv6 is unavailable on this machine (${code}): listening on IPv4 only`);
      this.toldNoIpv6 = true;
    }
    this.adopt(v4, v6);
    return this.port;
  }

  private bindOne(port: number, host: string, family: IpFamily): Promise<FamilySockets> {
    return this.bindFamily({ port, host, family, maxConnections: this.maxConnections, onTcp: this.accepting('tcp') });
  }

  private adopt(...sets: (FamilySockets | null)[]): void {
    for (const s of sets) {
      if (!s) continue;
      s.utp.onConnection(this.switches.utp ? this.accepting('utp') : null);
      if (s.family === 4) this.v4 = s;
      else {
        this.v6 = s;
        ipv6ListenerOpened();
      }
    }
    this.port = (this.v4 ?? this.v6)?.port ?? 0;
  }

  /**
   * Hands a stream on while its transport is on; refuses it otherwise. A TCP port stays bound while TCP is off
   * (it reserves the number uTP shares) and closes what it accepts, as libtorrent does; uTP answers SYNs with RESET.
   */
  private accepting(kind: TransportKind): IncomingHandler {
    return (stream) => {
      if (this.switches[kind]) this.onConnection(stream);
      else stream.destroy();
    };
  }

  async close(): Promise<void> {
    const sets = [this.v4, this.v6];
    if (this.v6) ipv6ListenerClosed();
    this.v4 = null;
    this.v6 = null;
    await Promise.all(sets.map((s) => s?.close()));
  }
}

function sharedOf(sockets: FamilySockets | null): SharedDatagrams | null {
  if (!sockets) return null;
  const udp = sockets.udp;
  return { send: (data, host, port) => udp.send(data, host, port), onMessage: (fn) => udp.onMessage(fn, notUtp) };
}
