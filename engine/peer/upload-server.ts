import type { Bitfield } from '../common/bitfield.js';
import type { Storage } from '../storage/types.js';
import type { PeerConnection } from './connection.js';
import { ReadAhead } from './read-ahead.js';

/** What serving uploads needs of the torrent. */
export interface UploadHost {
  /** Our verified pieces: the only ones we serve (and announce to every new connection). */
  readonly have: Bitfield;
  /** Payload bytes sent to a peer. */
  uploaded(bytes: number): void;
  /** The torrent cannot go on (a read failed). */
  fail(reason: string): void;
}

/** How many queued requests serve() looks through for the start of a chunk to read ahead: half a 1 MiB piece of 16 KiB blocks. */
const PREFETCH_SCAN = 32;

/** Serves the blocks peers ask of us: queues valid requests on the peer's upload queue and reads them from storage. */
export class UploadServer {
  /** Reads a piece at a time for peers that fetch pieces in order (see read-ahead.ts). */
  private readonly reads: ReadAhead;

  constructor(
    private readonly storage: Pick<Storage, 'geometry' | 'readBlock'>,
    private readonly host: UploadHost,
  ) {
    this.reads = new ReadAhead(storage);
  }

  /** A peer asked for a block: queued when valid, we have the piece, the peer is unchoked and its queue has room; else rejected (Fast extension). */
  request(peer: PeerConnection, piece: number, begin: number, length: number): void {
    const g = this.storage.geometry;
    const valid = piece < g.pieceCount && length > 0 && length <= 128 * 1024 && begin + length <= g.pieceSize(piece) && this.host.have.has(piece);
    if (!valid || peer.amChoking || peer.uploads.full) {
      peer.reject(piece, begin, length);
      return;
    }
    peer.uploads.push({ piece, begin, length });
    this.serve(peer);
  }

  /** Starts reading the next chunk among the first queued requests not yet being read (see ReadAhead.prefetch). */
  private prefetch(peer: PeerConnection): void {
    for (let n = 0; n < PREFETCH_SCAN; n++) {
      const ahead = peer.uploads.peek(n);
      if (ahead === undefined || this.reads.prefetch(ahead.piece, ahead.begin, ahead.length)) return;
    }
  }

  /** Reads the next queued blocks while few are under way (called again as blocks go out and the socket drains). */
  serve(peer: PeerConnection): void {
    const queue = peer.uploads;
    while (!peer.closed) {
      const req = queue.next(peer.blocksWaiting.length);
      if (req === undefined) {
        this.prefetch(peer);
        return;
      }
      const { piece, begin, length } = req;
      queue.reading++;
      this.reads.readBlock(piece, begin, length).then(
        ({ data, release }) => {
          queue.reading--;
          if (peer.closed || peer.amChoking) return release();
          this.host.uploaded(length);
          if (peer.sendBlock(piece, begin, data, release)) this.serve(peer);
        },
        (err: Error) => {
          queue.reading--;
          this.host.fail(err.message);
        },
      );
    }
  }
}
