import type { Bitfield } from '../common/bitfield.js';
import { BLOCK_SIZE } from '../common/geometry.js';
import type { Clock } from '../common/clock.js';
import type { PiecePicker, BlockRequest, PeerView } from '../picker/index.js';
import { CriticalPeers } from './critical-peers.js';
import type { Storage } from '../storage/types.js';
import type { TransferLimits } from '../net/bandwidth.js';
import { EXTENDED_HANDSHAKE_ID, decodeExtendedHandshake, type ExtendedHandshake, type Handshake, type Message } from '../wire/index.js';
import type { HashMessage } from '../wire/hash-messages.js';
import { PeerConnection, type PeerHandler } from './connection.js';
import type { PeerStream, Transport } from '../net/transport.js';
import { ENCRYPTION_LABELS, answerInfoHash, judgeHandshake, sendHaveState } from './admission.js';
import { checkPeerHealth } from './peer-health.js';
import { AddressBook, closedSession } from './address-book.js';
import { PieceBlame } from './bans.js';
import { ChokeRounds, countUnchoked } from './choking.js';
import { UploadServer, type UploadHost } from './upload-server.js';
import { WebSeed } from './web-seed.js';
import { WebSeeds, type BlockSource, type WebSeedSource } from './web-seeds.js';
import { clearQueueForDeadlines, streamingTarget } from './deadline-swap.js';
import { DialSlots } from './dial-slots.js';
import { DuplicateCancels } from './duplicate-cancels.js';

/** What the peer manager needs of its torrent: its state, and where blocks and extension messages go. */
export interface SwarmHost extends UploadHost {
  /** Requests may be sent (the torrent is downloading). */
  readonly downloading: boolean;
  /** Connections are made and kept (downloading or seeding). */
  readonly active: boolean;
  /** Every wanted piece is verified. */
  readonly complete: boolean;
  /** Complete pieces wait for the disk: request no more until it catches up. */
  readonly diskBusy: boolean;
  /** A connection is up: send it our extended handshake (it precedes our bitfield). */
  greet(peer: PeerConnection): void;
  /** A block arrived (its request is already accounted for); `data` is only valid during the call. */
  blockReceived(peer: BlockSource, piece: number, begin: number, data: Uint8Array): void;
  /** The peer's extended handshake (BEP 10), after its extension ids and `reqq` were applied. */
  extendedHandshake(peer: PeerConnection, handshake: ExtendedHandshake): void;
  /** Any other extension message. */
  extendedMessage(peer: PeerConnection, id: number, payload: Uint8Array): void;
  /** A BEP 52 hash message (v2 and hybrid torrents). */
  hashMessage?(peer: PeerConnection, message: HashMessage): void;
  /** Piece layers are still being fetched (v2 magnet): no block requests until they are in. */
  readonly awaitingHashes?: boolean;
  log(line: string): void;
}

export interface PeerManagerOptions {
  readonly infoHash: Uint8Array;
  /** v2 and hybrid torrents: the truncated v2 info hash, which names the torrent in v2 handshakes. */
  readonly infoHashV2?: Uint8Array;
  /** Hybrid torrents: offer v2 with the upgrade bit in our handshakes. */
  readonly v2UpgradeBit?: boolean;
  readonly peerId: Uint8Array;
  readonly clock: Clock;
  readonly dial: (host: string, port: number) => Promise<PeerStream>;
  readonly picker: PiecePicker;
  /** Where uploaded blocks are read from. */
  readonly storage: Pick<Storage, 'geometry' | 'readBlock'>;
  readonly limits: TransferLimits;
  readonly maxPeers?: number;
  readonly uploadSlots?: number;
  /** BEP 19 web seeds (the torrent's url-list) and where its files are on them. */
  readonly webSeeds?: WebSeedSource;
}

/**
 * The peers of one torrent: dials and accepts connections and keeps them (keep-alives, idle drops), decides what
 * to request of each and when (each connection's own request pipeline says how many), notices snubbing peers and
 * timed-out requests, serves the blocks peers ask of us, runs the choker, and bans peers that send bad data.
 */
export class PeerManager implements PeerHandler {
  readonly peers = new Set<PeerConnection>();
  readonly addressBook = new AddressBook();
  /** Dials in flight and outgoing handshakes under way. */
  readonly dials = new DialSlots<PeerConnection>();

  private readonly opts: PeerManagerOptions;
  private readonly host: SwarmHost;
  private readonly log = (line: string): void => this.host.log(line);
  private readonly clock: Clock;
  private readonly picker: PiecePicker;
  private nextPeerId = 1;
  private readonly chokeRounds = new ChokeRounds();
  private readonly blame = new PieceBlame<BlockSource>();
  readonly webSeeds: WebSeeds;
  private readonly uploads: UploadServer;
  /** Peers whose pieces are counted in the picker's availability. */
  private readonly countedPeers = new Map<PeerConnection, Bitfield | 'all'>();
  /** Scratch for refills (one at a time, synchronous): no allocation per top-up. */
  private readonly requestBatch: BlockRequest[] = [];
  private readonly view: PeerView = { bits: null, isSeed: false, allowedFast: undefined, choked: true, id: 0, critical: true };
  private readonly critical = new CriticalPeers();
  private readonly cancels: DuplicateCancels;
  private maxPeersOverride: number | null = null;
  /** Peers whose extended handshake said upload_only (BEP 21): they download nothing more. */
  private readonly uploadOnlyPeers = new WeakSet<PeerConnection>();
  private uploadSlotsOverride: number | null = null;

  constructor(opts: PeerManagerOptions, host: SwarmHost) {
    this.opts = opts;
    this.host = host;
    this.clock = opts.clock;
    this.picker = opts.picker;
    this.uploads = new UploadServer(opts.storage, host);
    this.webSeeds = new WebSeeds(opts.webSeeds, opts.clock, opts.storage.geometry, opts.picker, host, opts.limits.downloadChain);
    this.cancels = new DuplicateCancels(opts.picker, this.webSeeds);
  }

  private get maxPeers(): number {
    return this.maxPeersOverride ?? this.opts.maxPeers ?? 50;
  }

  setMaxPeers(max: number): void {
    this.maxPeersOverride = Math.max(1, max);
  }

  private get uploadSlots(): number {
    return this.uploadSlotsOverride ?? this.opts.uploadSlots ?? 4;
  }

  setUploadSlots(slots: number): void {
    this.uploadSlotsOverride = Math.max(1, slots);
  }

  /** No peer, no dial in flight and no address to try: nothing to keep up. */
  get idle(): boolean {
    return this.peers.size === 0 && this.dials.count === 0 && this.addressBook.size === 0 && this.webSeeds.idle;
  }

  get seedCount(): number {
    let n = 0;
    for (const p of this.peers) if (p.isSeed) n++;
    return n;
  }

  // ---- connecting ----

  /** An incoming connection whose handshake named this torrent. */
  accept(stream: PeerStream, handshake: Handshake): void {
    if (!this.host.active || this.addressBook.isBanned(stream.remoteAddress, stream.remotePort) || (this.peers.size >= this.maxPeers && !this.addressBook.makeRoom(stream, this.peers))) {
      stream.destroy();
      return;
    }
    // answer with the hash the peer named (a hybrid is named by either), upgraded to v2 when it offers that
    const peer = this.createPeer(stream, true, answerInfoHash(handshake, this.opts));
    if (!peer.acceptHandshake(handshake)) return;
    peer.sendHandshake();
    stream.attach(peer);
    this.connected(peer);
  }

  /** Dials addresses from the book while there is room for more peers. */
  connectMore(): void {
    if (!this.host.active) return;
    this.webSeeds.refill();
    const room = this.dials.room(this.maxPeers - this.peers.size);
    if (room <= 0) return;
    for (const addr of this.addressBook.candidates(room, this.clock.now(), undefined, this.host.complete)) {
      this.dials.dialStarted();
      this.addressBook.markConnected(addr.host, addr.port);
      this.opts
        .dial(addr.host, addr.port)
        .then((stream) => {
          if (!this.host.active) {
            this.dials.dialEnded(null, this.clock.now());
            stream.destroy();
            return;
          }
          const peer = this.createPeer(stream, false);
          this.dials.dialEnded(peer, this.clock.now());
          // Ours first: attaching may deliver the peer's handshake (it came with an encrypted one), and we answer it.
          peer.sendHandshake();
          stream.attach(peer);
        })
        .catch((err: Error) => {
          this.dials.dialEnded(null, this.clock.now());
          this.addressBook.markFailed(addr.host, addr.port, this.clock.now());
          this.host.log(`connect ${addr.host}:${addr.port} failed: ${err.message}`);
          this.connectMore();
        });
    }
  }

  private createPeer(stream: Transport, incoming: boolean, infoHash = this.opts.infoHash): PeerConnection {
    const pieceCount = this.opts.storage.geometry.pieceCount;
    return new PeerConnection(stream, this, {
      id: this.nextPeerId++,
      infoHash,
      v2UpgradeBit: this.opts.v2UpgradeBit && Buffer.compare(infoHash, this.opts.infoHash) === 0, // offers v2 on a v1-named connection only
      peerId: this.opts.peerId,
      pieceCount,
      incoming,
      clock: this.clock,
      maxMessageLength: Math.max(BLOCK_SIZE + 13, Math.ceil(pieceCount / 8) + 1, 1 << 17),
      downloadLimiters: this.opts.limits.downloadChain,
      uploadLimiters: this.opts.limits.uploadChain,
      sendBudget: this.opts.limits.sendBudget,
    });
  }

  closeAll(reason: string): void {
    for (const peer of [...this.peers]) peer.close(reason);
    this.webSeeds.closeAll();
  }

  onHandshake(peer: PeerConnection, hs: Handshake): boolean {
    const verdict = judgeHandshake(hs, this.opts, this.peers, peer);
    const other = verdict.ok ? verdict.replaces : verdict.duplicateOf;
    if (other) this.host.log(`two connections to ${peer.client} (${peer.address}, ${other.address}): keeping the ${verdict.ok ? 'new' : 'old'} one, opened by the greater peer id`);
    if (!verdict.ok) return false;
    verdict.replaces?.close('a second connection to this peer is kept instead (the one the greater peer id opened)');
    if (verdict.v2) peer.supportsV2 = true;
    if (peer.incoming) return true;
    this.dials.settled(peer);
    this.connected(peer);
    this.connectMore(); // its dial slot is free: dial the next address now rather than on the next tick
    return true;
  }

  private connected(peer: PeerConnection): void {
    this.peers.add(peer);
    this.addressBook.markConnected(peer.transport.remoteAddress, peer.transport.remotePort);
    this.host.log(`connected ${peer.incoming ? 'from' : 'to'} ${peer.address} (${peer.client}), ${ENCRYPTION_LABELS[peer.encryption]}${peer.transport.kind === 'utp' ? ', uTP' : ''}`);
    if (peer.supportsExtended) this.host.greet(peer);
    sendHaveState(peer, this.host.have);
    // No unchoke until the peer says interested ('interested' in onMessage), as libtorrent does: WebTorrent lost an
    // unchoke read with our handshake (its handler attaches a microtask later) and never requested (issue 15).
  }

  onClose(peer: PeerConnection, reason: string, remote: boolean): void {
    const now = this.clock.now();
    if (!this.peers.delete(peer)) {
      if (this.dials.settled(peer)) this.connectMore();
      this.addressBook.markFailed(peer.transport.remoteAddress, peer.transport.remotePort, now);
      // A peer that requires encryption closes a plaintext connection here, before its handshake.
      if (!peer.incoming && peer.remotePeerId === null) this.host.log(`no handshake from ${peer.address} (${ENCRYPTION_LABELS[peer.encryption]}): ${reason}`);
      return;
    }
    const counted = this.countedPeers.get(peer);
    if (counted !== undefined) this.picker.removePeer(counted);
    this.countedPeers.delete(peer);
    peer.requests.dropAll(this.picker, peer.id);
    this.addressBook.markClosed(peer.transport.remoteAddress, peer.transport.remotePort, closedSession(peer, remote, now), now);
    this.host.log(`disconnected ${peer.address} (${peer.client}): ${reason}`);
    this.refillAll();
    this.connectMore();
  }

  // ---- messages ----

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
        if (peer.amInterested) this.refill(peer);
        break;
      case 'unchoke':
        this.refill(peer);
        break;
      case 'choke':
        peer.requests.choked();
        if (!peer.supportsFast) peer.requests.dropAll(this.picker, peer.id);
        break;
      case 'reject':
        if (peer.requests.forget(msg.index, msg.begin)) {
          this.picker.requestCancelled(msg.index, msg.begin, peer.id);
          if (!peer.peerChoking) this.refill(peer);
        }
        break;
      case 'allowedFast':
        if (peer.peerChoking) this.refill(peer);
        break;
      case 'interested':
        if (peer.amChoking && countUnchoked(this.peers) < this.uploadSlots) peer.unchoke();
        break;
      case 'request':
        this.uploads.request(peer, msg.index, msg.begin, msg.length);
        break;
      case 'cancel':
        peer.uploads.cancel(msg.index, msg.begin, msg.length);
        break;
      case 'extended':
        this.onExtended(peer, msg.id, msg.payload);
        break;
      default:
        break;
    }
  }

  private onExtended(peer: PeerConnection, id: number, payload: Uint8Array): void {
    if (id !== EXTENDED_HANDSHAKE_ID) {
      this.host.extendedMessage(peer, id, payload);
      return;
    }
    const hs = decodeExtendedHandshake(payload);
    for (const [name, theirId] of hs.m) peer.extensions.set(name, theirId);
    if (hs.reqq !== undefined) peer.requests.peerQueueLength = Math.max(1, hs.reqq);
    this.host.extendedHandshake(peer, hs);
    if (hs.uploadOnly === true) this.uploadOnlyPeers.add(peer);
    else if (hs.uploadOnly === false) this.uploadOnlyPeers.delete(peer);
    // BEP 21: two sides that both want nothing more have no reason to stay connected.
    if (hs.uploadOnly === true && this.host.complete) peer.close('both sides upload only (BEP 21)');
  }

  /** BEP 54 lt_donthave: count the peer's pieces again without `piece` (requests sent for it get rejected or time out). */
  peerLostPiece(peer: PeerConnection, piece: number): void {
    const bits = peer.bits;
    if (!bits || piece >= bits.length || !bits.has(piece)) return;
    const counted = this.countedPeers.get(peer);
    if (counted !== undefined) this.picker.removePeer(counted);
    this.countedPeers.delete(peer);
    bits.clear(piece);
    peer.isSeed = false;
    this.registerAvailability(peer);
  }

  onBlock(peer: PeerConnection, piece: number, begin: number, data: Uint8Array): void {
    this.host.blockReceived(peer, piece, begin, data);
  }

  onHashMessage(peer: PeerConnection, message: HashMessage): void {
    this.host.hashMessage?.(peer, message);
  }

  onReadDone(peer: PeerConnection): void {
    this.cancels.flush();
    this.refill(peer);
  }

  onDrain(peer: PeerConnection): void {
    this.uploads.serve(peer);
  }

  // ---- what the peer has, and our interest ----

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
    if (peer.isSeed && this.host.complete) {
      peer.close('both sides are seeds');
      return;
    }
    this.updateInterest(peer);
  }

  private updateInterest(peer: PeerConnection): void {
    if (this.host.complete) {
      peer.setInterested(false);
      return;
    }
    if (!peer.bits && !peer.isSeed) return;
    peer.setInterested(this.picker.isInteresting(peer.isSeed ? null : peer.bits));
  }

  /** Piece priorities changed: interest and requests follow. */
  prioritiesChanged(): void {
    for (const peer of this.peers) {
      this.updateInterest(peer);
      this.refill(peer);
    }
  }

  /** Every wanted piece is verified: seeds are of no more use, and nobody has anything we want. */
  wantedComplete(): void {
    for (const peer of [...this.peers]) {
      if (peer.isSeed) peer.close('both sides are seeds');
      else if (this.uploadOnlyPeers.has(peer)) peer.close('both sides upload only (BEP 21)');
      else peer.setInterested(false);
    }
    this.webSeeds.abortAll();
  }

  /** Requesting: tops up the requests in flight to `peer` as far as its pipeline wants; a deadline block that would be late behind the queue makes the ordinary requests give way first, and while a stream reads a peer fit for its blocks keeps only the urgent ones and a shallow queue in flight (deadline-swap.ts). */
  refill(peer: PeerConnection): void {
    if (!this.host.downloading || !peer.amInterested || peer.closed || this.host.awaitingHashes) return;
    if (this.host.diskBusy) return; // back-pressure: while the disk is behind, the pipeline drains instead of buffering more pieces
    if (peer.peerChoking && peer.allowedFast.size === 0) return;
    const rate = peer.downloadMeter.rate();
    if (this.picker.deadlineCount === 0 && peer.requests.wanted(rate, undefined, this.picker.inEndGame) === 0) return;
    const view = this.view;
    view.critical = this.critical.fit(rate, peer.requests.size);
    view.bits = peer.isSeed ? null : peer.bits;
    view.isSeed = peer.isSeed;
    view.allowedFast = peer.allowedFast;
    view.choked = peer.peerChoking;
    view.id = peer.id;
    const batch = this.requestBatch;
    if (this.picker.deadlineCount > 0) clearQueueForDeadlines(peer, this.picker, this.opts.storage.geometry, view, batch, rate, this.clock.now());
    const want = peer.requests.wanted(rate, this.picker.deadlineCount > 0 && view.critical ? streamingTarget(this.picker, rate, this.clock.now()) : undefined, this.picker.inEndGame);
    if (want === 0) return;
    batch.length = 0;
    const n = this.picker.pick(view, want, batch);
    if (n > 0) peer.sendRequests(batch, n);
    else if (peer.requests.size === 0 && !this.picker.inEndGame) this.updateInterestAfterPick(peer);
  }

  refillAll(): void {
    for (const peer of this.peers) this.refill(peer);
    this.webSeeds.refill();
  }

  /** A peer that has nothing left we want should know we are no longer interested. */
  private updateInterestAfterPick(peer: PeerConnection): void {
    if (!peer.bits || peer.isSeed) return;
    if (!this.picker.isInteresting(peer.bits)) peer.setInterested(false);
  }

  /** End game: a block arrived from `receivedFrom`; the other peers asked for it are told to forget it (DuplicateCancels: gathered, sent after the read). */
  cancelDuplicates(receivedFrom: BlockSource, piece: number, begin: number, length: number): void {
    this.cancels.arrived(receivedFrom, this.peers, piece, begin, length);
    if (!(receivedFrom instanceof PeerConnection)) this.cancels.flush(); // a web seed's block: no read to wait for
  }

  /** Marks in `into` the pieces with blocks requested or received and not yet verified. */
  markDownloading(into: Bitfield): void {
    for (const piece of this.blame.pieces()) into.set(piece);
    for (const peer of this.peers) peer.requests.markPieces(into);
  }

  // ---- verification results ----

  /** `peer` sent a block of `piece` that was kept. */
  contributed(piece: number, peer: BlockSource): void {
    this.blame.contributed(piece, peer);
  }

  /** The piece is done with, verified or abandoned (e.g. its write failed): nobody is to blame. */
  pieceSettled(piece: number): void {
    this.blame.forget(piece);
  }

  /** Tells every peer we have the piece now; a seed, which wants nothing, is spared the write (one per piece per peer). */
  announceHave(piece: number): void {
    for (const peer of this.peers) if (!peer.isSeed) peer.sendMessage({ type: 'have', index: piece });
  }

  /** Bans a peer proven to have sent bad data (e.g. a block that failed its merkle check). */
  ban(peer: PeerConnection, reason: string): void {
    this.addressBook.ban(peer.transport.remoteAddress, peer.transport.remotePort);
    this.host.log(`banned ${peer.address} (${peer.client}): ${reason}`);
    peer.close('banned: sent corrupt data');
  }

  /**
   * The piece failed its hash check: bans whoever is to blame, and asks for the piece again. With
   * `blameByPiece` false the blame is settled elsewhere (v2: block by block, see hash-exchange.ts).
   */
  pieceFailed(piece: number, blameByPiece = true): void {
    if (!blameByPiece) {
      this.blame.forget(piece);
      this.host.log(`piece ${piece} failed its merkle check: checking its blocks`);
      this.refillAll();
      return;
    }
    const { sources, banned } = this.blame.failed(piece);
    this.host.log(`piece ${piece} failed its hash check (data from ${sources.map((p) => p.address).join(', ') || 'unknown'})`);
    for (const peer of banned) {
      if (peer instanceof WebSeed) {
        this.host.log(`dropped web seed ${peer.url}: sent data that failed the hash check`);
        this.webSeeds.ban(peer, 'sent data that failed the hash check');
        continue;
      }
      this.addressBook.ban(peer.transport.remoteAddress, peer.transport.remotePort);
      this.host.log(`banned ${peer.address} (${peer.client}): sent data that failed the hash check`);
      peer.close('banned: sent corrupt data');
    }
    this.refillAll();
  }

  // ---- periodic work ----

  /** Once a second: drops idle peers, keeps the others alive, gives back timed-out requests, refills, rechokes. */
  tick(now: number): void {
    this.cancels.flush(); // any a closed read left behind
    this.dials.closeStale(now);
    for (const peer of [...this.peers]) checkPeerHealth(peer, now, this.picker, this.log);
    if (this.picker.deadlineCount > 0) this.critical.update(this.peers);
    // Once every peer is seen to, each is topped up once, taking over any requests given back above.
    this.refillAll();
    this.chokeRounds.maybeRun(this.peers, this.uploadSlots, this.host.complete, now);
  }
}
