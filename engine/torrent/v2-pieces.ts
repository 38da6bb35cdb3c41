/**
 * The BEP 52 side of a v2 or hybrid torrent: the hash exchange with peers (serving our piece
 * layers, fetching missing ones) and who sent each 16 KiB block of the pieces in progress, so that a
 * piece failing its merkle check costs exactly the peers whose blocks were bad.
 */
import { BLOCK_SIZE } from '../common/geometry.js';
import { toHex } from '../common/hex.js';
import type { PeerConnection } from '../peer/connection.js';
import { HashExchange } from '../peer/hash-exchange.js';
import type { PeerManager } from '../peer/peer-manager.js';
import type { MerkleVerifier } from '../storage/piece-verifier.js';
import type { Storage } from '../storage/types.js';
import type { Bitfield } from '../common/bitfield.js';
import type { HashMessage } from '../wire/hash-messages.js';

export interface V2Host {
  readonly have: Bitfield;
  log(line: string): void;
}

export class V2Pieces {
  private readonly exchange: HashExchange;
  /** Sender of each block of the pieces in progress. */
  private readonly senders = new Map<number, (PeerConnection | undefined)[]>();

  constructor(
    verifier: MerkleVerifier,
    storage: Pick<Storage, 'geometry' | 'readBlock'>,
    private readonly swarm: PeerManager,
    host: V2Host,
    /** The layers fetched from peers are all in: every layer known, by hex pieces root (to be saved). */
    onLayersFetched?: (layers: ReadonlyMap<string, Uint8Array>) => void,
  ) {
    this.exchange = new HashExchange(verifier, storage, {
      peers: swarm.peers,
      get have() {
        return host.have;
      },
      log: (line) => host.log(line),
      layersComplete: () => {
        host.log('all piece layers are known: downloading');
        swarm.refillAll();
        onLayersFetched?.(knownLayers(verifier));
      },
      ban: (peer, reason) => swarm.ban(peer, reason),
    });
  }

  get awaitingLayers(): boolean {
    return this.exchange.awaitingLayers;
  }

  blockFrom(piece: number, begin: number, peer: PeerConnection | undefined): void {
    let list = this.senders.get(piece);
    if (!list) this.senders.set(piece, (list = []));
    list[begin / BLOCK_SIZE] = peer;
  }

  /** The piece verified: nobody to blame. */
  settled(piece: number): void {
    this.senders.delete(piece);
  }

  /** The piece failed: true when its blocks will be checked one by one (blame follows from that). */
  failed(piece: number, now: number): boolean {
    const senders = this.senders.get(piece) ?? [];
    this.senders.delete(piece);
    return this.exchange.pieceFailed(piece, senders, now);
  }

  message(peer: PeerConnection, message: HashMessage, now: number): void {
    this.exchange.onMessage(peer, message, now);
  }

  tick(now: number): void {
    this.exchange.dispatch(now);
  }
}

/** Every piece layer the verifier holds, by hex pieces root (files of one piece or less have none). */
function knownLayers(verifier: MerkleVerifier): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  verifier.files.forEach((f, i) => {
    const layer = verifier.layer(i);
    if (f.piecesRoot && layer) out.set(toHex(f.piecesRoot), layer);
  });
  return out;
}
