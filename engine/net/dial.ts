import { connect } from 'node:net';
import { SocketTransport } from './socket-transport.js';

/** One read buffer shared by every outgoing socket: reads never allocate. */
const READ_BUFFER = Buffer.allocUnsafe(1 << 20);
/** The first 64 KiB of it, for sockets under a download limit (see SocketTransport.smallReads). */
const SMALL_READ_BUFFER = READ_BUFFER.subarray(0, 1 << 16);

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
        // Called before each read: no allocation, just a choice between two views.
        buffer: () => (transport !== null && transport.smallReads ? SMALL_READ_BUFFER : READ_BUFFER),
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
