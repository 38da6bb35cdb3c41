import { createServer, type Server, type Socket } from 'node:net';
import { TcpTransport } from './tcp-transport.js';
import type { IncomingStream } from './transport.js';

/** Takes each incoming stream, whatever transport it came on (see incoming.ts's acceptIncoming). */
export type IncomingHandler = (stream: IncomingStream) => void;

/** Accepts incoming peer connections on one port: TCP today; another transport (uTP) starts its acceptor here. */
export class PeerListener {
  private server: Server | null = null;
  port = 0;

  constructor(private readonly onConnection: IncomingHandler, private readonly maxConnections = 500) {}

  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket: Socket) => {
        const transport = new TcpTransport(socket);
        socket.on('data', (chunk: Buffer) => transport.deliver(chunk));
        this.onConnection(transport);
      });
      server.maxConnections = this.maxConnections;
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} is already in use: choose another with --port` : err.message));
      });
      server.listen(port, host, () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        this.server = server;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server = null;
    });
  }
}
