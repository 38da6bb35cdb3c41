/**
 * Where a torrent's bytes are on a web seed (BEP 19): the URL of each file, and a torrent byte range cut into the
 * per-file HTTP ranges that cover it (a piece spanning files becomes several ranges). Pure.
 */

export interface WebSeedFile {
  /** Path components as the torrent names them; for multi-file torrents the first is the torrent name. */
  readonly path: readonly string[];
  readonly length: number;
  /** Offset of the file in the torrent's concatenated data. */
  readonly offset: number;
  /** BEP 47 pad file: zeros, never fetched. */
  readonly padding: boolean;
  /**
   * The path's components as raw bytes from the torrent (name first), when known: URLs are built from
   * these, since a name that is not valid UTF-8 loses bytes when decoded and sanitised into `path`.
   */
  readonly rawPath?: readonly Uint8Array[];
}

export interface WebSeedLayout {
  readonly files: readonly WebSeedFile[];
  readonly multiFile: boolean;
}

/** One HTTP range (or, for a pad file, zeros) covering part of a torrent byte range. */
export interface FileSpan {
  readonly file: number;
  /** Offset inside the file. */
  readonly fileOffset: number;
  readonly length: number;
  /** Offset from the start of the torrent byte range. */
  readonly rangeOffset: number;
}

/**
 * The URL of `file` on the web seed `base`. A single-file torrent's URL is the base itself unless it ends in '/'
 * (then the file name is appended); a multi-file torrent's files are under base/name/path, each component
 * percent-encoded.
 */
export function fileUrl(base: string, layout: WebSeedLayout, file: number): string {
  const f = layout.files[file];
  if (!layout.multiFile && !base.endsWith('/')) return base;
  const root = base.endsWith('/') ? base : `${base}/`;
  const components = f.rawPath ? f.rawPath.map(percentEncode) : f.path.map((c) => encodeURIComponent(c));
  return root + components.join('/');
}

/** Bytes that stand for themselves in a path component: RFC 3986 unreserved, plus what encodeURIComponent leaves. */
const KEPT = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!'()*") KEPT[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/**
 * One path component, byte by byte: the bytes above kept, every other byte as %XX. For valid UTF-8 this
 * is what encodeURIComponent gives; for other bytes (a Latin-1 name, say) the same bytes reach the server.
 */
export function percentEncode(component: Uint8Array): string {
  let out = '';
  for (const b of component) out += b < 128 && KEPT[b] ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  return out;
}

/** Cuts the torrent range [start, start + length) into per-file spans, skipping empty files. */
export function spansOf(layout: WebSeedLayout, start: number, length: number): FileSpan[] {
  const files = layout.files;
  const end = start + length;
  const spans: FileSpan[] = [];
  // The first file whose end lies beyond `start` (binary search: torrents may list many thousands of files).
  let lo = 0;
  let hi = files.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (files[mid].offset + files[mid].length <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < files.length && files[i].offset < end; i++) {
    const f = files[i];
    if (f.length === 0) continue;
    const from = Math.max(start, f.offset);
    const to = Math.min(end, f.offset + f.length);
    if (to > from) spans.push({ file: i, fileOffset: from - f.offset, length: to - from, rangeOffset: from - start });
  }
  return spans;
}
