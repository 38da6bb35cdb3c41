import { connect } from 'node:net';
import { SocketTransport } from './socket-transport.js';

/** One read buffer shared by every outgoing socket: reads never allocate. */
const READ_BUFFER = Buffer.allocUnsafe(1 << 20);

/**
 * Opens a TCP connection. Bytes are read into a shared buffer and handed to the
 * transport's sink synchronously, so the sink must copy what it keeps.
 */
export function dial(host: string, port: number, timeoutMs: number): Promise<SocketTransport> {
  return new Promise((resolve, reject) => {
    let transport: SocketTransport | null = null;
    const socket = connect({
      host,
      port,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          transport?.deliver(buf.subarray(0, n));
          return true;
        },
      },
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      transport = new SocketTransport(socket);
      resolve(transport);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      if (!transport) reject(err);
    });
  });
}
