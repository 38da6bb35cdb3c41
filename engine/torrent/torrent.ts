import { describeFsError } from '../storage/fs-errors.js';
import { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE } from '../common/geometry.js';
import type { Clock } from '../common/clock.js';
import { RateMeter } from '../common/rate.js';
import { toHex } from '../common/hex.js';
import type { Metainfo } from '../metainfo/index.js';
import type { PeerConnection } from '../peer/connection.js';
import { PeerManager, type SwarmHost } from '../peer/peer-manager.js';
import type { BlockSource } from '../peer/web-seeds.js';
import { webSeedSource } from './web-seed-source.js';
import { WebSeed } from '../peer/web-seed.js';
import type { PeerStream } from '../net/transport.js';
import { PiecePicker } from '../picker/index.js';
import { FileStorage } from '../storage/file-storage.js';
import type { Storage } from '../storage/types.js';
import type { ExtendedHandshake, Handshake } from '../wire/index.js';
import { ExtensionMessages } from './extension-messages.js';
import type { TorrentOptions, TorrentState } from './torrent-options.js';
import { TrackerLink } from './tracker-link.js';
import { checkPieces, type ResumePlan } from './check.js';
import { Ticker } from '../common/ticker.js';
import type { AddressBook, PeerAddress } from '../peer/address-book.js';
import { isStarved } from './starvation.js';
import { TransferLimits, type RateLimits } from '../net/bandwidth.js';
import { isOwnAddress } from '../net/own-addresses.js';
import { merkleVerifierFor } from '../storage/piece-verifier.js';
import { V2Pieces } from './v2-pieces.js';
import type { HashMessage } from '../wire/hash-messages.js';
import { TorrentReaders } from './readers.js';

export type { PeerStream };
export type { TorrentEvents, TorrentOptions, TorrentState } from './torrent-options.js';

const TICK_MS = 1000;
/** Complete pieces waiting to be hashed and written before we stop requesting more. */
const MAX_PIECES_WRITING = 16;

/**
 * One torrent: ties metainfo, storage, picker, peers and trackers together. It runs the state machine (checking,
 * downloading, seeding) and what happens to a block once it arrives: storing it, verifying its piece, announcing
 * the piece. Whom to connect to, what to request of each peer, and whom to unchoke are the peer manager's.
 */
export class Torrent implements SwarmHost {
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

  private readonly opts: TorrentOptions;
  private readonly clock: Clock;
  private readonly swarm: PeerManager;
  private readonly trackers: TrackerLink;
  private untick: (() => void) | null = null;
  /** Complete pieces being hashed and written. */
  private readonly verifying = new Set<number>();
  private completedOnce = false;
  private stopped = false;
  private checkAbort: AbortController | null = null;
  /** BEP 10 extensions: our handshake, ut_metadata answers, PEX, lt_donthave, upload-only. */
  private readonly extensions: ExtensionMessages;
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
    const verifier = opts.verifier ?? merkleVerifierFor(opts.meta);
    this.storage = opts.storage ?? new FileStorage({ ...opts.meta, verifier }, opts.downloadDir, opts.pieceMemory);
    this.picker = new PiecePicker(this.storage.geometry, { now: () => opts.clock.now() });
    this.readers = new TorrentReaders({
      storage: this.storage,
      picker: this.picker,
      clock: opts.clock,
      hasPiece: (p) => this.haveBits.has(p),
      deadlinesChanged: () => this.active && this.swarm.refillAll(),
    });
    this.downloadMeter = new RateMeter(opts.clock);
    this.uploadMeter = new RateMeter(opts.clock);
    this.limits = new TransferLimits(opts.clock, opts.parentLimits ?? []);
    this.trackers = new TrackerLink({
      ...opts,
      stats: () => ({ uploaded: this.uploadMeter.total, downloaded: this.downloadMeter.total, left: this.leftBytes }),
      onPeers: (peers, source) => this.addPeers(peers, source),
      onEvent: (e) => this.opts.events?.onTracker?.(e),
    });
    this.extensions = new ExtensionMessages(this, { ...opts, peerLostPiece: (peer, piece) => this.swarm.peerLostPiece(peer, piece) });
    this.extensions.onOwnIp = (ip, peerHost) => (this.swarm.addressBook.slots.setOwnAddress(ip, opts.listenPort()), opts.onOwnIp?.(ip, peerHost));
    this.swarm = new PeerManager(
      {
        infoHash: opts.meta.infoHash,
        infoHashV2: opts.meta.infoHashV2?.slice(0, 20),
        v2UpgradeBit: opts.meta.version === 'hybrid',
        peerId: opts.peerId,
        clock: opts.clock,
        dial: (host, port) => this.extensions.watchDial(host, port, opts.dial(host, port)),
        picker: this.picker,
        storage: this.storage,
        limits: this.limits,
        maxPeers: opts.maxPeers,
        uploadSlots: opts.uploadSlots,
        webSeeds: webSeedSource(opts.meta, opts.webSeeds),
      },
      this,
    );
    this.v2 = verifier ? new V2Pieces(verifier, this.storage, this.swarm, this, (layers) => opts.events?.onPieceLayers?.(layers)) : null;
  }

  /** Open streams of the torrent's files: reads wait for verified pieces and set deadlines (readers.ts). */
  readonly readers: TorrentReaders;

  /** BEP 52 hashes and block-level blame (v2 and hybrid torrents). */
  private readonly v2: V2Pieces | null;

  /** This torrent's own download/upload limits (unlimited until setLimits). */
  readonly limits: TransferLimits;

  /** Bytes per second; null lifts a limit, undefined leaves it unchanged. Applies to connected peers at once. */
  setLimits(limits: RateLimits): void {
    this.limits.set(limits);
  }

  /** The connected peers (handshake done). */
  get peers(): ReadonlySet<PeerConnection> {
    return this.swarm.peers;
  }

  get addressBook(): AddressBook {
    return this.swarm.addressBook;
  }

  get have(): Bitfield {
    return this.haveBits;
  }
  private haveBits = new Bitfield(0);

  /** Every wanted piece (files not skipped) is verified. */
  get complete(): boolean {
    return this.picker.wantedPiecesLeft === 0;
  }

  get downloading(): boolean {
    return this.state === 'downloading';
  }
  /** Taking part in the swarm: connections are made and kept. */
  get active(): boolean {
    return this.state === 'downloading' || this.state === 'seeding';
  }

  /** Clock time since when the disk has been behind (diskBusy at every tick since), or null: the doctor's "disk cannot keep up". */
  diskBusySince: number | null = null;

  /** The disk is behind: let the pipelines drain instead of buffering more pieces. */
  get diskBusy(): boolean {
    return this.verifying.size >= MAX_PIECES_WRITING;
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
      this.fail(describeFsError(err));
      return;
    }
    if (this.stopped) return;
    for (let p = 0; p < this.haveBits.length; p++) {
      if (!this.haveBits.has(p)) continue;
      this.picker.pieceVerified(p);
      this.readers.pieceVerified(p); // streams opened while checking
    }
    this.log(`checked existing data: ${this.haveBits.count}/${this.haveBits.length} pieces verified (${this.verifiedBytes} bytes)`);
    this.setState(this.complete ? 'seeding' : 'downloading');
    if (this.complete) this.completedOnce = true;
    const now = this.clock.now();
    for (const p of this.opts.peers ?? []) this.addressBook.add(p, now);
    this.trackers.start();
    const ticker = this.opts.ticker ?? new Ticker(TICK_MS);
    this.untick = ticker.add(() => this.tick());
    this.swarm.connectMore();
  }

  /**
   * The trackers to announce to, tiers in order. Before start: used from the first announce. While
   * running: a different list stops the announcer (its trackers get 'stopped') and starts one for the new.
   */
  setTrackers(tiers: readonly (readonly string[])[]): void {
    this.trackers.setTiers(tiers);
  }

  /** Announce now (force reannounce), as far as the tracker's min interval allows unless `ignoreMinInterval` (our port changed). */
  reannounce(ignoreMinInterval = false): void {
    this.trackers.announceNow(ignoreMinInterval);
  }

  /** Refuses the peer from now on (its address; address and port on loopback, see banKey) and disconnects it; how many connections closed. */
  banPeer(host: string, port: number): number {
    this.addressBook.ban(host, port);
    const hit = [...this.swarm.peers].filter((p) => this.addressBook.isBanned(p.transport.remoteAddress, p.transport.remotePort));
    for (const p of hit) p.close('banned by the user');
    return hit.length;
  }

  /** Dials every known peer again, past failures forgotten (the encryption policy changed: they may connect now). */
  retryPeers(): void {
    this.addressBook.retryAll(this.clock.now());
    this.swarm.connectMore();
  }

  addPeers(peers: readonly PeerAddress[], source: string): void {
    const now = this.clock.now();
    const ownPort = this.opts.listenPort();
    let added = 0;
    for (const p of peers) {
      // Trackers list us too: on our port, our own addresses (loopback, an interface's) are our own listener.
      if (p.port === ownPort && isOwnAddress(p.host)) continue;
      if (this.addressBook.add(p, now)) added++;
    }
    if (added) this.log(`${added} new peer(s) from ${source}`);
    this.swarm.connectMore();
  }

  /** BEP 55: a relay says dial `address` now (the peer there dials us at the same moment, opening both NATs). */
  punch(address: PeerAddress): void {
    if (this.addressBook.dueNow(address, this.clock.now())) this.swarm.connectMore();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.readers.closeAll('the torrent stopped');
    this.checkAbort?.abort();
    this.untick?.();
    this.untick = null;
    this.swarm.closeAll('torrent stopped');
    // Piece writes in flight end first, so nothing writes after stop returns.
    await Promise.all([this.storage.flush(), this.trackers.stop()]);
    this.storage.close();
    if (this.state !== 'error') this.setState('stopped');
  }

  /** An incoming connection whose handshake named this torrent. */
  acceptIncoming(stream: PeerStream, handshake: Handshake): void {
    this.swarm.accept(stream, handshake);
  }

  // ---- controls and views for the session ----

  /** Applies per-piece priorities (0 = skip); see file-priorities.ts for the mapping from files. */
  setPiecePriorities(priorities: ArrayLike<number>): void {
    const wasComplete = this.complete;
    this.picker.setPiecePriorities(priorities);
    if (this.state === 'seeding' && !this.complete) {
      this.setState('downloading');
      this.extensions.announceUploadOnly(false);
    } else if (this.state === 'downloading' && this.complete && !wasComplete) this.onWantedComplete();
    this.swarm.prioritiesChanged();
  }

  setMaxPeers(max: number): void {
    this.swarm.setMaxPeers(max);
  }

  setUploadSlots(slots: number): void {
    this.swarm.setUploadSlots(slots);
  }

  /** Pieces with blocks in flight or received but not yet verified. */
  downloadingPieces(): Bitfield {
    const bits = new Bitfield(this.storage.geometry.pieceCount);
    for (const piece of this.verifying) bits.set(piece);
    this.swarm.markDownloading(bits);
    return bits;
  }

  availability(): Uint16Array {
    const n = this.storage.geometry.pieceCount;
    const wide = this.picker.availabilityInto(new Uint32Array(n));
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.min(wide[i], 0xffff);
    return out;
  }

  trackerStatus(): ReturnType<TrackerLink['status']> {
    return this.trackers.status();
  }

  get seedCount(): number {
    return this.swarm.seedCount;
  }

  /** The torrent's web seeds (BEP 19), banned and given-up ones included. */
  get webSeeds(): readonly WebSeed[] {
    return this.swarm.webSeeds.list;
  }

  // ---- SwarmHost: what the peer manager hands over ----

  greet(peer: PeerConnection): void {
    this.extensions.greet(peer);
    // piece layers still wanted (a magnet): ask the new peer now rather than at the next tick
    this.v2?.tick(this.clock.now());
  }

  blockReceived(peer: BlockSource, piece: number, begin: number, data: Uint8Array): void {
    const g = this.storage.geometry;
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
    this.swarm.contributed(piece, peer);
    // Block-level blame asks peers for block hashes; a web seed's bad data is caught by the piece's blame instead.
    this.v2?.blockFrom(piece, begin, peer instanceof WebSeed ? undefined : peer);
    // Duplicate requests exist in end game, and for late deadline pieces (streams).
    if (this.picker.inEndGame || this.picker.deadlineOf(piece) !== Infinity) this.swarm.cancelDuplicates(peer, piece, begin, data.length);
    if (result.pieceComplete) this.verifyPiece(piece);
  }

  uploaded(bytes: number): void {
    this.uploadMeter.add(bytes);
    this.lastPayloadAt = this.clock.now();
    if (this.uploadGoal !== null && this.uploadMeter.total >= this.uploadGoal && this.state === 'seeding') {
      this.uploadGoal = null;
      this.opts.events?.onUploadGoal?.();
    }
  }

  /** Upload meter total at which a ratio goal is reached (null: none); checked per block sent, not per session tick. */
  private uploadGoal: number | null = null;
  setUploadGoal(total: number | null): void {
    this.uploadGoal = total;
  }

  hashMessage(peer: PeerConnection, message: HashMessage): void {
    this.v2?.message(peer, message, this.clock.now());
  }

  /** Piece layers are being fetched from peers (a v2 magnet): pieces cannot be verified yet. */
  get awaitingHashes(): boolean {
    return this.v2?.awaitingLayers ?? false;
  }

  extendedHandshake(peer: PeerConnection, handshake: ExtendedHandshake): void {
    this.extensions.handshake(peer, handshake);
  }

  extendedMessage(peer: PeerConnection, id: number, payload: Uint8Array): void {
    this.extensions.message(peer, id, payload);
  }

  /** Turns peer exchange on or off (the session's pex setting); connected peers are told by a handshake update. */
  setPexEnabled(enabled: boolean): void {
    this.extensions.setPexEnabled(enabled);
  }

  // ---- pieces ----

  private verifyPiece(piece: number): void {
    this.verifying.add(piece);
    this.storage.finishPiece(piece).then(
      (ok) => {
        this.verifying.delete(piece);
        if (ok) this.v2?.settled(piece);
        if (ok) {
          this.swarm.pieceSettled(piece);
          this.onPieceVerified(piece);
        } else this.onPieceFailed(piece);
        if (this.verifying.size === MAX_PIECES_WRITING - 1) this.swarm.refillAll();
      },
      (err: Error) => {
        this.verifying.delete(piece);
        this.swarm.pieceSettled(piece);
        this.picker.pieceFailed(piece);
        this.fail(describeFsError(err));
      },
    );
  }

  private onPieceVerified(piece: number): void {
    if (this.state === 'error' || this.state === 'stopped') return;
    this.haveBits.set(piece);
    this.picker.pieceVerified(piece);
    this.readers.pieceVerified(piece);
    this.opts.events?.onPieceVerified?.(piece);
    this.swarm.announceHave(piece);
    if (this.complete && this.state === 'downloading') this.onWantedComplete();
  }

  private onWantedComplete(): void {
    this.setState('seeding');
    if (!this.picker.complete) {
      this.log(`wanted files complete: ${this.haveBits.count}/${this.haveBits.length} pieces verified`);
    } else if (!this.completedOnce) {
      this.completedOnce = true;
      this.log(`download complete: ${this.haveBits.count} pieces verified`);
      this.trackers.completed();
      this.opts.events?.onComplete?.();
    }
    this.swarm.wantedComplete();
    this.extensions.announceUploadOnly(true);
  }

  private onPieceFailed(piece: number): void {
    this.picker.pieceFailed(piece);
    this.wastedBytes += this.storage.geometry.pieceSize(piece);
    this.swarm.pieceFailed(piece, !(this.v2?.failed(piece, this.clock.now()) ?? false));
  }

  // ---- periodic work ----

  private tick(): void {
    const swarm = this.swarm;
    // No peers, no dial in flight, no address to try: nothing to keep up, choke or exchange. A
    // session may run thousands of such seeds off one ticker; this keeps each of them a few ns.
    if (swarm.idle) {
      if (this.state === 'downloading') this.trackers.setStarved(true);
      return;
    }
    const now = this.clock.now();
    if (!this.diskBusy) this.diskBusySince = null;
    else this.diskBusySince ??= now;
    swarm.tick(now);
    this.v2?.tick(now);
    this.extensions.tick(swarm.peers, now);
    swarm.connectMore();
    // Nobody to download from and nobody left to dial (the tracker's list may hold only peers that have gone, or
    // peers that all choke us): ask the tracker again well before its interval ends.
    this.trackers.setStarved(
      isStarved({ downloading: this.state === 'downloading', dialing: swarm.dials.count, peers: swarm.peers, lastReceivedAt: this.lastReceivedAt, downloadingSince: this.downloadingSince, now }),
    );
  }

  private setState(state: TorrentState, reason?: string): void {
    if (this.state === state) return;
    this.state = state;
    if (state === 'downloading') this.downloadingSince = this.clock.now();
    this.opts.events?.onStateChange?.(state, reason);
  }

  /** The torrent cannot go on (a disk error): it stops with the reason shown. */
  fail(reason: string): void {
    // After stop, I/O that was still under way can fail (its file closed): that is not the torrent's error.
    if (this.state === 'error' || this.stopped) return;
    this.errorReason = reason;
    this.log(`error: ${reason}`);
    this.setState('error', reason);
    this.readers.closeAll(`the torrent stopped: ${reason}`);
    this.untick?.();
    this.untick = null;
    this.swarm.closeAll('torrent error');
  }

  log(line: string): void {
    this.opts.events?.onLog?.(line);
  }
}
