import { createHash } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { PeerConnection, type PeerHandler } from '../peer/connection.js';
import { TrackerAnnouncer } from '../tracker/index.js';
import {
  EXTENDED_HANDSHAKE_ID,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeMetadataMessage,
  formatIp,
  metadataPieceCount,
  MAX_METADATA_SIZE,
  type Handshake,
  type Message,
} from '../wire/index.js';
import { AddressBook, closedSession, type PeerAddress } from '../peer/address-book.js';
import { OUR_EXTENSIONS, ourExtendedHandshake } from './extensions.js';
import type { PeerStream } from './torrent.js';

export interface MetadataFetchOptions {
  readonly infoHash: Uint8Array;
  /** BEP 52 SHA-256 info hash (v2 and hybrid magnets): the info dict must hash to it too. */
  readonly infoHashV2?: Uint8Array;
  /** A v2-only magnet: `infoHash` is the truncated v2 hash, so there is no SHA-1 to check. */
  readonly v2Only?: boolean;
  readonly peerId: Uint8Array;
  readonly trackers: readonly string[];
  readonly peers: readonly PeerAddress[];
  readonly listenPort: () => number;
  readonly clock: Clock;
  readonly dial: (host: string, port: number) => Promise<PeerStream>;
  readonly log?: (line: string) => void;
  readonly maxPeers?: number;
  /** A peer's `yourip` (BEP 10) told the address it sees us at (`peerHost`: that peer), for our external address. */
  readonly onOwnIp?: (ip: string, peerHost: string) => void;
}

const MAX_HALF_OPEN = 8;
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * Fetches a magnet link's info dict from peers over ut_metadata (BEP 9): pieces
 * are requested from several peers in parallel and the whole dict is checked
 * against the info hash before it is returned.
 */
export class MetadataFetch implements PeerHandler {
  private readonly book = new AddressBook();
  private readonly peers = new Set<PeerConnection>();
  private announcer: TrackerAnnouncer | null = null;
  private totalSize = 0;
  private buffer: Uint8Array | null = null;
  private received: Uint8Array = new Uint8Array(0);
  /** Piece -> time requested and the peer asked. */
  private readonly requested = new Map<number, { at: number; peer: PeerConnection }>();
  private readonly sources = new Map<number, PeerConnection>();
  /** The metadata size each peer announced: a liar's size must not shut honest peers out. */
  private readonly announcedSize = new Map<PeerConnection, number>();
  private nextId = 1;
  private halfOpen = 0;
  private timer: NodeJS.Timeout | null = null;
  private resolveDone: (info: Uint8Array) => void = () => {};
  private done = false;

  constructor(private readonly opts: MetadataFetchOptions) {}

  run(): Promise<Uint8Array> {
    const promise = new Promise<Uint8Array>((resolve) => (this.resolveDone = resolve));
    this.addPeers(this.opts.peers);
    if (this.opts.trackers.length > 0) {
      this.announcer = new TrackerAnnouncer({
        tiers: this.opts.trackers.map((t) => [t]),
        infoHash: this.opts.infoHash,
        peerId: this.opts.peerId,
        port: this.opts.listenPort,
        stats: () => ({ uploaded: 0, downloaded: 0, left: 1 }),
        onPeers: (peers) => this.addPeers(peers),
      });
      this.announcer.start();
    }
    this.timer = setInterval(() => this.tick(), 1000);
    this.connectMore();
    return promise;
  }

  addPeers(peers: readonly PeerAddress[]): void {
    const now = this.opts.clock.now();
    for (const p of peers) this.book.add(p, now);
    this.connectMore();
  }

  async stop(): Promise<void> {
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    for (const p of [...this.peers]) p.close('metadata fetch finished');
    const a = this.announcer;
    this.announcer = null;
    // 'stopped' is not sent: the download that follows announces this torrent again.
    if (a) await a.stop().catch(() => undefined);
  }

  private connectMore(): void {
    if (this.done) return;
    const room = Math.min((this.opts.maxPeers ?? 30) - this.peers.size - this.halfOpen, MAX_HALF_OPEN - this.halfOpen);
    if (room <= 0) return;
    for (const addr of this.book.candidates(room, this.opts.clock.now())) {
      this.halfOpen++;
      this.opts.dial(addr.host, addr.port).then(
        (stream) => {
          this.halfOpen--;
          if (this.done) return stream.destroy();
          const peer = new PeerConnection(stream, this, {
            id: this.nextId++,
            infoHash: this.opts.infoHash,
            peerId: this.opts.peerId,
            pieceCount: null,
            incoming: false,
            clock: this.opts.clock,
            maxMessageLength: 64 * 1024 + 64,
          });
          // Ours first: attaching may deliver the peer's handshake (it came with an encrypted one), and we answer it.
          peer.sendHandshake();
          stream.attach(peer);
        },
        () => {
          this.halfOpen--;
          this.book.markFailed(addr.host, addr.port, this.opts.clock.now());
        },
      );
    }
  }

  onHandshake(peer: PeerConnection, hs: Handshake): boolean {
    if (Buffer.compare(hs.infoHash, this.opts.infoHash) !== 0) return false;
    if (!hs.extensions.extended) {
      this.opts.log?.(`${peer.address} (${peer.client}) does not support the extension protocol; cannot fetch metadata from it`);
      return false;
    }
    this.peers.add(peer);
    peer.sendMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: ourExtendedHandshake(this.opts.listenPort(), undefined, { peerAddress: peer.transport.remoteAddress }) });
    return true;
  }

  onMessage(peer: PeerConnection, msg: Message): void {
    if (msg.type !== 'extended') return;
    if (msg.id === EXTENDED_HANDSHAKE_ID) {
      const hs = decodeExtendedHandshake(msg.payload);
      for (const [k, v] of hs.m) peer.extensions.set(k, v);
      if (hs.yourIp) this.opts.onOwnIp?.(formatIp(hs.yourIp), peer.transport.remoteAddress);
      const size = hs.metadataSize;
      if (!peer.extensions.get('ut_metadata') || size === undefined) return;
      if (size < 1 || size > MAX_METADATA_SIZE) {
        peer.close(`announced metadata size ${size} is out of range`);
        return;
      }
      this.announcedSize.set(peer, size);
      if (this.totalSize === 0) this.useSize(size);
      this.requestFrom(peer);
      return;
    }
    if (msg.id !== OUR_EXTENSIONS.ut_metadata) return;
    const m = decodeMetadataMessage(msg.payload, MAX_METADATA_SIZE);
    if (m.msgType === 'request') {
      const theirId = peer.extensions.get('ut_metadata');
      if (theirId) peer.sendMessage({ type: 'extended', id: theirId, payload: encodeMetadataMessage({ msgType: 'reject', piece: m.piece }) });
      return;
    }
    if (m.msgType === 'reject') {
      this.requested.delete(m.piece);
      return;
    }
    if (m.msgType !== 'data' || !this.buffer) return;
    // Data for another size is from a peer whose size we are not using (yet): ignore it.
    if (m.totalSize !== this.totalSize) return;
    if (this.received[m.piece]) return;
    this.buffer.set(m.data, m.piece * 16384);
    this.received[m.piece] = 1;
    this.sources.set(m.piece, peer);
    peer.metadataTraded = true;
    this.requested.delete(m.piece);
    if (this.received.every((r) => r === 1)) this.finish();
    else this.requestFrom(peer);
  }

  private useSize(size: number): void {
    this.totalSize = size;
    this.buffer = new Uint8Array(size);
    this.received = new Uint8Array(metadataPieceCount(size));
    this.sources.clear();
    this.requested.clear();
    this.opts.log?.(`metadata is ${size} bytes in ${this.received.length} piece(s)`);
  }

  private requestFrom(peer: PeerConnection): void {
    const theirId = peer.extensions.get('ut_metadata');
    if (!theirId || !this.buffer || this.announcedSize.get(peer) !== this.totalSize) return;
    let inFlight = 0;
    for (const r of this.requested.values()) if (r.peer === peer) inFlight++;
    for (let piece = 0; piece < this.received.length && inFlight < 4; piece++) {
      if (this.received[piece] || this.requested.has(piece)) continue;
      this.requested.set(piece, { at: this.opts.clock.now(), peer });
      peer.sendMessage({ type: 'extended', id: theirId, payload: encodeMetadataMessage({ msgType: 'request', piece }) });
      inFlight++;
    }
  }

  /** The info dict hashes to the magnet's SHA-1 (unless v2-only) and to its SHA-256 (when it has one). */
  private matchesInfoHashes(info: Uint8Array): boolean {
    if (!this.opts.v2Only && Buffer.compare(createHash('sha1').update(info).digest(), this.opts.infoHash) !== 0) return false;
    const v2 = this.opts.infoHashV2;
    return v2 === undefined || Buffer.compare(createHash('sha256').update(info).digest(), v2) === 0;
  }

  private finish(): void {
    const info = this.buffer!;
    if (!this.matchesInfoHashes(info)) {
      // Someone sent a forged piece: drop everyone who contributed and start over.
      const culprits = new Set(this.sources.values());
      this.opts.log?.(`metadata did not match the info hash; dropping ${culprits.size} peer(s) and retrying`);
      for (const p of culprits) {
        this.book.ban(p.transport.remoteAddress, p.transport.remotePort);
        p.close('sent metadata that does not match the info hash');
      }
      // Start over with the size most of the remaining peers announce (the liar's may have been wrong too).
      const counts = new Map<number, number>();
      for (const p of this.peers) {
        const n = this.announcedSize.get(p);
        if (n !== undefined && !culprits.has(p)) counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      const next = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      if (next !== undefined) this.useSize(next);
      else {
        this.totalSize = 0;
        this.buffer = null;
        this.sources.clear();
        this.requested.clear();
      }
      for (const p of this.peers) this.requestFrom(p);
      return;
    }
    this.opts.log?.(`metadata verified (${info.length} bytes)`);
    this.done = true;
    this.resolveDone(info);
  }

  onBlock(): void {}

  onClose(peer: PeerConnection, _reason: string, remote: boolean): void {
    this.peers.delete(peer);
    this.announcedSize.delete(peer);
    for (const [piece, r] of this.requested) if (r.peer === peer) this.requested.delete(piece);
    const now = this.opts.clock.now();
    this.book.markClosed(peer.transport.remoteAddress, peer.transport.remotePort, closedSession(peer, remote, now), now);
    for (const p of this.peers) this.requestFrom(p);
    this.connectMore();
  }

  onDrain(): void {}

  onReadDone(): void {}

  private tick(): void {
    const now = this.opts.clock.now();
    for (const [piece, r] of this.requested) {
      if (now - r.at > REQUEST_TIMEOUT_MS) {
        this.requested.delete(piece);
        r.peer.close('metadata request timed out');
      }
    }
    this.connectMore();
  }
}
