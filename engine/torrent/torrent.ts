import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE } from '../common/geometry.js';
import type { Clock } from '../common/clock.js';
import { RateMeter } from '../common/rate.js';
import { toHex } from '../common/hex.js';
import type { Metainfo } from '../metainfo/index.js';
import { PeerConnection, blockKey, type PeerHandler } from '../peer/connection.js';
import type { PeerStream, StreamEncryption, Transport } from '../net/transport.js';
import { PiecePicker, type BlockRequest, type PeerView } from '../picker/index.js';
import { runChoker, type ChokerPeer, type ChokerState } from '../choker/index.js';
import { Storage } from '../storage/storage.js';
import { TrackerAnnouncer, type TrackerStatusEvent } from '../tracker/index.js';
import {
  EXTENDED_HANDSHAKE_ID,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeMetadataMessage,
  metadataPieceCount,
  metadataPieceLength,
  METADATA_PIECE_SIZE,
  type Handshake,
  type Message,
} from '../wire/index.js';
import { OUR_EXTENSIONS, ourExtendedHandshake, withdrawPexHandshake } from './extensions.js';
import { Pex, type PexOptions } from './pex.js';
import { checkPieces, type ResumePlan } from './check.js';
import { Ticker } from '../common/ticker.js';
import { AddressBook, type PeerAddress } from './address-book.js';
import { isStarved } from './starvation.js';
import { TransferLimits, type RateLimits } from '../net/bandwidth.js';

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'stopped' | 'error';

export type { PeerStream };

export interface TorrentEvents {
  onStateChange?(state: TorrentState, reason?: string): void;
  onPieceVerified?(piece: number): void;
  onComplete?(): void;
  onLog?(line: string): void;
  onTracker?(event: TrackerStatusEvent): void;
}

export interface TorrentOptions {
  readonly meta: Metainfo;
  readonly downloadDir: string;
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
}

const TICK_MS = 1000;
const CHOKE_INTERVAL_MS = 10_000;
const SNUB_MS = 30_000;
const REQUEST_TIMEOUT_MS = 45_000;
const IDLE_DROP_MS = 150_000;
const KEEPALIVE_MS = 90_000;
const MAX_UPLOAD_QUEUE = 2000;
const MIN_PIPELINE = 32;
const MAX_PIPELINE = 1000;
/**
 * Seconds of a peer's download rate to keep in flight. Short queues starve peers
 * that answer in bursts (Transmission serves every 500 ms): the rate then never
 * grows past what the queue allows.
 */
const PIPELINE_SECONDS = 2;
/**
 * Slow start of the request pipeline. The rate above lags (a 5 s meter) and a peer that serves its queue in bursts
 * only ever delivers what we queued: Transmission answers requests on a 500 ms pulse, so 32 blocks in flight cap it
 * at 1 MiB/s however fast the link is. So each block that arrives within this time of its request adds one to the
 * peer's floor (the queue doubles per round trip); once blocks wait longer the peer, not the queue, is the limit, the
 * floor stops growing and the rate-based target takes over. Blocks that waited longer than PIPELINE_SECONDS shrink
 * it by one each, so a peer that slows down does not keep a deep queue.
 */
const SLOW_START_LATENCY_MS = 1000;
const MAX_HALF_OPEN = 8;
/** Complete pieces waiting to be hashed and written before we stop requesting more. */
const MAX_PIECES_WRITING = 16;
const KEEPALIVE = Buffer.from([0, 0, 0, 0]);
const LOCAL_HOST = /^(127\.|::1$|::ffff:127\.|0\.0\.0\.0$|localhost$)/;
const ENCRYPTION_LABELS: Readonly<Record<StreamEncryption, string>> = {
  plaintext: 'plaintext',
  'mse-plaintext': 'plaintext after an encrypted handshake',
  rc4: 'RC4-encrypted',
};

/** One torrent: ties metainfo, storage, picker, choker, peers and trackers together. */
export class Torrent implements PeerHandler {
  readonly meta: Metainfo;
  readonly infoHashHex: string;
  readonly storage: Storage;
  readonly picker: PiecePicker;
  state: TorrentState = 'stopped';
  errorReason: string | null = null;

  /** Payload bytes received and sent in this run. */
  readonly downloadMeter: RateMeter;
  readonly uploadMeter: RateMeter;
  wastedBytes = 0;
  readonly peers = new Set<PeerConnection>();
  readonly addressBook = new AddressBook();

  private readonly opts: TorrentOptions;
  private readonly clock: Clock;
  private announcer: TrackerAnnouncer | null = null;
  private untick: (() => void) | null = null;
  private lastChokeAt = 0;
  private chokerState: ChokerState = { optimisticId: null, lastOptimisticAt: 0 };
  private nextPeerId = 1;
  private halfOpen = 0;
  private readonly requestBatch: BlockRequest[] = [];
  /** Which peers sent blocks of each in-progress piece, so a hash failure can be blamed. */
  private readonly contributors = new Map<number, Set<PeerConnection>>();
  private readonly verifying = new Set<number>();
  private completedOnce = false;
  private stopped = false;
  /** Piece writes in flight: stop() waits for them so nothing writes after it returns. */
  private readonly pendingWrites = new Set<Promise<void>>();
  private checkAbort: AbortController | null = null;
  /** null for private torrents (BEP 27). */
  private readonly pex: Pex<PeerConnection> | null;
  /** Clock time of the last payload byte in either direction (stalled detection). */
  lastPayloadAt = 0;
  /** Clock time of the last payload byte received, and when the torrent last started downloading. */
  private lastReceivedAt = 0;
  private downloadingSince = 0;

  constructor(opts: TorrentOptions) {
    this.opts = opts;
    this.meta = opts.meta;
    this.clock = opts.clock;
    this.infoHashHex = toHex(opts.meta.infoHash);
    this.storage = new Storage(opts.meta, opts.downloadDir);
    this.picker = new PiecePicker(this.storage.geometry);
    this.downloadMeter = new RateMeter(opts.clock);
    this.uploadMeter = new RateMeter(opts.clock);
    this.limits = new TransferLimits(opts.clock, opts.parentLimits ?? []);
    this.pex = opts.meta.private ? null : new Pex(opts.pex);
  }

  /** This torrent's own download/upload limits (unlimited until setLimits). */
  readonly limits: TransferLimits;

  /** Bytes per second; null lifts a limit, undefined leaves it unchanged. Applies to connected peers at once. */
  setLimits(limits: RateLimits): void {
    this.limits.set(limits);
  }

  get have(): Bitfield {
    return this.haveBits;
  }
  private haveBits = new Bitfield(0);

  /** Every wanted piece (files not skipped) is verified. */
  get complete(): boolean {
    return this.picker.wantedPiecesLeft === 0;
  }

  get verifiedBytes(): number {
    let bytes = 0;
    const g = this.storage.geometry;
    for (let p = 0; p < g.pieceCount; p++) if (this.haveBits.has(p)) bytes += g.pieceSize(p);
    return bytes;
  }

  get leftBytes(): number {
    return this.meta.totalLength - this.verifiedBytes;
  }

  /**
   * Checks existing data (all of it, or only what `resume` says may have changed), then joins
   * the swarm.
   */
  async start(onCheckProgress?: (checked: number, total: number) => void, resume?: ResumePlan): Promise<void> {
    this.setState('checking');
    this.checkAbort = new AbortController();
    try {
      this.storage.createEmptyFiles();
      this.haveBits = resume
        ? await checkPieces(this.storage, resume, onCheckProgress, this.checkAbort.signal)
        : await this.storage.verify(onCheckProgress, this.checkAbort.signal);
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    if (this.stopped) return;
    for (let p = 0; p < this.haveBits.length; p++) if (this.haveBits.has(p)) this.picker.pieceVerified(p);
    this.log(`checked existing data: ${this.haveBits.count}/${this.haveBits.length} pieces verified (${this.verifiedBytes} bytes)`);
    this.setState(this.complete ? 'seeding' : 'downloading');
    if (this.complete) this.completedOnce = true;
    const now = this.clock.now();
    for (const p of this.opts.peers ?? []) this.addressBook.add(p, now);
    if (this.opts.useTrackers !== false && this.meta.announce.length > 0) {
      this.announcer = new TrackerAnnouncer({
        tiers: this.meta.announce,
        infoHash: this.meta.infoHash,
        peerId: this.opts.peerId,
        port: this.opts.listenPort(),
        stats: () => ({ uploaded: this.uploadMeter.total, downloaded: this.downloadMeter.total, left: this.leftBytes }),
        onPeers: (peers, source) => this.addPeers(peers, source),
        onEvent: (e) => {
          this.opts.events?.onTracker?.(e);
        },
      });
      this.announcer.start();
    }
    const ticker = this.opts.ticker ?? new Ticker(TICK_MS);
    this.untick = ticker.add(() => this.tick());
    this.connectMore();
  }

  addPeers(peers: readonly PeerAddress[], source: string): void {
    const now = this.clock.now();
    const ownPort = this.opts.listenPort();
    let added = 0;
    for (const p of peers) {
      // Trackers list us too; on one machine that address is our own listener.
      if (p.port === ownPort && LOCAL_HOST.test(p.host)) continue;
      if (this.addressBook.add(p, now)) added++;
    }
    if (added) this.log(`${added} new peer(s) from ${source}`);
    this.connectMore();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.checkAbort?.abort();
    this.untick?.();
    this.untick = null;
    for (const peer of [...this.peers]) peer.close('torrent stopped');
    const announcer = this.announcer;
    this.announcer = null;
    await Promise.all([...this.pendingWrites, announcer?.stop().catch(() => undefined)]);
    this.storage.close();
    if (this.state !== 'error') this.setState('stopped');
  }

  /** An incoming connection whose handshake named this torrent. */
  acceptIncoming(stream: PeerStream, handshake: Handshake): void {
    if (this.state === 'stopped' || this.state === 'error' || this.state === 'checking') {
      stream.destroy();
      return;
    }
    if (this.addressBook.isBanned(stream.remoteAddress, stream.remotePort) || this.peers.size >= this.maxPeers) {
      stream.destroy();
      return;
    }
    const peer = this.createPeer(stream, true);
    if (!peer.acceptHandshake(handshake)) return;
    peer.sendHandshake();
    stream.attach(peer);
    this.onConnected(peer);
  }

  private get maxPeers(): number {
    return this.maxPeersOverride ?? this.opts.maxPeers ?? 50;
  }

  private createPeer(stream: Transport, incoming: boolean): PeerConnection {
    const peer = new PeerConnection(stream, this, {
      id: this.nextPeerId++,
      infoHash: this.meta.infoHash,
      peerId: this.opts.peerId,
      pieceCount: this.storage.geometry.pieceCount,
      incoming,
      clock: this.clock,
      maxMessageLength: Math.max(BLOCK_SIZE + 13, Math.ceil(this.storage.geometry.pieceCount / 8) + 1, 1 << 17),
      downloadLimiters: this.limits.downloadChain,
      uploadLimiters: this.limits.uploadChain,
    });
    return peer;
  }

  private connectMore(): void {
    if (this.state !== 'downloading' && this.state !== 'seeding') return;
    const room = Math.min(this.maxPeers - this.peers.size - this.halfOpen, MAX_HALF_OPEN - this.halfOpen);
    if (room <= 0) return;
    for (const addr of this.addressBook.candidates(room, this.clock.now())) {
      this.halfOpen++;
      this.addressBook.markConnected(addr.host, addr.port);
      this.opts
        .dial(addr.host, addr.port)
        .then((stream) => {
          this.halfOpen--;
          if (this.state !== 'downloading' && this.state !== 'seeding') {
            stream.destroy();
            return;
          }
          const peer = this.createPeer(stream, false);
          // Ours first: attaching may deliver the peer's handshake (it came with an encrypted one), and we answer it.
          peer.sendHandshake();
          stream.attach(peer);
        })
        .catch((err: Error) => {
          this.halfOpen--;
          this.addressBook.markDisconnected(addr.host, addr.port, true, this.clock.now());
          this.log(`connect ${addr.host}:${addr.port} failed: ${err.message}`);
        });
    }
  }

  // ---- controls and views for the session ----

  /** Applies per-piece priorities (0 = skip); see file-priorities.ts for the mapping from files. */
  setPiecePriorities(priorities: ArrayLike<number>): void {
    const wasComplete = this.complete;
    this.picker.setPiecePriorities(priorities);
    if (this.state === 'seeding' && !this.complete) this.setState('downloading');
    else if (this.state === 'downloading' && this.complete && !wasComplete) this.onWantedComplete();
    for (const peer of this.peers) {
      this.updateInterest(peer);
      this.fillRequests(peer);
    }
  }

  setMaxPeers(max: number): void {
    this.maxPeersOverride = Math.max(1, max);
  }
  private maxPeersOverride: number | null = null;

  /** Pieces with blocks in flight or received but not yet verified. */
  downloadingPieces(): Bitfield {
    const bits = new Bitfield(this.storage.geometry.pieceCount);
    for (const piece of this.contributors.keys()) bits.set(piece);
    for (const piece of this.verifying) bits.set(piece);
    for (const peer of this.peers) {
      for (const key of peer.outstanding.keys()) bits.set(Math.floor(key / 65536));
    }
    return bits;
  }

  availability(): Uint16Array {
    const n = this.storage.geometry.pieceCount;
    const wide = this.picker.availabilityInto(new Uint32Array(n));
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.min(wide[i], 0xffff);
    return out;
  }

  trackerStatus(): ReturnType<TrackerAnnouncer['status']> {
    return this.announcer?.status() ?? [];
  }

  get seedCount(): number {
    let n = 0;
    for (const p of this.peers) if (p.isSeed) n++;
    return n;
  }

  // ---- PeerHandler ----

  onHandshake(peer: PeerConnection, hs: Handshake): boolean {
    if (!equalBytes(hs.infoHash, this.meta.infoHash)) return false;
    if (equalBytes(hs.peerId, this.opts.peerId)) return false;
    // Two connections to one peer (we dialled it while it dialled us) only split the same transfer.
    for (const other of this.peers) {
      if (other.remotePeerId && equalBytes(other.remotePeerId, hs.peerId)) {
        this.log(`dropping a second connection to ${peer.client} (${peer.address}): already connected via ${other.address}`);
        return false;
      }
    }
    if (!peer.incoming) this.onConnected(peer);
    return true;
  }

  private onConnected(peer: PeerConnection): void {
    this.peers.add(peer);
    this.addressBook.markConnected(peer.transport.remoteAddress, peer.transport.remotePort);
    this.log(`connected ${peer.incoming ? 'from' : 'to'} ${peer.address} (${peer.client}), ${ENCRYPTION_LABELS[peer.encryption]}`);
    if (peer.supportsExtended) {
      peer.sendMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: ourExtendedHandshake(this.opts.listenPort(), this.meta.infoBytes.length, this.pex?.enabled === true, this.opts.prefersEncryption?.() === true) });
    }
    if (peer.supportsFast) {
      if (this.haveBits.complete) peer.sendMessage({ type: 'haveAll' });
      else if (this.haveBits.empty) peer.sendMessage({ type: 'haveNone' });
      else peer.sendMessage({ type: 'bitfield', bits: this.haveBits.bytes });
    } else if (!this.haveBits.empty) {
      peer.sendMessage({ type: 'bitfield', bits: this.haveBits.bytes });
    }
    // Unchoke at once while slots are free, instead of waiting for the next choke round.
    if (this.unchokedCount() < this.uploadSlots) {
      peer.unchoke();
    }
  }

  private get uploadSlots(): number {
    return this.uploadSlotsOverride ?? this.opts.uploadSlots ?? 4;
  }

  setUploadSlots(slots: number): void {
    this.uploadSlotsOverride = Math.max(1, slots);
  }
  private uploadSlotsOverride: number | null = null;

  private unchokedCount(): number {
    let n = 0;
    for (const p of this.peers) if (!p.amChoking) n++;
    return n;
  }

  onMessage(peer: PeerConnection, msg: Message): void {
    switch (msg.type) {
      case 'bitfield':
      case 'haveAll':
      case 'haveNone':
        this.registerAvailability(peer);
        break;
      case 'have':
        if (!this.countedPeers.has(peer)) this.registerAvailability(peer);
        else this.picker.addPeerHave(msg.index);
        this.updateInterest(peer);
        if (peer.amInterested) this.fillRequests(peer);
        break;
      case 'unchoke':
        this.fillRequests(peer);
        break;
      case 'choke':
        peer.requestQueueFloor = 0;
        if (!peer.supportsFast) this.dropRequests(peer);
        break;
      case 'reject':
        if (peer.outstanding.delete(blockKey(msg.index, msg.begin))) {
          this.picker.requestCancelled(msg.index, msg.begin, peer.id);
          if (!peer.peerChoking) this.fillRequests(peer);
        }
        break;
      case 'allowedFast':
        if (peer.peerChoking) this.fillRequests(peer);
        break;
      case 'interested':
        if (peer.amChoking && this.unchokedCount() < this.uploadSlots) peer.unchoke();
        break;
      case 'notInterested':
        break;
      case 'request':
        this.onRequest(peer, msg.index, msg.begin, msg.length);
        break;
      case 'cancel': {
        const q = peer.uploadQueue;
        const i = q.findIndex((r) => r.piece === msg.index && r.begin === msg.begin && r.length === msg.length);
        if (i >= 0) q.splice(i, 1);
        break;
      }
      case 'extended':
        this.onExtended(peer, msg.id, msg.payload);
        break;
      default:
        break;
    }
  }

  /** Peers whose pieces are counted in the picker's availability. */
  private readonly countedPeers = new Map<PeerConnection, Bitfield | 'all'>();

  private registerAvailability(peer: PeerConnection): void {
    const prev = this.countedPeers.get(peer);
    if (prev !== undefined) this.picker.removePeer(prev);
    if (peer.isSeed) {
      this.picker.addPeerHaveAll();
      this.countedPeers.set(peer, 'all');
    } else if (peer.bits) {
      this.picker.addPeerBitfield(peer.bits);
      this.countedPeers.set(peer, peer.bits);
    }
    if (peer.isSeed && this.complete) {
      peer.close('both sides are seeds');
      return;
    }
    this.updateInterest(peer);
  }

  private updateInterest(peer: PeerConnection): void {
    if (this.complete) {
      peer.setInterested(false);
      return;
    }
    if (!peer.bits && !peer.isSeed) return;
    peer.setInterested(this.picker.isInteresting(peer.isSeed ? null : peer.bits));
  }

  private pipelineTarget(peer: PeerConnection): number {
    const byRate = Math.ceil((peer.downloadMeter.rate() * PIPELINE_SECONDS) / BLOCK_SIZE);
    return Math.min(Math.max(MIN_PIPELINE, byRate, peer.requestQueueFloor), requestQueueLimit(peer));
  }

  private fillRequests(peer: PeerConnection): void {
    if (this.state !== 'downloading' || !peer.amInterested || peer.closed) return;
    // Back-pressure: while the disk is behind, let the pipeline drain instead of buffering more pieces.
    if (this.verifying.size >= MAX_PIECES_WRITING) return;
    if (peer.peerChoking && peer.allowedFast.size === 0) return;
    const target = this.pipelineTarget(peer);
    const want = target - peer.outstanding.size;
    // Each top-up is a syscall and a packet: with a deep pipeline, wait until a quarter has drained.
    if (want <= 0 || (want < target >> 2 && peer.outstanding.size > MIN_PIPELINE)) return;
    const view: PeerView = {
      bits: peer.isSeed ? null : peer.bits,
      isSeed: peer.isSeed,
      allowedFast: peer.allowedFast,
      choked: peer.peerChoking,
      id: peer.id,
    };
    const batch = this.requestBatch;
    batch.length = 0;
    const n = this.picker.pick(view, want, batch);
    if (n > 0) peer.sendRequests(batch, n);
    else if (peer.outstanding.size === 0 && !this.picker.inEndGame) this.updateInterestAfterPick(peer);
  }

  /** A peer that has nothing left we want should know we are no longer interested. */
  private updateInterestAfterPick(peer: PeerConnection): void {
    if (!peer.bits || peer.isSeed) return;
    if (!this.picker.isInteresting(peer.bits)) peer.setInterested(false);
  }

  onBlock(peer: PeerConnection, piece: number, begin: number, data: Uint8Array): void {
    const g = this.storage.geometry;
    const key = blockKey(piece, begin);
    const requestedAt = peer.outstanding.get(key);
    if (requestedAt !== undefined) {
      peer.outstanding.delete(key);
      const latency = this.clock.now() - requestedAt;
      if (latency <= SLOW_START_LATENCY_MS) peer.requestQueueFloor = Math.min(Math.max(peer.requestQueueFloor, MIN_PIPELINE) + 1, requestQueueLimit(peer));
      // A peer that got slower: shrink the floor until blocks come back within the pipeline's time.
      else if (latency > PIPELINE_SECONDS * 1000 && peer.requestQueueFloor > 0) peer.requestQueueFloor--;
    }
    if (piece >= g.pieceCount || begin % BLOCK_SIZE !== 0 || begin >= g.pieceSize(piece) || data.length !== g.blockSize(piece, begin / BLOCK_SIZE)) {
      this.wastedBytes += data.length;
      peer.close(`sent a block that does not fit the torrent (piece ${piece}, offset ${begin}, ${data.length} bytes)`);
      return;
    }
    this.downloadMeter.add(data.length);
    this.lastPayloadAt = this.clock.now();
    this.lastReceivedAt = this.lastPayloadAt;
    if (this.haveBits.has(piece) || this.verifying.has(piece)) {
      this.wastedBytes += data.length;
      return;
    }
    const result = this.picker.blockReceived(piece, begin);
    if (result.duplicate) {
      this.wastedBytes += data.length;
      return;
    }
    this.storage.writeBlock(piece, begin, data);
    let contributors = this.contributors.get(piece);
    if (!contributors) this.contributors.set(piece, (contributors = new Set()));
    contributors.add(peer);
    if (this.picker.inEndGame) this.cancelDuplicates(peer, piece, begin, data.length);
    if (result.pieceComplete) this.verifyPiece(piece);
  }

  onReadDone(peer: PeerConnection): void {
    this.fillRequests(peer);
  }

  private cancelDuplicates(receivedFrom: PeerConnection, piece: number, begin: number, length: number): void {
    const ids = this.picker.requestersOf(piece, begin);
    if (ids.length === 0) return;
    for (const other of this.peers) {
      if (other !== receivedFrom && ids.includes(other.id)) {
        other.cancelRequest(piece, begin, length);
        this.picker.requestCancelled(piece, begin, other.id);
      }
    }
  }

  private verifyPiece(piece: number): void {
    this.verifying.add(piece);
    const done = this.storage.finishPiece(piece);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.pendingWrites.add(settled);
    void settled.then(() => this.pendingWrites.delete(settled));
    done.then(
      (ok) => {
        this.verifying.delete(piece);
        const contributors = this.contributors.get(piece);
        this.contributors.delete(piece);
        if (ok) this.onPieceVerified(piece);
        else this.onPieceFailed(piece, contributors);
        if (this.verifying.size === MAX_PIECES_WRITING - 1) for (const p of this.peers) this.fillRequests(p);
      },
      (err: Error) => {
        this.verifying.delete(piece);
        this.contributors.delete(piece);
        this.picker.pieceFailed(piece);
        this.fail(err.message);
      },
    );
  }

  private onPieceVerified(piece: number): void {
    if (this.state === 'error' || this.state === 'stopped') return;
    this.haveBits.set(piece);
    this.picker.pieceVerified(piece);
    this.opts.events?.onPieceVerified?.(piece);
    for (const peer of this.peers) {
      peer.sendMessage({ type: 'have', index: piece });
    }
    if (this.complete && this.state === 'downloading') this.onWantedComplete();
  }

  private onWantedComplete(): void {
    this.setState('seeding');
    if (!this.picker.complete) {
      this.log(`wanted files complete: ${this.haveBits.count}/${this.haveBits.length} pieces verified`);
    } else if (!this.completedOnce) {
      this.completedOnce = true;
      this.log(`download complete: ${this.haveBits.count} pieces verified`);
      this.announcer?.completed();
      this.opts.events?.onComplete?.();
    }
    for (const peer of [...this.peers]) {
      if (peer.isSeed) peer.close('both sides are seeds');
      else peer.setInterested(false);
    }
  }

  private onPieceFailed(piece: number, contributors: Set<PeerConnection> | undefined): void {
    this.picker.pieceFailed(piece);
    this.wastedBytes += this.storage.geometry.pieceSize(piece);
    const list = [...(contributors ?? [])];
    this.log(`piece ${piece} failed its hash check (data from ${list.map((p) => p.address).join(', ') || 'unknown'})`);
    for (const peer of list) {
      peer.corruptPieces++;
      // Sole source of a bad piece, or repeatedly involved: ban.
      if (list.length === 1 || peer.corruptPieces >= 2) {
        this.addressBook.ban(peer.transport.remoteAddress, peer.transport.remotePort);
        this.log(`banned ${peer.address} (${peer.client}): sent data that failed the hash check`);
        peer.close('banned: sent corrupt data');
      }
    }
    for (const peer of this.peers) this.fillRequests(peer);
  }

  private dropRequests(peer: PeerConnection): void {
    for (const key of peer.outstanding.keys()) {
      const piece = Math.floor(key / 65536);
      this.picker.requestCancelled(piece, (key - piece * 65536) * BLOCK_SIZE, peer.id);
    }
    peer.outstanding.clear();
  }

  // ---- uploading ----

  private onRequest(peer: PeerConnection, piece: number, begin: number, length: number): void {
    const g = this.storage.geometry;
    const valid = piece < g.pieceCount && length > 0 && length <= 128 * 1024 && begin + length <= g.pieceSize(piece) && this.haveBits.has(piece);
    if (!valid || peer.amChoking || peer.uploadQueue.length >= MAX_UPLOAD_QUEUE) {
      if (peer.supportsFast) peer.sendMessage({ type: 'reject', index: piece, begin, length });
      return;
    }
    peer.uploadQueue.push({ piece, begin, length });
    this.serveUploads(peer);
  }

  private serveUploads(peer: PeerConnection): void {
    while (peer.uploadQueue.length > 0 && peer.uploadsInFlight + peer.blocksWaiting.length < 8 && !peer.closed) {
      const req = peer.uploadQueue.shift()!;
      peer.uploadsInFlight++;
      const buf = Buffer.allocUnsafe(13 + req.length);
      this.storage.readBlock(req.piece, req.begin, req.length, buf, 13).then(
        () => {
          peer.uploadsInFlight--;
          if (peer.closed || peer.amChoking) return;
          this.uploadMeter.add(req.length);
          this.lastPayloadAt = this.clock.now();
          if (peer.sendBlock(req.piece, req.begin, buf)) this.serveUploads(peer);
        },
        (err: Error) => {
          peer.uploadsInFlight--;
          this.fail(err.message);
        },
      );
    }
  }

  onDrain(peer: PeerConnection): void {
    this.serveUploads(peer);
  }

  onClose(peer: PeerConnection, reason: string): void {
    if (!this.peers.delete(peer)) {
      this.addressBook.markDisconnected(peer.transport.remoteAddress, peer.transport.remotePort, true, this.clock.now());
      // A peer that requires encryption closes a plaintext connection here, before its handshake.
      if (!peer.incoming && peer.remotePeerId === null) this.log(`no handshake from ${peer.address} (${ENCRYPTION_LABELS[peer.encryption]}): ${reason}`);
      return;
    }
    const counted = this.countedPeers.get(peer);
    if (counted !== undefined) this.picker.removePeer(counted);
    this.countedPeers.delete(peer);
    this.dropRequests(peer);
    this.addressBook.markDisconnected(peer.transport.remoteAddress, peer.transport.remotePort, false, this.clock.now());
    this.log(`disconnected ${peer.address} (${peer.client}): ${reason}`);
    for (const other of this.peers) this.fillRequests(other);
    this.connectMore();
  }

  // ---- extension protocol ----

  private onExtended(peer: PeerConnection, id: number, payload: Uint8Array): void {
    if (id === EXTENDED_HANDSHAKE_ID) {
      const hs = decodeExtendedHandshake(payload);
      for (const [name, theirId] of hs.m) peer.extensions.set(name, theirId);
      if (hs.reqq !== undefined) peer.peerRequestQueue = Math.max(1, hs.reqq);
      this.pex?.onHandshake(peer, hs, this.clock.now());
      return;
    }
    if (id === OUR_EXTENSIONS.ut_metadata) this.serveMetadata(peer, payload);
    else if (id === OUR_EXTENSIONS.ut_pex && this.pex?.enabled) {
      const got = this.pex.receive(peer, payload, this.clock.now(), this.complete);
      if (got.kind === 'peers' && got.peers.length > 0) this.addPeers(got.peers, `pex from ${peer.address}`);
    }
  }

  /** Turns peer exchange on or off (the session's pex setting); connected peers are told by a handshake update. */
  setPexEnabled(enabled: boolean): void {
    const pex = this.pex;
    if (!pex || pex.enabled === enabled) return;
    pex.setEnabled(enabled);
    const payload = enabled ? ourExtendedHandshake(this.opts.listenPort(), this.meta.infoBytes.length, true, this.opts.prefersEncryption?.() === true) : withdrawPexHandshake();
    for (const peer of this.peers) if (peer.supportsExtended) peer.sendMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload });
  }

  /** Answers ut_metadata requests so magnet-link peers can fetch the info dict from us. */
  private serveMetadata(peer: PeerConnection, payload: Uint8Array): void {
    const msg = decodeMetadataMessage(payload);
    const theirId = peer.extensions.get('ut_metadata');
    if (msg.msgType !== 'request' || !theirId) return;
    const info = this.meta.infoBytes;
    if (msg.piece >= metadataPieceCount(info.length)) {
      peer.sendMessage({ type: 'extended', id: theirId, payload: encodeMetadataMessage({ msgType: 'reject', piece: msg.piece }) });
      return;
    }
    const start = msg.piece * METADATA_PIECE_SIZE;
    const data = info.subarray(start, start + metadataPieceLength(info.length, msg.piece));
    peer.sendMessage({ type: 'extended', id: theirId, payload: encodeMetadataMessage({ msgType: 'data', piece: msg.piece, totalSize: info.length, data }) });
  }

  // ---- periodic work ----

  private tick(): void {
    // No peers, no dial in flight, no address to try: nothing to keep up, choke or exchange. A
    // session may run thousands of such seeds off one ticker; this keeps each of them a few ns.
    if (this.peers.size === 0 && this.halfOpen === 0 && this.addressBook.size === 0) {
      if (this.state === 'downloading') this.announcer?.setStarved(true);
      return;
    }
    const now = this.clock.now();
    for (const peer of [...this.peers]) {
      if (now - peer.lastReceiveAt > IDLE_DROP_MS) {
        peer.close('no data for 150 s');
        continue;
      }
      if (now - peer.lastSendAt > KEEPALIVE_MS) peer.send(KEEPALIVE);
      if (peer.outstanding.size > 0) {
        if (now - peer.lastBlockAt > SNUB_MS && !peer.snubbed) {
          peer.snubbed = true;
          peer.requestQueueFloor = 0;
          this.log(`${peer.address} is snubbing us: re-requesting its blocks elsewhere`);
        }
        if (now - peer.lastBlockAt > REQUEST_TIMEOUT_MS) {
          this.dropRequests(peer);
          for (const other of this.peers) if (other !== peer) this.fillRequests(other);
        }
      }
      this.fillRequests(peer);
    }
    if (now - this.lastChokeAt >= CHOKE_INTERVAL_MS) {
      this.lastChokeAt = now;
      this.rechoke(now);
    }
    if (this.pex) for (const m of this.pex.due(this.peers, now)) m.peer.sendMessage({ type: 'extended', id: m.id, payload: m.payload });
    this.connectMore();
    // Nobody to download from and nobody left to dial (the tracker's list may hold only peers that have gone, or
    // peers that all choke us): ask the tracker again well before its interval ends.
    this.announcer?.setStarved(
      isStarved({ downloading: this.state === 'downloading', dialing: this.halfOpen, peers: this.peers, lastReceivedAt: this.lastReceivedAt, downloadingSince: this.downloadingSince, now }),
    );
  }

  private rechoke(now: number): void {
    const list: ChokerPeer[] = [];
    const byId = new Map<number, PeerConnection>();
    for (const p of this.peers) {
      byId.set(p.id, p);
      list.push({
        id: p.id,
        interested: p.peerInterested,
        downloadRate: p.downloadMeter.rate(),
        uploadRate: p.uploadMeter.rate(),
        snubbed: p.snubbed,
        connectedAt: p.connectedAt,
        isSeed: p.isSeed,
        unchoked: !p.amChoking,
        optimistic: p.optimistic,
      });
    }
    const result = runChoker(list, { slots: this.uploadSlots, seeding: this.complete, now }, this.chokerState);
    this.chokerState = result.state;
    for (const [id, p] of byId) {
      p.optimistic = id === result.optimisticId;
      if (result.unchoke.has(id)) p.unchoke();
      else p.choke();
    }
  }

  private setState(state: TorrentState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    if (state === 'downloading') this.downloadingSince = this.clock.now();
    this.opts.events?.onStateChange?.(state, reason);
  }

  private fail(reason: string): void {
    if (this.state === 'error') return;
    this.errorReason = reason;
    this.log(`error: ${reason}`);
    this.setState('error', reason);
    this.untick?.();
    this.untick = null;
    for (const peer of [...this.peers]) peer.close('torrent error');
  }

  private log(line: string): void {
    this.opts.events?.onLog?.(line);
  }
}

/**
 * Most requests we keep in flight to a peer: its `reqq`, less one because Transmission rejects the request that
 * would fill its queue to `reqq` (it accepts reqq - 1), and never more than MAX_PIPELINE.
 */
function requestQueueLimit(peer: PeerConnection): number {
  return Math.min(MAX_PIPELINE, Math.max(1, peer.peerRequestQueue - 1));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
