import { listenTcp } from './tcp-transport.js';
import type { Acceptor, IncomingStream, Listen } from './transport.js';

/** Takes each incoming stream, whatever transport it came on (see incoming.ts's acceptIncoming). */
export type IncomingHandler = (stream: IncomingStream) => void;

/** The transports peers can reach us on, all on the same port number: where another one (uTP) is added. */
const TRANSPORT_LISTENERS: readonly Listen[] = [listenTcp];

/** Accepts incoming peer connections on one port, on every transport. */
export class PeerListener {
  private acceptors: Acceptor[] = [];
  port = 0;

  constructor(private readonly onConnection: IncomingHandler, private readonly maxConnections = 500) {}

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const acceptors: Acceptor[] = [];
    try {
      // The first transport picks the port (0: any free one); the others take the same number.
      for (const listen of TRANSPORT_LISTENERS) acceptors.push(await listen(acceptors[0]?.port ?? port, host, this.onConnection, this.maxConnections));
    } catch (err) {
      await Promise.all(acceptors.map((a) => a.close()));
      throw err;
    }
    this.acceptors = acceptors;
    this.port = acceptors[0].port;
    return this.port;
  }

  async close(): Promise<void> {
    const acceptors = this.acceptors;
    this.acceptors = [];
    await Promise.all(acceptors.map((a) => a.close()));
  }
}
