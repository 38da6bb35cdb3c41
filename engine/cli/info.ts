import type { Metainfo, MagnetLink } from '../metainfo/index.js';
import { formatBytes } from './format.js';
import type { LoadedInput } from './load.js';
import { fileList } from '../session/inspect.js';

export interface InfoJson {
  name: string;
  /** The torrent id: v1 info hash, or for v2-only torrents the first 40 hex digits of infoHashV2. */
  infoHash: string;
  /** SHA-256 info hash (64 hex), v2 and hybrid torrents only. */
  infoHashV2?: string;
  version: 1 | 2 | 'hybrid';
  pieceLength: number;
  pieceCount: number;
  totalLength: number;
  private: boolean;
  files: { path: string; length: number }[];
  trackers: string[][];
  urlList: string[];
  comment?: string;
  createdBy?: string;
  creationDate?: number;
}

export function infoJson(meta: Metainfo): InfoJson {
  return {
    name: meta.name,
    infoHash: meta.infoHashHex,
    ...(meta.infoHashV2Hex !== undefined ? { infoHashV2: meta.infoHashV2Hex } : {}),
    version: meta.version,
    pieceLength: meta.pieceLength,
    pieceCount: meta.pieceCount,
    totalLength: meta.totalLength,
    private: meta.private,
    files: fileList(meta),
    trackers: meta.announce,
    urlList: meta.urlList,
    ...(meta.comment !== undefined ? { comment: meta.comment } : {}),
    ...(meta.createdBy !== undefined ? { createdBy: meta.createdBy } : {}),
    ...(meta.creationDate !== undefined ? { creationDate: meta.creationDate } : {}),
  };
}

function magnetJson(m: MagnetLink): Record<string, unknown> {
  return {
    infoHash: m.infoHashHex,
    ...(m.infoHashV2Hex !== undefined ? { infoHashV2: m.infoHashV2Hex } : {}),
    version: m.version ?? 1,
    name: m.name ?? null,
    trackers: m.trackers,
    peers: m.peers,
    webSeeds: m.webSeeds,
  };
}

export function printInfo(input: LoadedInput, json: boolean, out: (line: string) => void): void {
  if (input.kind === 'magnet') {
    if (json) return out(JSON.stringify(magnetJson(input.magnet)));
    const m = input.magnet;
    out(`magnet link (metadata not yet known)`);
    out(`  info hash  ${m.infoHashHex}${m.version === 2 ? ' (torrent id: truncated v2 hash)' : ''}`);
    if (m.infoHashV2Hex) out(`  v2 hash    ${m.infoHashV2Hex}`);
    if (m.name) out(`  name       ${m.name}`);
    for (const t of m.trackers) out(`  tracker    ${t}`);
    for (const p of m.peers) out(`  peer       ${p.host}:${p.port}`);
    return;
  }
  const meta = input.meta;
  if (json) return out(JSON.stringify(infoJson(meta)));
  out(`name        ${meta.name}`);
  out(`version     ${meta.version === 'hybrid' ? 'hybrid (v1 + v2)' : `v${meta.version}`}`);
  out(`info hash   ${meta.infoHashHex}${meta.version === 2 ? ' (torrent id: truncated v2 hash)' : ''}`);
  if (meta.infoHashV2Hex) out(`v2 hash     ${meta.infoHashV2Hex}`);
  out(`size        ${formatBytes(meta.totalLength)} (${meta.totalLength} bytes)`);
  out(`pieces      ${meta.pieceCount} x ${formatBytes(meta.pieceLength)}`);
  out(`private     ${meta.private ? 'yes' : 'no'}`);
  if (meta.comment) out(`comment     ${meta.comment}`);
  if (meta.createdBy) out(`created by  ${meta.createdBy}`);
  meta.announce.forEach((tier, i) => out(`tier ${i}      ${tier.join(' ')}`));
  out(`files:`);
  for (const f of meta.files) if (!f.padding) out(`  ${f.path.join('/')}  (${formatBytes(f.length)})`);
  for (const w of meta.warnings) out(`warning: ${w}`);
}
