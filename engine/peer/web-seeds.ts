/**
 * A torrent's web seeds, as the peer manager sees them: created from the torrent's `url-list`, counted in the
 * picker's availability as seeds while usable, topped up whenever peers are, stopped with the torrent.
 */
import type { Clock } from '../common/clock.js';
import type { PeerConnection } from './connection.js';
import type { BlockRequest, PiecePicker, PeerView } from '../picker/index.js';
import type { PieceGeometry } from '../common/geometry.js';
import { WebSeed, type WebSeedOptions } from './web-seed.js';
import type { WebSeedLayout } from './web-seed-layout.js';
import type { LimiterChain } from '../net/bandwidth.js';

/** Picker requester ids of web seeds start here, far above the peer manager's connection ids. */
const FIRST_WEB_SEED_ID = 1 << 30;
const IDS_PER_WEB_SEED = 64;
/** A torrent listing more web seeds than this uses the first ones. */
export const MAX_WEB_SEEDS = 16;

export interface WebSeedSource {
  readonly urls: readonly string[];
  readonly layout: WebSeedLayout;
  readonly options?: WebSeedOptions;
}

/** Where blocks come from: a peer connection or a web seed (BEP 19). */
export type BlockSource = PeerConnection | WebSeed;

/** The part of the torrent web seeds need (the peer manager's host). */
export interface WebSeedTorrent {
  /** Requests may be made. */
  readonly downloading: boolean;
  /** Complete pieces wait for the disk: request no more until it catches up. */
  readonly diskBusy: boolean;
  blockReceived(source: WebSeed, piece: number, begin: number, data: Uint8Array): void;
  log(line: string): void;
}

export class WebSeeds {
  readonly list: readonly WebSeed[];
  /** Seeds counted in the picker's availability (as have-all). */
  private readonly counted = new Set<WebSeed>();
  private readonly picker: PiecePicker;
  private readonly view: PeerView = { bits: null, isSeed: true, allowedFast: undefined, choked: false, id: 0 };

  constructor(source: WebSeedSource | undefined, clock: Clock, geometry: PieceGeometry, picker: PiecePicker, torrent: WebSeedTorrent, limiters: LimiterChain) {
    this.picker = picker;
    const urls = (source?.urls ?? []).slice(0, MAX_WEB_SEEDS);
    const layout = source?.layout ?? { files: [], multiFile: false };
    const view = this.view;
    this.list = urls.map(
      (url, i) =>
        new WebSeed(
          url,
          FIRST_WEB_SEED_ID + i * IDS_PER_WEB_SEED,
          {
            clock,
            geometry,
            layout,
            limiters,
            canRequest: () => torrent.downloading && !torrent.diskBusy,
            pick: (id, max, out) => {
              view.id = id;
              const n = picker.pick(view, max, out);
              return picker.inEndGame ? this.dropWebSeedDuplicates(id, out, out.length - n) : n;
            },
            giveBack: (piece, begin, id) => picker.requestCancelled(piece, begin, id),
            deliver: (seed, piece, begin, data) => torrent.blockReceived(seed, piece, begin, data),
            log: (line) => torrent.log(line),
          },
          source?.options,
        ),
    );
    for (const seed of this.list) {
      this.picker.addPeerHaveAll();
      this.counted.add(seed);
    }
  }

  /** No web seed left to use (none listed, or all banned or given up). */
  get idle(): boolean {
    return this.list.every((s) => s.closed);
  }

  /** Starts requests on every usable web seed's idle connections. */
  refill(): void {
    for (const seed of this.list) {
      if (seed.closed) this.uncount(seed);
      else seed.refill();
    }
  }

  /** Stops the requests in flight (the torrent stopped or has what it wants); refill starts them again. */
  abortAll(): void {
    for (const seed of this.list) seed.abortAll();
  }

  /** The web seed sent data that failed a hash check: it is not used again. */
  ban(seed: WebSeed, reason: string): void {
    seed.close(reason, true);
    this.uncount(seed);
  }

  /** Stops for good: the torrent is going away. */
  closeAll(): void {
    for (const seed of this.list) seed.shutdown();
  }

  /**
   * End game duplicates of blocks another web seed connection is already fetching go back: web seeds do not stall
   * like peers, and a second HTTP range for the same bytes is only waste. Returns how many picks are left.
   */
  private dropWebSeedDuplicates(id: number, out: BlockRequest[], from: number): number {
    let kept = from;
    for (let i = from; i < out.length; i++) {
      const b = out[i];
      const byOtherWebSeed = this.picker.requestersOf(b.piece, b.begin).some((other) => other !== id && other >= FIRST_WEB_SEED_ID);
      if (byOtherWebSeed) this.picker.requestCancelled(b.piece, b.begin, id);
      else out[kept++] = b;
    }
    out.length = kept;
    return kept - from;
  }

  /**
   * End game: a block came from `receivedFrom`; web seed connections among `requesters` that were fetching it
   * too forget it (the picker is told), and one left with nothing wanted aborts its HTTP request.
   */
  cancelDuplicates(receivedFrom: BlockSource, piece: number, begin: number, requesters: readonly number[]): void {
    for (const id of requesters) {
      if (id < FIRST_WEB_SEED_ID) continue;
      const seed = this.list[Math.floor((id - FIRST_WEB_SEED_ID) / IDS_PER_WEB_SEED)];
      if (!seed || seed === receivedFrom) continue;
      if (seed.lostBlock(id, piece, begin)) this.picker.requestCancelled(piece, begin, id);
    }
  }

  private uncount(seed: WebSeed): void {
    if (this.counted.delete(seed)) this.picker.removePeer('all');
  }
}
