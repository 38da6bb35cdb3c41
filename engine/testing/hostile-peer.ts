import { createServer, type Server, type Socket } from 'node:net';
import { Bitfield } from '../common/bitfield.js';
import {
  Framer,
  decodeHandshake,
  decodeMessage,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  encodePieceHeader,
  EXTENDED_HANDSHAKE_ID,
  HANDSHAKE_LENGTH,
  makePeerId,
  metadataPieceLength,
  type Handshake,
} from '../wire/index.js';

export type HostileBehaviour =
  /** Advertises every piece and answers every request with garbage. */
  | 'corrupt-blocks'
  /** Sends a message length far above any sane limit right after the handshake. */
  | 'oversized-message'
  /** Advertises every piece and never unchokes: a seeder that uploads to others only (the doctor's "all peers choking"). */
  | 'never-unchoke'
  // ut_metadata (BEP 9) misbehaviours, for magnet links. They need `opts.metadata` (the real or a forged info dict).
  /** Answers each metadata request with a data piece longer than the piece can be (16 KiB + 100 bytes of junk). */
  | 'metadata-wrong-length'
  /** Answers each metadata request with a payload that is not bencode. */
  | 'metadata-bad-bencode'
  /** Answers each metadata request with a 1 MiB extended message (far above any metadata piece). */
  | 'metadata-oversized-message'
  /** Announces a metadata_size of 1 GiB in its extended handshake, and answers requests with junk pieces. */
  | 'metadata-huge-size'
  /**
   * Serves `opts.metadata` faithfully: give it a well-formed info dict that does not hash to the info hash, and the
   * peer is a liar whose every message is valid.
   */
  | 'metadata-serve';

export interface HostilePeerOptions {
  /** Info dict the metadata behaviours announce (its size) and serve. */
  readonly metadata?: Uint8Array;
}

/** The id we ask peers to send us ut_metadata messages on. */
const HOSTILE_UT_METADATA_ID = 3;

export interface HostilePeer {
  readonly port: number;
  /** Requests answered with garbage so far. */
  readonly garbageBlocksSent: () => number;
  readonly connections: () => number;
  /** ut_metadata requests received (metadata behaviours). */
  readonly metadataRequests: () => number;
  close(): Promise<void>;
}

/**
 * The handshake at the start of `bytes`, or null when they do not start with one: scripted peers speak
 * plaintext only and, like such clients, hang up on an encrypted (MSE) handshake.
 */
export function plaintextHandshake(bytes: Uint8Array): Handshake | null {
  try {
    return decodeHandshake(bytes.subarray(0, HANDSHAKE_LENGTH));
  } catch {
    return null;
  }
}

/** A scripted misbehaving peer on 127.0.0.1 for tests of the engine's defences. */
export function startHostilePeer(infoHash: Uint8Array, pieceCount: number, behaviour: HostileBehaviour, opts: HostilePeerOptions = {}): Promise<HostilePeer> {
  let garbage = 0;
  let connections = 0;
  let metadataRequests = 0;
  const metadataMode = behaviour.startsWith('metadata-');
  const metadata = opts.metadata;
  if (metadataMode && !metadata) throw new Error(`hostile peer: behaviour ${behaviour} needs opts.metadata`);
  const sockets = new Set<Socket>();
  /** Extended handshake id the other side wants ut_metadata on, per socket. */
  const theirMetadataId = new WeakMap<Socket, number>();
  const sendExtended = (socket: Socket, id: number, payload: Uint8Array): void => {
    socket.write(encodeMessage({ type: 'extended', id, payload }));
  };
  const onMetadataFrame = (socket: Socket, frame: Uint8Array): void => {
    if (!metadata) return;
    const msg = decodeMessage(frame);
    if (msg.type !== 'extended') return;
    if (msg.id === EXTENDED_HANDSHAKE_ID) {
      // Their m dict is bencode: find ut_metadata's id without a full decoder ("11:ut_metadatai<n>e").
      const m = /11:ut_metadatai(\d+)e/.exec(Buffer.from(msg.payload).toString('latin1'));
      if (m) theirMetadataId.set(socket, Number(m[1]));
      return;
    }
    if (msg.id !== HOSTILE_UT_METADATA_ID) return;
    const req = decodeMetadataMessage(msg.payload);
    if (req.msgType !== 'request') return;
    metadataRequests++;
    const id = theirMetadataId.get(socket) ?? 0;
    if (id === 0) return;
    const piece = req.piece;
    const start = piece * 16384;
    const real = metadata.subarray(start, start + metadataPieceLength(metadata.length, piece));
    switch (behaviour) {
      case 'metadata-serve':
        sendExtended(socket, id, encodeMetadataMessage({ msgType: 'data', piece, totalSize: metadata.length, data: real }));
        return;
      case 'metadata-wrong-length': {
        garbage++;
        const head = Buffer.from(`d8:msg_typei1e5:piecei${piece}e10:total_sizei${metadata.length}ee`, 'latin1');
        sendExtended(socket, id, Buffer.concat([head, real, Buffer.alloc(16384 + 100 - real.length, 0x5a)]));
        return;
      }
      case 'metadata-bad-bencode':
        garbage++;
        sendExtended(socket, id, Buffer.from(`d8:msg_typei1e5:piecei${piece}e10:total_sizei${metadata.length}`, 'latin1'));
        return;
      case 'metadata-oversized-message':
        garbage++;
        sendExtended(socket, id, Buffer.alloc(1 << 20, 0x41));
        return;
      case 'metadata-huge-size': {
        garbage++;
        const head = Buffer.from(`d8:msg_typei1e5:piecei${piece}e10:total_sizei${1 << 30}ee`, 'latin1');
        sendExtended(socket, id, Buffer.concat([head, Buffer.alloc(16384, 0x33)]));
        return;
      }
      default:
        return;
    }
  };
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
        const hs = plaintextHandshake(pending);
        if (!hs || Buffer.compare(hs.infoHash, infoHash) !== 0) return void socket.destroy();
        handshaken = true;
        socket.write(encodeHandshake({ infoHash, peerId: makePeerId(), extensions: { extended: metadataMode, fast: false, dht: false } }));
        if (metadataMode && metadata) {
          const metadataSize = behaviour === 'metadata-huge-size' ? 1 << 30 : metadata.length;
          const payload = encodeExtendedHandshake({ m: { ut_metadata: HOSTILE_UT_METADATA_ID }, v: 'Hostile 0.0', metadataSize });
          socket.write(encodeMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload }));
          data = pending.subarray(HANDSHAKE_LENGTH);
          framer.push(data, (frame) => onMetadataFrame(socket, frame));
          return;
        }
        if (behaviour === 'oversized-message') {
          const huge = Buffer.alloc(4);
          huge.writeUInt32BE(0x7fff_fff0);
          socket.write(huge);
          return;
        }
        socket.write(encodeMessage({ type: 'bitfield', bits: Bitfield.full(pieceCount).bytes }));
        if (behaviour !== 'never-unchoke') socket.write(encodeMessage({ type: 'unchoke' }));
        data = pending.subarray(HANDSHAKE_LENGTH);
      }
      if (metadataMode) {
        framer.push(data, (frame) => onMetadataFrame(socket, frame));
        return;
      }
      framer.push(data, (frame) => {
        const msg = decodeMessage(frame);
        // A choked peer's requests go unanswered (BEP 3): it asks in vain.
        if (msg.type !== 'request' || behaviour === 'never-unchoke') return;
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
        metadataRequests: () => metadataRequests,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
