/**
 * The session side of streams: the `streamUrl` command, and the files a stream server opens readers on. The server
 * (engine/daemon/stream-server.ts) tells the session how its addresses look (StreamLinks); the session never imports it.
 */
import type { StreamUrlResult } from '../api/types.js';
import { contentTypeOf, isMediaFile } from '../common/media-types.js';
import type { FileReader } from '../torrent/readers.js';
import { ApiError } from './api-error.js';
import type { Entry } from './entry.js';
import { setFilePriority } from './torrent-commands.js';

/** How the host's stream server names a file: an absolute URL with the file's capability. */
export interface StreamLinks {
  urlFor(infoHashHex: string, fileIndex: number, name: string): string;
}

/** A file as a stream server sees it. */
export interface StreamFile {
  readonly name: string;
  readonly length: number;
  readonly contentType: string;
  /**
   * A reader on the running torrent (waits a few seconds for one just starting); rejects with an ApiError (Conflict) when it is not running.
   * `warmUp`: a reader opened before any player asks (readers.ts: its window yields to readers that read).
   */
  open(warmUp?: boolean): Promise<FileReader>;
}

/** How long opening a stream waits for a torrent that is starting (added or resumed a moment ago). */
const START_WAIT_MS = 10_000;

/** Not paused, not queued, not failed: the runner is bringing it up. */
function startingUp(entry: Entry): boolean {
  return !entry.paused && entry.waiting === null && entry.error === null;
}

function fileOf(entry: Entry, index: number): { name: string; length: number; offset: number } {
  const meta = entry.meta;
  if (!meta) throw new ApiError('Conflict', `"${entry.name}" has no metadata yet: wait until it is fetched from peers`);
  const f = meta.files[index];
  if (!f || f.padding) throw new ApiError('NotFound', `file ${index} does not exist (the torrent has ${meta.files.length})`);
  return { name: f.path[f.path.length - 1], length: f.length, offset: f.offset };
}

export function streamUrl(entry: Entry, index: number, links: StreamLinks | null): StreamUrlResult {
  const f = fileOf(entry, index);
  if (!links) throw new ApiError('Conflict', 'this engine host serves no streams');
  return { url: links.urlFor(entry.id, index, f.name), contentType: contentTypeOf(f.name), name: f.name, length: f.length };
}

/**
 * The file `index` of `entry` to stream, or null when there is none. Opening it on a file set to "skip" raises that
 * file to normal priority first (the user asked to read it); `touch` marks the entry changed.
 */
export function streamFile(entry: Entry, index: number, touch: (e: Entry) => void): StreamFile | null {
  let f;
  try {
    f = fileOf(entry, index);
  } catch {
    return null;
  }
  return {
    name: f.name,
    length: f.length,
    contentType: contentTypeOf(f.name),
    open: async (warmUp = false) => {
      // Just added or resumed: the torrent object comes after a few awaits (files checked); wait for it a little.
      for (let waited = 0; entry.torrent === null && startingUp(entry) && waited < START_WAIT_MS; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const torrent = entry.torrent;
      // While checking, reads wait for the check (and then the download) to verify their pieces.
      if (!torrent || torrent.state === 'stopped' || torrent.state === 'error') throw new ApiError('Conflict', `"${entry.name}" is not running (paused, queued or failed): resume it to stream`);
      if (entry.filePriorities[index] === 'skip') {
        setFilePriority(entry, [index], 'normal');
        touch(entry);
      }
      return torrent.readers.open(f.offset, f.length, isMediaFile(f.name), warmUp);
    },
  };
}
