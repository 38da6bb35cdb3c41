import type { Clock } from '../common/clock.js';
import type { Ticker } from '../common/ticker.js';
import type { Metainfo } from '../metainfo/index.js';
import type { TransferLimits } from '../net/bandwidth.js';
import type { PeerStream } from '../net/transport.js';
import type { PeerAddress } from '../peer/address-book.js';
import type { WebSeedOptions } from '../peer/web-seed.js';
import type { PieceMemory } from '../storage/piece-memory.js';
import type { MerkleVerifier } from '../storage/piece-verifier.js';
import type { Storage } from '../storage/types.js';
import type { TrackerStatusEvent } from '../tracker/index.js';
import type { PexOptions } from './pex.js';

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'stopped' | 'error';

export interface TorrentEvents {
  onStateChange?(state: TorrentState, reason?: string): void;
  onPieceVerified?(piece: number): void;
  onComplete?(): void;
  onLog?(line: string): void;
  onTracker?(event: TrackerStatusEvent): void;
  /** A seed's upload total reached the goal set with setUploadGoal (once per setUploadGoal). */
  onUploadGoal?(): void;
  /**
   * Piece layers the metainfo lacked (a v2 or hybrid magnet) all arrived from peers and hash to their
   * roots: by hex pieces root, every layer now known. Worth saving with the torrent (BEP 52).
   */
  onPieceLayers?(layers: ReadonlyMap<string, Uint8Array>): void;
}

export interface TorrentOptions {
  readonly meta: Metainfo;
  readonly downloadDir: string;
  /** Where the data lives (default: files under `downloadDir`). */
  readonly storage?: Storage;
  /** The session's budget for piece buffers, shared by its torrents (default: one of the default size for this torrent). */
  readonly pieceMemory?: PieceMemory;
  readonly peerId: Uint8Array;
  readonly listenPort: () => number;
  /** Our encryption setting is prefer or require (advertised as `e` in the extended handshake). */
  readonly prefersEncryption?: () => boolean;
  readonly clock: Clock;
  readonly dial: (host: string, port: number) => Promise<PeerStream>;
  readonly events?: TorrentEvents;
  readonly maxPeers?: number;
  /** Drives the once-a-second work of many torrents from one timer (default: a timer of its own). */
  readonly ticker?: Ticker;
  readonly uploadSlots?: number;
  /** Extra peers to dial (e.g. from a magnet's x.pe or the command line). */
  readonly peers?: readonly PeerAddress[];
  /** Announce to the torrent's trackers (default true). */
  readonly useTrackers?: boolean;
  /** Rate limits above this torrent's own (the client's global ones): every transfer must pass all of them. */
  readonly parentLimits?: readonly TransferLimits[];
  /** Peer exchange (BEP 11): on by default, never for private torrents; intervals injectable for tests. */
  readonly pex?: PexOptions;
  /** Web seed tuning (connections, back-off); the URLs are the metainfo's url-list. */
  readonly webSeeds?: WebSeedOptions;
  /** v2/hybrid with a given `storage`: the verifier that storage was made with (default: one of its own). */
  readonly verifier?: MerkleVerifier;
  /** A peer at host:port accepts uTP (its PEX flag, or it reached us over uTP): the dialler tries uTP first. */
  readonly supportsUtp?: (host: string, port: number) => void;
  /** A peer's `yourip` told us the address it sees us at (`peerHost`: that peer), for our external address. */
  readonly onOwnIp?: (ip: string, peerHost: string) => void;
  /**
   * BEP 55 hole punching (ut_holepunch): relay, initiator and target; on unless false. A function is read as it
   * goes (the holepunch setting): connected peers learn of a change by an extended handshake update.
   */
  readonly holepunch?: boolean | (() => boolean);
}
