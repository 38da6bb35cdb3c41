/**
 * The Create torrent dialog's form model: trackers typed one per line with a blank line between tiers,
 * web seeds one per line, the piece size as a choice (automatic by default), back to a createTorrent
 * command. Pure; the engine checks again.
 */
import type { Command } from '../../engine/api/types.js';
import { isAbsoluteSavePath } from '../../engine/api/save-path.js';
import { trackerUrlProblem, webSeedProblem } from '../../engine/api/validate-trackers.js';

export interface CreateForm {
  path: string;
  trackers: string;
  webSeeds: string;
  /** '' for automatic, else bytes. */
  pieceLength: string;
  private: boolean;
  comment: string;
  format: 'v1' | 'v2' | 'hybrid';
  seed: boolean;
}

export const EMPTY_CREATE_FORM: CreateForm = { path: '', trackers: '', webSeeds: '', pieceLength: '', private: false, comment: '', format: 'hybrid', seed: true };

/** 16 KiB … 16 MiB. */
export const PIECE_SIZES: readonly number[] = Array.from({ length: 11 }, (_, i) => 16_384 * 2 ** i);

/** Tiers from text: one URL a line, a blank line starts the next tier. */
export function parseTiers(text: string): string[][] {
  const tiers: string[][] = [[]];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      if (tiers[tiers.length - 1].length > 0) tiers.push([]);
    } else tiers[tiers.length - 1].push(line);
  }
  return tiers.filter((t) => t.length > 0);
}

/** The reverse of parseTiers. */
export function tiersText(tiers: readonly (readonly string[])[]): string {
  return tiers.map((t) => t.join('\n')).join('\n\n');
}

export type CreateResult = { ok: true; command: Extract<Command, { type: 'createTorrent' }> } | { ok: false; field: keyof CreateForm; message: string };

export function createCommand(f: CreateForm): CreateResult {
  const path = f.path.trim();
  if (path === '') return { ok: false, field: 'path', message: 'Enter the file or folder to share, as a full path on the machine Tessera runs on.' };
  if (!isAbsoluteSavePath(path)) return { ok: false, field: 'path', message: `"${path}" is a relative path; give the full path (for example /home/you/Videos/holiday).` };
  const trackers = parseTiers(f.trackers);
  const seen = new Set<string>();
  for (const url of trackers.flat()) {
    const problem = trackerUrlProblem(url);
    if (problem) return { ok: false, field: 'trackers', message: `Tracker "${url}" ${problem}.` };
    if (seen.has(url)) return { ok: false, field: 'trackers', message: `Tracker "${url}" is listed twice.` };
    seen.add(url);
  }
  const webSeeds = f.webSeeds.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const url of webSeeds) {
    const problem = webSeedProblem(url);
    if (problem) return { ok: false, field: 'webSeeds', message: `Web seed "${url}" ${problem}.` };
  }
  if (f.seed && f.format === 'v2') return { ok: false, field: 'format', message: 'Tessera cannot seed v2-only torrents yet: choose hybrid (v1 and v2) to seed it, or turn off "Start seeding".' };
  return {
    ok: true,
    command: { type: 'createTorrent', path, trackers, webSeeds, pieceLength: f.pieceLength === '' ? null : Number(f.pieceLength), private: f.private, comment: f.comment.trim(), format: f.format, seed: f.seed },
  };
}
