import { createServer, type Server, type Socket } from 'node:net';
import { Bitfield } from '../common/bitfield.js';
import { Framer, decodeHandshake, decodeMessage, encodeHandshake, encodeMessage, encodePieceHeader, HANDSHAKE_LENGTH, makePeerId } from '../wire/index.js';

export type HostileBehaviour =
  /** Advertises every piece and answers every request with garbage. */
  | 'corrupt-blocks'
  /** Sends a message length far above any sane limit right after the handshake. */
  | 'oversized-message';

export interface HostilePeer {
  readonly port: number;
  /** Requests answered with garbage so far. */
  readonly garbageBlocksSent: () => number;
  readonly connections: () => number;
  close(): Promise<void>;
}

/** A scripted misbehaving peer on 127.0.0.1 for tests of the engine's defences. */
export function startHostilePeer(infoHash: Uint8Array, pieceCount: number, behaviour: HostileBehaviour): Promise<HostilePeer> {
  let garbage = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let handshaken = false;
    let pending = Buffer.alloc(0);
    const framer = new Framer(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (!handshaken) {
        pending = Buffer.concat([pending, chunk]);
        if (pending.length < HANDSHAKE_LENGTH) return;
        const hs = decodeHandshake(pending.subarray(0, HANDSHAKE_LENGTH));
        if (Buffer.compare(hs.infoHash, infoHash) !== 0) return void socket.destroy();
        handshaken = true;
        socket.write(encodeHandshake({ infoHash, peerId: makePeerId(), extensions: { extended: false, fast: false, dht: false } }));
        if (behaviour === 'oversized-message') {
          const huge = Buffer.alloc(4);
          huge.writeUInt32BE(0x7fff_fff0);
          socket.write(huge);
          return;
        }
        socket.write(encodeMessage({ type: 'bitfield', bits: Bitfield.full(pieceCount).bytes }));
        socket.write(encodeMessage({ type: 'unchoke' }));
        data = pending.subarray(HANDSHAKE_LENGTH);
      }
      framer.push(data, (frame) => {
        const msg = decodeMessage(frame);
        if (msg.type !== 'request') return;
        garbage++;
        const block = Buffer.alloc(msg.length, 0xa5);
        socket.write(encodePieceHeader(msg.index, msg.begin, msg.length));
        socket.write(block);
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        port,
        garbageBlocksSent: () => garbage,
        connections: () => connections,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
