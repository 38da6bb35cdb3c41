import { dirname } from 'node:path';
import type { Command, Notice, ResultOf } from '../api/types.js';
import { createTorrent } from '../metainfo/create.js';
import { parseTorrent } from '../metainfo/index.js';
import { ApiError, asApiError, parsePeer } from './api-error.js';
import type { BannedPeers } from './banned-peers.js';
import type { Entry } from './entry.js';

/** What these commands need of the session. */
export interface MoreCommandsHost {
  entry(id: string): Entry;
  entries(): Iterable<Entry>;
  notice(n: Notice): void;
  /** Adds a .torrent whose data is already at `savePath` (the session's own add). */
  add(data: Uint8Array, savePath: string): Promise<ResultOf['add']>;
  log(line: string): void;
}

/** createProgress notices at most this often (hashing reports every piece). */
const PROGRESS_EVERY_MS = 250;

/**
 * The commands for what the interface's newer controls ask (force reannounce, ban a peer, create a
 * torrent), kept apart from session.ts's dispatch. Peer bans are saved (banned-peers.ts) and outlive a restart.
 */
export class MoreCommands {
  /** `banned`: every peer the user banned, applied to torrents that start later too. */
  constructor(
    private readonly host: MoreCommandsHost,
    private readonly banned: BannedPeers,
  ) {}

  /** A torrent starts: it refuses the peers banned so far. */
  applyBans(e: Entry): void {
    for (const b of this.banned.all) e.torrent?.banPeer(b.host, b.port);
  }

  async execute(cmd: Extract<Command, { type: 'reannounce' | 'banPeer' | 'createTorrent' }>): Promise<ResultOf['reannounce' | 'banPeer' | 'createTorrent']> {
    switch (cmd.type) {
      case 'reannounce':
        for (const id of cmd.ids) {
          const e = this.host.entry(id);
          e.torrent?.reannounce();
          e.dhtHandle?.refresh();
        }
        return null;
      case 'banPeer': {
        this.host.entry(cmd.id);
        const peer = parsePeer(cmd.peer);
        let disconnected = 0;
        for (const e of this.host.entries()) disconnected += e.torrent?.banPeer(peer.host, peer.port) ?? 0;
        this.host.log(`banned ${cmd.peer} (by the user): ${disconnected} connection(s) closed`);
        // Answered once the ban is on disk: a restart right after keeps it.
        await this.banned.add(peer);
        return { disconnected };
      }
      case 'createTorrent':
        return this.create(cmd);
    }
  }

  private async create(cmd: Extract<Command, { type: 'createTorrent' }>): Promise<ResultOf['createTorrent']> {
    if (cmd.seed && cmd.format === 'v2') throw new ApiError('InvalidCommand', 'v2-only torrents cannot be seeded yet: choose v1 or hybrid to seed it, or turn off "Start seeding"');
    let last = 0;
    let torrent: Uint8Array;
    try {
      torrent = await createTorrent(cmd.path, {
        tiers: cmd.trackers,
        webSeeds: cmd.webSeeds,
        pieceLength: cmd.pieceLength ?? undefined,
        private: cmd.private,
        comment: cmd.comment === '' ? undefined : cmd.comment,
        format: cmd.format,
        onProgress: (hashedBytes, totalBytes) => {
          const now = performance.now();
          if (now - last < PROGRESS_EVERY_MS && hashedBytes < totalBytes) return;
          last = now;
          this.host.notice({ type: 'createProgress', path: cmd.path, hashedBytes, totalBytes });
        },
      });
    } catch (err) {
      throw asApiError(err);
    }
    const meta = parseTorrent(torrent);
    const infoHash = meta.infoHashHex;
    let id: string | null = null;
    if (cmd.seed) ({ id } = await this.host.add(torrent, dirname(cmd.path)));
    return { torrent, name: meta.name, infoHash, id };
  }
}
