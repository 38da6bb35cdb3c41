import { listenTcp } from './tcp-transport.js';
import type { Acceptor, IncomingStream, TransportKind } from './transport.js';
import { UdpSocket, type DatagramHandler } from './udp.js';
import { looksLikeUtp } from './utp/packet.js';
import { UtpSocket } from './utp/socket.js';

/** Takes each incoming stream, whatever transport it came on (see incoming.ts's acceptIncoming). */
export type IncomingHandler = (stream: IncomingStream) => void;

/** Which transports are on: a transport that is off refuses incoming connections and is not dialled. */
export interface TransportSwitches {
  readonly tcp: boolean;
  readonly utp: boolean;
}

/** What the DHT (and any later UDP protocol) sees of the shared UDP port: every datagram that is not uTP. */
export interface SharedDatagrams {
  send(data: Uint8Array, host: string, port: number): void;
  onMessage(fn: DatagramHandler): () => void;
}

const notUtp = (data: Uint8Array): boolean => !looksLikeUtp(data);

/** Tries with port 0 whose TCP number turned out taken on UDP before giving up. */
const FREE_PORT_ATTEMPTS = 8;
/** The kernel's receive buffer for the shared UDP socket: a uTP flow at full speed outruns the default. */
const UDP_RECEIVE_BUFFER = 4 << 20;

/**
 * Accepts incoming peer connections on one port number, on every transport: TCP, and uTP over one UDP socket
 * bound to the same number, which the DHT shares (it takes the datagrams that are not uTP, as libtorrent does).
 */
export class PeerListener {
  private acceptors: Acceptor[] = [];
  private udpSocket: UdpSocket | null = null;
  private utpSocket: UtpSocket | null = null;
  private switches: TransportSwitches = { tcp: true, utp: true };
  port = 0;

  constructor(private readonly onConnection: IncomingHandler, private readonly maxConnections = 500) {}

  /** The uTP socket outgoing uTP connections go through; null before listen() and after close(). */
  get utp(): UtpSocket | null {
    return this.utpSocket;
  }

  /** The shared UDP port as the DHT uses it (datagrams that are not uTP); null before listen(). */
  get datagrams(): SharedDatagrams | null {
    const udp = this.udpSocket;
    if (!udp) return null;
    return { send: (data, host, port) => udp.send(data, host, port), onMessage: (fn) => udp.onMessage(fn, notUtp) };
  }

  get transports(): TransportSwitches {
    return this.switches;
  }

  /** Turns transports on or off; connections already open stay. */
  setTransports(switches: TransportSwitches): void {
    this.switches = { ...switches };
    this.utpSocket?.onConnection(this.switches.utp ? this.accepting('utp') : null);
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listenOnce(port, host);
      } catch (err) {
        // Port 0: TCP chose a number that is taken on UDP. Choose again.
        if (port !== 0 || attempt >= FREE_PORT_ATTEMPTS || !(err as Error).message.startsWith('UDP port')) throw err;
      }
    }
  }

  /** TCP and uTP: incoming streams of both go to the same handler (plaintext / MSE sniffing, then routing). */
  private async listenOnce(port: number, host: string): Promise<number> {
    const acceptors: Acceptor[] = [];
    let udp: UdpSocket | null = null;
    try {
      // TCP picks the port (0: any free one); UDP takes the same number, for uTP and the DHT.
      const tcp = await listenTcp(port, host, this.accepting('tcp'), this.maxConnections);
      acceptors.push(tcp);
      udp = await UdpSocket.bind({ port: tcp.port, host, maxDatagram: 65_535, receiveBufferBytes: UDP_RECEIVE_BUFFER }).catch((err: Error) => {
        throw new Error(port === 0 ? err.message : `${err.message}: choose another with --port`);
      });
      udp.unref();
      const utp = new UtpSocket(udp, { maxConnections: this.maxConnections });
      utp.onConnection(this.switches.utp ? this.accepting('utp') : null);
      this.utpSocket = utp;
    } catch (err) {
      this.utpSocket?.close();
      this.utpSocket = null;
      await udp?.close();
      await Promise.all(acceptors.map((a) => a.close()));
      throw err;
    }
    this.udpSocket = udp;
    this.acceptors = acceptors;
    this.port = acceptors[0].port;
    return this.port;
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
    const acceptors = this.acceptors;
    this.acceptors = [];
    this.utpSocket?.close();
    this.utpSocket = null;
    const udp = this.udpSocket;
    this.udpSocket = null;
    await Promise.all([...acceptors.map((a) => a.close()), udp?.close()]);
  }
}
