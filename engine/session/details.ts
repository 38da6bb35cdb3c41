import { Bitfield } from '../common/bitfield.js';
import type { DetailTopic, TorrentDetails } from '../api/types.js';
import { fileProgress } from '../torrent/file-priorities.js';
import type { Entry } from './entry.js';
import type { StreamEncryption } from '../net/transport.js';
import { webSeedPeerRows, webSeedSourceRows } from './web-seed-rows.js';

/** 'E': RC4 both ways; 'e': an encrypted handshake, then plaintext (qBittorrent's letters). */
const ENCRYPTION_FLAGS: Readonly<Record<StreamEncryption, string>> = { plaintext: '', 'mse-plaintext': 'e', rc4: 'E' };

/** The detail views the UI subscribed to, for one torrent: peers, files, trackers, piece map. */
export function detailsOf(e: Entry, topics: ReadonlySet<DetailTopic>): TorrentDetails {
  const out: TorrentDetails = { id: e.id };
  const t = e.torrent;
  const meta = e.meta;
  if (topics.has('peers')) {
    out.peers = t
      ? [...t.peers].map((p) => ({
          address: p.address,
          client: p.client,
          flags: `${!p.peerChoking && p.amInterested ? 'D' : p.amInterested ? 'd' : ''}${!p.amChoking && p.peerInterested ? 'U' : p.peerInterested ? 'u' : ''}${p.optimistic ? 'O' : ''}${p.incoming ? 'I' : ''}${p.snubbed ? 'S' : ''}${ENCRYPTION_FLAGS[p.encryption]}${p.transport?.kind === 'utp' ? 'P' : ''}`,
          downRate: Math.round(p.downloadMeter.rate()),
          upRate: Math.round(p.uploadMeter.rate()),
          progress: p.bits ? p.bits.count / p.bits.length : 0,
          downloaded: p.downloadMeter.total,
          uploaded: p.uploadMeter.total,
        }))
      : [];
    if (t) out.peers.push(...webSeedPeerRows(t.webSeeds));
  }
  if (topics.has('files') && meta) {
    const have = knownPieces(e, meta.pieceCount);
    const done = fileProgress(meta.files, meta.pieceLength, have);
    out.files = meta.files
      .map((f, index) => ({ index, path: f.path.join('/'), length: f.length, doneBytes: done[index], priority: e.filePriorities[index] ?? 'normal', padding: f.padding }))
      .filter((f) => !f.padding)
      .map(({ padding: _p, ...f }) => f);
  }
  if (topics.has('trackers')) {
    out.trackers = t
      ? t.trackerStatus().map((s) => ({
          url: s.url,
          tier: s.tier,
          status: s.health,
          message: s.lastError ?? s.warning ?? '',
          seeds: s.scrape?.seeds ?? s.seeds ?? null,
          leechers: s.scrape?.leechers ?? s.leechers ?? null,
          completed: s.scrape?.downloaded ?? null,
          nextAnnounceIn: s.nextAnnounce !== undefined ? Math.max(0, Math.round((s.nextAnnounce - performance.now()) / 1000)) : null,
        }))
      : (e.trackers ?? meta?.announce ?? []).flatMap((tier, i) => tier.map((url) => ({ url, tier: i, status: 'idle' as const, message: '', seeds: null, leechers: null, completed: null, nextAnnounceIn: null })));
    out.trackers.push(...webSeedSourceRows(t ? t.webSeeds : null, meta?.urlList ?? []));
  }
  if (topics.has('pieces') && meta) {
    const have = knownPieces(e, meta.pieceCount);
    out.pieces = {
      pieceCount: meta.pieceCount,
      pieceLength: meta.pieceLength,
      have: have.bytes.slice(),
      downloading: t ? t.downloadingPieces().bytes : new Uint8Array(Math.ceil(meta.pieceCount / 8)),
      availability: t ? t.availability() : new Uint16Array(meta.pieceCount),
    };
  }
  return out;
}


/**
 * The verified pieces to show. A torrent that is still checking its data has no bitfield yet (length
 * 0); until it has one, the last recorded one stands, or none.
 */
function knownPieces(e: Entry, pieceCount: number): Bitfield {
  const live = e.torrent?.have;
  if (live && live.length === pieceCount) return live;
  if (e.have && e.have.length === pieceCount) return e.have;
  return new Bitfield(pieceCount);
}
