import type { AddSource, InspectResult, ListedFile, TorrentInfo } from '../api/types.js';
import { parseMagnet, parseTorrent, toMagnetUri, type Metainfo } from '../metainfo/index.js';
import type { Entry } from './entry.js';

/**
 * The files a user sees: sanitised paths joined with '/', padding files left out. Each keeps its index
 * among all the torrent's files, the index file priorities use.
 */
export function fileList(meta: Metainfo): ListedFile[] {
  const out: ListedFile[] = [];
  meta.files.forEach((f, index) => {
    if (!f.padding) out.push({ index, path: f.path.join('/'), length: f.length });
  });
  return out;
}

/**
 * What the Add dialog shows before anything is added: a .torrent's name, size and file tree, or what a
 * magnet link says (info hash, dn). Malformed input throws the parser's one-line MetainfoError /
 * MagnetError (an InputError), the same message `tessera info` prints.
 */
export function inspectSource(source: AddSource, alreadyAdded: (id: string) => boolean): InspectResult {
  if (source.kind === 'magnet') {
    const m = parseMagnet(source.uri);
    return {
      name: m.name ?? m.infoHashHex,
      infoHash: m.infoHashHex,
      totalBytes: 0,
      pieceLength: 0,
      pieceCount: 0,
      files: [],
      fileCount: 0,
      private: false,
      comment: null,
      createdBy: null,
      metadataKnown: false,
      alreadyAdded: alreadyAdded(m.infoHashHex),
    };
  }
  const meta = parseTorrent(source.data);
  return {
    name: meta.name,
    infoHash: meta.infoHashHex,
    totalBytes: meta.totalLength,
    pieceLength: meta.pieceLength,
    pieceCount: meta.pieceCount,
    files: fileList(meta),
    fileCount: meta.files.length,
    private: meta.private,
    comment: meta.comment ?? null,
    createdBy: meta.createdBy ?? null,
    metadataKnown: true,
    alreadyAdded: alreadyAdded(meta.infoHashHex),
  };
}

function v2HashOf(hex: string | undefined): { infoHashV2?: string } {
  return hex ? { infoHashV2: hex } : {};
}

/** What getInfo answers for a torrent in the list: from its metainfo, or what its magnet link says. */
export function torrentInfo(entry: Entry): TorrentInfo {
  const meta = entry.meta;
  return {
    id: entry.id,
    name: entry.name,
    infoHash: entry.id,
    ...v2HashOf(meta?.infoHashV2Hex ?? entry.magnet?.infoHashV2Hex),
    pieceLength: meta?.pieceLength ?? 0,
    pieceCount: meta?.pieceCount ?? 0,
    totalBytes: entry.totalBytes,
    private: meta?.private ?? false,
    comment: meta?.comment ?? null,
    createdBy: meta?.createdBy ?? null,
    creationDate: meta?.creationDate ?? null,
    magnetUri: meta ? toMagnetUri(meta) : (entry.magnet ? toMagnetUri(entry.magnet) : `magnet:?xt=urn:btih:${entry.id}`),
    files: meta ? fileList(meta) : [],
    fileCount: meta?.files.length ?? 0,
    trackers: entry.trackers ?? meta?.announce ?? entry.magnet?.trackers.map((t) => [t]) ?? [],
  };
}
