import type { Clock } from '../common/clock.js';
import type { Metainfo } from '../metainfo/index.js';
import type { PeerAddress } from '../peer/address-book.js';
import type { PeerConnection } from '../peer/connection.js';
import { decodeDontHave, EXTENDED_HANDSHAKE_ID, formatIp, type ExtendedHandshake } from '../wire/index.js';
import { OUR_EXTENSIONS, holepunchHandshake, metadataAnswer, ourExtendedHandshake, uploadOnlyHandshake, withdrawPexHandshake } from './extensions.js';
import { Pex, type PexOptions } from './pex.js';
import { Holepunch } from './holepunch.js';

/** What a torrent's extension messages need of the torrent. */
export interface ExtensionMessagesHost {
  readonly meta: Metainfo;
  /** We download nothing more (BEP 21 upload-only). */
  readonly complete: boolean;
  readonly peers: ReadonlySet<PeerConnection>;
  addPeers(peers: readonly PeerAddress[], source: string): void;
  /** Dial `address` now (a hole punch: the peer there dials us at the same moment). */
  punch(address: PeerAddress): void;
  log(line: string): void;
}

export interface ExtensionMessagesOptions {
  readonly clock: Clock;
  readonly listenPort: () => number;
  readonly prefersEncryption?: () => boolean;
  readonly pex?: PexOptions;
  readonly supportsUtp?: (host: string, port: number) => void;
  /** BEP 55 hole punching (ut_holepunch): on unless false; a function is the live switch (the holepunch setting). */
  readonly holepunch?: boolean | (() => boolean);
  /** lt_donthave: the peer no longer has the piece. */
  peerLostPiece(peer: PeerConnection, piece: number): void;
}

/**
 * A torrent's BEP 10 extensions: our extended handshake and its updates (PEX on/off, BEP 21
 * upload-only), ut_metadata answers, peer exchange (BEP 11) and lt_donthave.
 */
export class ExtensionMessages {
  /** null for private torrents (BEP 27). */
  private readonly pex: Pex<PeerConnection> | null;
  /** Kept while hole punching is off (it only remembers which peer knows whom), so it can be turned back on. */
  private readonly holepunch: Holepunch<PeerConnection>;
  /** Whether our handshakes offer ut_holepunch now; follows the switch (see holepunchOn). */
  private holepunchOffered: boolean;
  /** A peer's extended handshake told the address it sees us at (`yourip`): for BEP 40 peer priority and our external address. */
  onOwnIp: ((ip: string, peerHost: string) => void) | null = null;

  constructor(
    private readonly torrent: ExtensionMessagesHost,
    private readonly opts: ExtensionMessagesOptions,
  ) {
    this.pex = torrent.meta.private ? null : new Pex(opts.pex);
    const punch = (a: PeerAddress): void => {
      this.opts.supportsUtp?.(a.host, a.port); // BEP 55 punches are uTP: its packets open the NAT state
      torrent.punch(a);
    };
    this.holepunch = new Holepunch({ get peers() { return torrent.peers; }, punch, log: (line) => torrent.log(line) }, opts.clock);
    this.holepunchOffered = this.switchedOn();
  }

  /**
   * Whether hole punching is on; when the switch changed since we last looked, connected peers are told by a
   * handshake update (BEP 10: id 0 withdraws ut_holepunch), so they stop asking us to relay.
   */
  private holepunchOn(): boolean {
    const on = this.switchedOn();
    if (on !== this.holepunchOffered) {
      this.holepunchOffered = on;
      this.torrent.log(`hole punching (BEP 55) turned ${on ? 'on' : 'off'}`);
      this.toAll(holepunchHandshake(on));
    }
    return on;
  }

  private switchedOn(): boolean {
    const h = this.opts.holepunch;
    return typeof h === 'function' ? h() : h !== false;
  }

  /** Watches an outgoing dial: one that fails may be a peer behind NAT, which a relay can introduce us to (BEP 55). */
  watchDial<T>(host: string, port: number, dial: Promise<T>): Promise<T> {
    dial.catch(() => {
      if (this.holepunchOn()) this.holepunch.dialFailed(host, port);
    });
    return dial;
  }

  /** Our extended handshake to a newly connected peer. */
  greet(peer: PeerConnection): void {
    const flags = { pex: this.pex?.enabled === true, holepunch: this.holepunchOn(), prefersEncryption: this.opts.prefersEncryption?.() === true, uploadOnly: this.torrent.complete, peerAddress: peer.transport.remoteAddress };
    peer.sendMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: ourExtendedHandshake(this.opts.listenPort(), this.torrent.meta.infoBytes.length, flags) });
  }

  handshake(peer: PeerConnection, handshake: ExtendedHandshake): void {
    this.pex?.onHandshake(peer, handshake, this.opts.clock.now());
    this.holepunch.onHandshake(peer, handshake);
    if (peer.transport.kind === 'utp' && handshake.p !== undefined) this.opts.supportsUtp?.(peer.transport.remoteAddress, handshake.p);
    if (handshake.yourIp) this.onOwnIp?.(formatIp(handshake.yourIp), peer.transport.remoteAddress);
  }

  message(peer: PeerConnection, id: number, payload: Uint8Array): void {
    if (id === OUR_EXTENSIONS.ut_metadata) {
      const answer = metadataAnswer(this.torrent.meta.infoBytes, payload);
      const theirId = peer.extensions.get('ut_metadata');
      if (answer && theirId) {
        peer.sendMessage({ type: 'extended', id: theirId, payload: answer });
        peer.metadataTraded = true;
      }
    } else if (id === OUR_EXTENSIONS.ut_pex && this.pex?.enabled) {
      const got = this.pex.receive(peer, payload, this.opts.clock.now(), this.torrent.complete);
      if (got.kind === 'peers' && got.peers.length > 0) {
        for (const p of got.utp) this.opts.supportsUtp?.(p.host, p.port);
        this.holepunch.learned(got.peers, peer);
        this.torrent.addPeers(got.peers, `pex from ${peer.address}`);
      }
    } else if (id === OUR_EXTENSIONS.lt_donthave) {
      this.opts.peerLostPiece(peer, decodeDontHave(payload));
    } else if (id === OUR_EXTENSIONS.ut_holepunch && this.holepunchOn()) {
      this.holepunch.message(peer, payload);
    }
  }

  /** Turns peer exchange on or off (the session's pex setting); connected peers are told by a handshake update. */
  setPexEnabled(enabled: boolean): void {
    const pex = this.pex;
    if (!pex || pex.enabled === enabled) return;
    pex.setEnabled(enabled);
    const payload = enabled ? ourExtendedHandshake(this.opts.listenPort(), this.torrent.meta.infoBytes.length, { pex: true, holepunch: this.holepunchOn(), prefersEncryption: this.opts.prefersEncryption?.() === true, uploadOnly: this.torrent.complete }) : withdrawPexHandshake();
    this.toAll(payload);
  }

  /** Tells the connected peers whether we download anything more (BEP 21), by an extended handshake update. */
  announceUploadOnly(uploadOnly: boolean): void {
    this.toAll(uploadOnlyHandshake(uploadOnly));
  }

  /** The PEX messages due now (each peer's interval). */
  tick(peers: ReadonlySet<PeerConnection>, now: number): void {
    this.holepunchOn(); // a changed switch reaches the connected peers within a tick
    if (this.pex) for (const m of this.pex.due(peers, now)) m.peer.sendMessage({ type: 'extended', id: m.id, payload: m.payload });
  }

  private toAll(payload: Uint8Array): void {
    for (const peer of this.torrent.peers) if (peer.supportsExtended) peer.sendMessage({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload });
  }
}
