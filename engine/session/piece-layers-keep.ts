import { withPieceLayers } from '../metainfo/with-piece-layers.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import type { Entry } from './entry.js';

/**
 * A v2 or hybrid torrent from a magnet fetched its piece layers from peers: keep them. The entry's
 * metainfo gains them (a pause and resume does not fetch them again) and so does the stored .torrent
 * (a restart does not either, and the file is a complete v2 torrent to share). Never throws.
 */
export async function keepPieceLayers(store: ResumeData, entry: Entry, layers: ReadonlyMap<string, Uint8Array>, log: (line: string) => void): Promise<void> {
  if (entry.meta) entry.meta.pieceLayers = new Map(layers);
  try {
    const stored = await store.loadMetainfo(entry.id);
    if (!stored) return;
    await store.saveMetainfo(entry.id, withPieceLayers(stored, layers));
    log(`piece layers saved with the torrent (${layers.size} file${layers.size === 1 ? '' : 's'})`);
  } catch (err) {
    log(`could not save the piece layers with the torrent (${(err as Error).message}); they will be fetched again after a restart`);
  }
}
