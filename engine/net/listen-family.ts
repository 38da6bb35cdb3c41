// One address family's listening sockets: TCP, and one UDP socket with the same port number carrying uTP (and,
// for whoever subscribes, the datagrams that are not uTP: the DHT's). The listener opens one set per family.
import { BindError } from './bind-error.js';
import { listenTcp } from './tcp-transport.js';
import type { Acceptor, IncomingStream } from './transport.js';
import { UdpSocket, type IpFamily } from './udp.js';
import { UtpSocket } from './utp/socket.js';

/** The kernel's receive buffer for a listening UDP socket: a uTP flow at full speed outruns the default. */
const UDP_RECEIVE_BUFFER = 4 << 20;

export interface FamilyBindOptions {
  readonly port: number;
  readonly host: string;
  readonly family: IpFamily;
  readonly maxConnections: number;
  readonly onTcp: (stream: IncomingStream) => void;
}

/** TCP + UDP/uTP of one family, bound to one port number. */
export class FamilySockets {
  private constructor(
    readonly family: IpFamily,
    readonly port: number,
    private readonly tcp: Acceptor,
    readonly udp: UdpSocket,
    readonly utp: UtpSocket,
  ) {}

  /**
   * Binds TCP (port 0: any free number) and then UDP on the same number. An IPv6 set is IPv6 only, so an
   * IPv4 set can hold the same number beside it. Rejects with a BindError (its code kept) when either fails.
   */
  static async bind(opts: FamilyBindOptions): Promise<FamilySockets> {
    const ipv6Only = opts.family === 6;
    const tcp = await listenTcp(opts.port, opts.host, opts.onTcp, opts.maxConnections, ipv6Only);
    let udp: UdpSocket;
    try {
      udp = await UdpSocket.bind({ port: tcp.port, host: opts.host, family: opts.family, ipv6Only, maxDatagram: 65_535, receiveBufferBytes: UDP_RECEIVE_BUFFER });
    } catch (err) {
      await tcp.close();
      const code = err instanceof BindError ? err.code : undefined;
      throw new BindError(opts.port === 0 ? (err as Error).message : `${(err as Error).message}: choose another with --port`, code);
    }
    udp.unref();
    const utp = new UtpSocket(udp, { maxConnections: opts.maxConnections });
    return new FamilySockets(opts.family, tcp.port, tcp, udp, utp);
  }

  async close(): Promise<void> {
    this.utp.close();
    await Promise.all([this.tcp.close(), this.udp.close()]);
  }
}

export type FamilyBinder = (opts: FamilyBindOptions) => Promise<FamilySockets>;
