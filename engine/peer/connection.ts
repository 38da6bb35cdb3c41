import { formatEndpoint } from '../api/endpoint.js';
import { Bitfield } from '../common/bitfield.js';
import { RateMeter } from '../common/rate.js';
import {
  Framer,
  WireError,
  decodeHandshake,
  decodeMessage,
  encodeHandshake,
  encodeMessage,
  writeRequest,
  HANDSHAKE_LENGTH,
  clientFromPeerId,
  type Handshake,
  type Message,
} from '../wire/index.js';
import { advertisesV2 } from '../wire/handshake-v2.js';
import { decodeHashMessage, isHashMessageId } from '../wire/hash-messages.js';
import type { StreamEncryption, Transport } from '../net/transport.js';
import { cancelWait, chargeChain, waitOnChain, type BandwidthLimiter, type BandwidthWaiter, type LimiterChain } from '../net/bandwidth.js';
import { RequestPipeline } from './request-pipeline.js';
import { UploadQueue } from './upload-queue.js';
import { SendBacklog } from './send-backlog.js';
import { BlockMessageBatch } from './block-message-batch.js';
import { NO_RELEASE, PIECE_MESSAGE_OVERHEAD, writeBlock, type OutgoingBlock } from './block-send.js';
import type { PeerHandler, PeerOptions } from './connection-options.js';

const PIECE_ID = 7;
const REQUEST_MESSAGE_LENGTH = 17;

export type { PeerHandler, PeerOptions } from './connection-options.js';

const NO_LIMITERS: LimiterChain = [];

/** The connection's place in a limiter queue, one per direction (allocated once, no per-block cost). */
class Waiter implements BandwidthWaiter {
  waitingOn: BandwidthLimiter | null = null;
  constructor(readonly chain: LimiterChain, readonly bandwidthAvailable: () => void) {}
}

/**
 * One peer connection: the handshake, the message stream, choke and interest
 * state, what the peer has, its request pipeline (the requests in flight to it)
 * and its upload queue (the requests it made of us). Decisions about what to
 * request or whom to unchoke belong to the peer manager.
 */
export class PeerConnection {
  readonly id: number;
  readonly incoming: boolean;
  remotePeerId: Uint8Array | null = null;
  client = 'unknown';
  supportsFast = false;
  supportsExtended = false;
  supportsDht = false;
  /** Speaks BEP 52 hash messages: set its upgrade bit, or named the torrent by its v2 hash (the peer manager sets it). */
  supportsV2 = false;

  amChoking = true;
  amInterested = false;
  peerChoking = true;
  /** Clock time the peer last started choking us (its connect time until it unchokes once): the doctor's "choking for N s". */
  chokedUsSince: number;
  peerInterested = false;
  /** What the peer has; null until its bitfield (or have-all/none) arrives. */
  bits: Bitfield | null = null;
  isSeed = false;
  /** BEP 10 `m` map: extension name -> the id the peer wants us to use. */
  extensions = new Map<string, number>();
  readonly allowedFast = new Set<number>();

  /** The blocks we requested from this peer and have not received, and how many to keep in flight. */
  readonly requests: RequestPipeline;
  /** Requests the peer made of us, oldest first. */
  readonly uploads = new UploadQueue();

  readonly downloadMeter: RateMeter;
  readonly uploadMeter: RateMeter;
  readonly connectedAt: number;
  lastReceiveAt: number;
  lastSendAt: number;
  optimistic = false;
  closed = false;
  /** ut_metadata pieces went either way: like piece data, it makes a peer that closes worth redialling soon. */
  metadataTraded = false;
  /** Blocks read from disk that wait for upload bandwidth, oldest first (each with its 13-byte header). */
  readonly blocksWaiting: OutgoingBlock[] = [];

  private handshakeDone = false;
  private readonly handshakeBuf = Buffer.alloc(HANDSHAKE_LENGTH);
  private handshakeFill = 0;
  private readonly framer: Framer;
  private requestScratch = Buffer.allocUnsafe(REQUEST_MESSAGE_LENGTH * 64);
  /** Block payload bytes seen in the current socket read, charged to the download limiters after it. */
  private readPayload = 0;
  private readonly downWaiter: Waiter | null;
  private readonly upWaiter: Waiter | null;
  /** Bytes queued for a peer that reads slower than we write (see send-backlog.ts). */
  private readonly backlog: SendBacklog;
  /** Reading stopped because the peer does not read what we send (until the socket drains). */
  private backlogPaused = false;
  /** Rejects answered while a socket read is handled, sent in one write after it. */
  private readonly rejects = BlockMessageBatch.rejects();
  private inReceive = false;
  /** A message completed in the current read: only then can the request pipeline need a top-up (see receive). */
  private framedInRead = false;

  constructor(
    readonly transport: Transport,
    private readonly handler: PeerHandler,
    private readonly opts: PeerOptions,
  ) {
    this.id = opts.id;
    this.incoming = opts.incoming;
    this.framer = new Framer(opts.maxMessageLength);
    this.downloadMeter = new RateMeter(opts.clock);
    this.uploadMeter = new RateMeter(opts.clock);
    const now = opts.clock.now();
    this.connectedAt = now;
    this.chokedUsSince = now;
    this.requests = new RequestPipeline(now);
    this.lastReceiveAt = now;
    this.lastSendAt = now;
    const down = opts.downloadLimiters ?? NO_LIMITERS;
    const up = opts.uploadLimiters ?? NO_LIMITERS;
    this.downWaiter = down.length > 0 ? new Waiter(down, this.resumeReading) : null;
    this.upWaiter = up.length > 0 ? new Waiter(up, this.sendWaitingBlocks) : null;
    this.backlog = new SendBacklog(opts.sendBudget ?? null);
  }

  /** Since when (clock time) the peer has not taken what we send; null while it keeps up. */
  get sendStalledSince(): number | null {
    return this.backlog.bytes > 0 ? this.backlog.since : null;
  }

  /** Bytes (with per-write overhead) queued for this peer beyond what its socket took. */
  get sendBacklogBytes(): number {
    return this.backlog.bytes;
  }

  get address(): string {
    return formatEndpoint(this.transport.remoteAddress, this.transport.remotePort);
  }

  /** No block came for a while although requests are in flight. */
  get snubbed(): boolean {
    return this.requests.snubbed;
  }

  get encryption(): StreamEncryption {
    return this.transport.encryption ?? 'plaintext';
  }

  sendHandshake(): void {
    const hs = encodeHandshake({ infoHash: this.opts.infoHash, peerId: this.opts.peerId, extensions: { extended: true, fast: true, dht: false } });
    if (this.opts.v2UpgradeBit) hs[27] |= 0x10; // reserved byte 7, bit 0x10 (handshake-v2.ts)
    this.send(hs);
  }

  /** For incoming connections the listener read the handshake already. */
  acceptHandshake(handshake: Handshake): boolean {
    this.handshakeDone = true;
    return this.applyHandshake(handshake);
  }

  /** Feeds bytes from the socket. `chunk` may be reused by the caller after this returns. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastReceiveAt = this.opts.clock.now();
    let data = chunk;
    if (!this.handshakeDone) {
      const need = HANDSHAKE_LENGTH - this.handshakeFill;
      const take = Math.min(need, data.length);
      this.handshakeBuf.set(data.subarray(0, take), this.handshakeFill);
      this.handshakeFill += take;
      data = data.subarray(take);
      if (this.handshakeFill < HANDSHAKE_LENGTH) return;
      this.handshakeDone = true;
      let hs: Handshake;
      try {
        hs = decodeHandshake(this.handshakeBuf);
      } catch (err: unknown) {
        this.close(`bad handshake: ${(err as Error).message}`);
        return;
      }
      if (!this.applyHandshake(hs)) return;
      if (data.length === 0) return;
    }
    this.inReceive = true;
    try {
      this.framer.push(data, this.onFrame);
    } catch (err) {
      this.close(err instanceof WireError ? err.message : `protocol error: ${(err as Error).message}`);
      return;
    } finally {
      this.inReceive = false;
    }
    if (this.rejects.pending) this.sendOwned(this.rejects.take());
    if (this.readPayload > 0) this.chargeDownload();
    // A uTP read is one ~1.4 KB datagram, a 16 KiB block spans a dozen: a read that only added to a partial
    // message changed nothing the request pipeline depends on, so it skips the top-up.
    const framed = this.framedInRead;
    this.framedInRead = false;
    if (framed && !this.closed) this.handler.onReadDone(this);
  }

  /** Charges this read's payload; stops reading while a download limiter is in debt. */
  private chargeDownload(): void {
    const bytes = this.readPayload;
    this.readPayload = 0;
    const waiter = this.downWaiter;
    if (waiter === null || this.closed) return;
    chargeChain(waiter.chain, bytes);
    if (waiter.waitingOn === null && waitOnChain(waiter)) this.transport.pauseReading?.();
  }

  private readonly resumeReading = (): void => {
    if (!this.closed && !this.backlogPaused) this.transport.resumeReading?.();
  };

  /** True while the socket is paused by a download limit. */
  get readingPaused(): boolean {
    return this.downWaiter !== null && this.downWaiter.waitingOn !== null;
  }

  private applyHandshake(hs: Handshake): boolean {
    this.remotePeerId = hs.peerId;
    this.client = clientFromPeerId(hs.peerId);
    this.supportsExtended = hs.extensions.extended;
    this.supportsFast = hs.extensions.fast;
    this.supportsDht = hs.extensions.dht;
    this.supportsV2 = advertisesV2(hs.reserved);
    if (!this.handler.onHandshake(this, hs)) {
      this.close('handshake refused');
      return false;
    }
    return true;
  }

  private readonly onFrame = (frame: Uint8Array): void => {
    this.framedInRead = true;
    if (this.closed) return;
    if (frame.length >= 9 && frame[0] === PIECE_ID) {
      // Hot path: no message object for blocks.
      const piece = ((frame[1] << 24) | (frame[2] << 16) | (frame[3] << 8) | frame[4]) >>> 0;
      const begin = ((frame[5] << 24) | (frame[6] << 16) | (frame[7] << 8) | frame[8]) >>> 0;
      const block = frame.subarray(9);
      this.downloadMeter.add(block.length);
      this.readPayload += block.length;
      this.requests.received(piece, begin, this.lastReceiveAt);
      this.handler.onBlock(this, piece, begin, block);
      return;
    }
    if (isHashMessageId(frame[0])) {
      this.handler.onHashMessage?.(this, decodeHashMessage(frame));
      return;
    }
    const msg = decodeMessage(frame);
    this.applyState(msg);
    this.handler.onMessage(this, msg);
  };

  private applyState(msg: Message): void {
    const pieceCount = this.opts.pieceCount;
    if (pieceCount === null) {
      if (msg.type === 'choke' || msg.type === 'unchoke' || msg.type === 'interested' || msg.type === 'notInterested') this.applyChokeState(msg.type);
      return;
    }
    switch (msg.type) {
      case 'choke':
      case 'unchoke':
      case 'interested':
      case 'notInterested':
        this.applyChokeState(msg.type);
        break;
      case 'have':
        if (msg.index >= pieceCount) throw new WireError(`wire: have ${msg.index} out of range`);
        this.bits ??= new Bitfield(pieceCount);
        this.bits.set(msg.index);
        this.isSeed = this.bits.complete;
        break;
      case 'bitfield':
        if (msg.bits.length !== Math.ceil(pieceCount / 8) || !Bitfield.spareBitsClear(pieceCount, msg.bits)) {
          throw new WireError(`wire: bitfield of ${msg.bits.length} bytes does not fit ${pieceCount} pieces`);
        }
        this.bits = new Bitfield(pieceCount, msg.bits);
        this.isSeed = this.bits.complete;
        break;
      case 'haveAll':
        this.bits = Bitfield.full(pieceCount);
        this.isSeed = true;
        break;
      case 'haveNone':
        this.bits = new Bitfield(pieceCount);
        this.isSeed = false;
        break;
      case 'allowedFast':
        if (msg.index < pieceCount) this.allowedFast.add(msg.index);
        break;
      case 'cancel':
        if (this.blocksWaiting.length > 0) this.cancelWaitingBlock(msg.index, msg.begin, msg.length);
        break;
      default:
        break;
    }
  }

  private applyChokeState(type: 'choke' | 'unchoke' | 'interested' | 'notInterested'): void {
    if (type === 'choke') {
      if (!this.peerChoking) this.chokedUsSince = this.opts.clock.now();
      this.peerChoking = true;
    } else if (type === 'unchoke') this.peerChoking = false;
    else this.peerInterested = type === 'interested';
  }

  send(data: Uint8Array): boolean {
    if (this.closed) return false;
    this.lastSendAt = this.opts.clock.now();
    const ok = this.transport.write(data);
    if (!ok) this.queuedUnsent(data.length);
    return ok;
  }

  /** Tells a Fast-extension peer we will not serve a request; those made while a read is handled go out together after it. */
  reject(piece: number, begin: number, length: number): void {
    if (!this.supportsFast || this.closed) return;
    this.rejects.add(piece, begin, length);
    if (!this.inReceive) this.sendOwned(this.rejects.take());
  }

  /** The socket queued a write it could not take: stop reading a peer that does not read, drop one that never does. */
  private queuedUnsent(length: number): void {
    const verdict = this.backlog.add(length, this.lastSendAt);
    if (verdict === 'drop') {
      this.close(`peer does not read what we send (${this.backlog.bytes} bytes queued)`);
    } else if (verdict === 'pause' && !this.backlogPaused) {
      this.backlogPaused = true;
      this.transport.pauseReading?.();
    }
  }

  sendMessage(msg: Message): boolean {
    return this.send(encodeMessage(msg));
  }

  /** A piece message whose buffer is handed over (the transport may encrypt it in place). */
  private sendOwned(buf: Buffer): boolean {
    if (this.closed) return false;
    this.lastSendAt = this.opts.clock.now();
    const ok = this.transport.writeOwned ? this.transport.writeOwned(buf) : this.transport.write(buf);
    if (!ok) this.queuedUnsent(buf.length);
    return ok;
  }

  choke(): void {
    if (this.amChoking) return;
    this.amChoking = true;
    this.sendMessage({ type: 'choke' });
    const dropped = this.uploads.clear();
    if (this.supportsFast) {
      for (const r of dropped) this.rejects.add(r.piece, r.begin, r.length);
      if (!this.inReceive && this.rejects.pending) this.sendOwned(this.rejects.take());
    }
    this.dropWaitingBlocks(this.supportsFast);
  }

  unchoke(): void {
    if (!this.amChoking) return;
    this.amChoking = false;
    this.sendMessage({ type: 'unchoke' });
  }

  setInterested(interested: boolean): void {
    if (this.amInterested === interested) return;
    this.amInterested = interested;
    this.sendMessage({ type: interested ? 'interested' : 'notInterested' });
  }

  /** Sends many requests in one write. */
  sendRequests(requests: readonly { piece: number; begin: number; length: number }[], count: number): void {
    if (count === 0) return;
    const size = count * REQUEST_MESSAGE_LENGTH;
    if (this.requestScratch.length < size) this.requestScratch = Buffer.allocUnsafe(size);
    let off = 0;
    const now = this.opts.clock.now();
    for (let i = 0; i < count; i++) {
      const r = requests[i];
      off = writeRequest(this.requestScratch, off, r.piece, r.begin, r.length);
      this.requests.sent(r.piece, r.begin, now);
    }
    // The scratch buffer is reused, so hand the socket its own copy.
    this.sendOwned(Buffer.from(this.requestScratch.subarray(0, off)));
  }

  cancelRequest(piece: number, begin: number, length: number): void {
    if (this.requests.forget(piece, begin)) this.sendMessage({ type: 'cancel', index: piece, begin, length });
  }

  /**
   * Sends a block we read from disk; `data` is its payload, which nobody changes afterwards (it may be a view of a
   * read-ahead chunk; `release` is called once it is no longer needed: see read-ahead.ts). Returns false when the caller should wait for `onDrain` before offering more: the socket is
   * full, or an upload limiter holds the block back (it is sent, in order, when tokens come, and
   * `onDrain` follows). `blocksWaiting` counts the blocks held back.
   */
  sendBlock(piece: number, begin: number, data: Buffer, release: () => void = NO_RELEASE): boolean {
    if (this.closed) {
      release();
      return false;
    }
    const waiter = this.upWaiter;
    if (waiter !== null) {
      if (this.blocksWaiting.length > 0 || waiter.waitingOn !== null || waitOnChain(waiter)) {
        this.blocksWaiting.push({ piece, begin, data, release });
        return false;
      }
      chargeChain(waiter.chain, data.length);
    }
    return this.transmitBlock({ piece, begin, data, release });
  }

  private transmitBlock(block: OutgoingBlock): boolean {
    this.uploadMeter.add(block.data.length);
    this.lastSendAt = this.opts.clock.now();
    const ok = writeBlock(this.transport, block);
    if (!ok) this.queuedUnsent(PIECE_MESSAGE_OVERHEAD + block.data.length);
    return ok;
  }

  /** Upload bandwidth came: sends waiting blocks while the limiters allow, then asks for more. */
  private readonly sendWaitingBlocks = (): void => {
    const waiter = this.upWaiter;
    if (waiter === null || this.closed) return;
    const queue = this.blocksWaiting;
    let writable = true;
    while (queue.length > 0 && !waitOnChain(waiter) && !this.closed) {
      const block = queue.shift()!;
      chargeChain(waiter.chain, block.data.length);
      writable = this.transmitBlock(block);
    }
    // Room for more: let the torrent read the next blocks. A full socket calls onDrain itself when it empties.
    if (writable && !this.closed) this.handler.onDrain(this);
  };

  /** Forgets blocks held back by an upload limit (choked, cancelled, closed); with `reject`, tells the peer. */
  private dropWaitingBlocks(reject: boolean): void {
    if (this.upWaiter !== null) cancelWait(this.upWaiter);
    const queue = this.blocksWaiting;
    if (queue.length === 0) return;
    if (reject) {
      for (const b of queue) this.sendMessage({ type: 'reject', index: b.piece, begin: b.begin, length: b.data.length });
    }
    for (const b of queue) b.release();
    queue.length = 0;
  }

  /** The peer cancelled a request: a block already read but held back by an upload limit is not sent. */
  private cancelWaitingBlock(piece: number, begin: number, length: number): void {
    const queue = this.blocksWaiting;
    for (let i = 0; i < queue.length; i++) {
      const b = queue[i];
      if (b.piece === piece && b.begin === begin && b.data.length === length) {
        // The waiter stays queued: when it fires with nothing left it still calls onDrain.
        queue.splice(i, 1);
        b.release();
        return;
      }
    }
  }

  private releaseBandwidth(): void {
    if (this.downWaiter !== null) cancelWait(this.downWaiter);
    this.dropWaitingBlocks(false);
    this.backlog.clear();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseBandwidth();
    this.transport.destroy();
    this.handler.onClose(this, reason, false);
  }

  /** Called by net/ when the socket ends or errors. */
  transportClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseBandwidth();
    this.handler.onClose(this, reason, true);
  }

  drained(): void {
    this.backlog.clear();
    if (this.backlogPaused) {
      this.backlogPaused = false;
      // A download limit in debt keeps the socket paused; its waiter resumes it.
      if (!this.closed && !this.readingPaused) this.transport.resumeReading?.();
    }
    this.handler.onDrain(this);
  }
}
