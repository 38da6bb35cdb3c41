import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** One file of a torrent as storage sees it: where its bytes sit in the torrent's data, and on disk. */
export interface StoredFile {
  /** Absolute path, proven to lie inside the download folder. */
  readonly absPath: string;
  /** Byte offset of the file in the torrent's concatenated data. */
  readonly offset: number;
  readonly length: number;
  /** BEP 47 padding files are never written to disk. */
  readonly padding: boolean;
}

export interface FileSpan {
  readonly fileIndex: number;
  readonly fileOffset: number;
  readonly length: number;
  /** Where this span starts within the requested range. */
  readonly rangeOffset: number;
}

export class PathEscapeError extends Error {
  override name = 'PathEscapeError';
}

/**
 * Joins sanitised path components under the root and proves the result stays inside it.
 * Metainfo sanitising already removed traversal; this is the last line of defence.
 */
export function resolveInside(root: string, components: readonly string[]): string {
  const absRoot = resolve(root);
  for (const c of components) {
    if (c === '' || c === '.' || c === '..' || c.includes('/') || c.includes('\\') || c.includes('\0') || isAbsolute(c)) {
      throw new PathEscapeError(`unsafe path component ${JSON.stringify(c)}`);
    }
  }
  const full = resolve(join(absRoot, ...components));
  const rel = relative(absRoot, full);
  // The root may itself end with a separator (`/`, `C:\`): it is then the whole prefix.
  const inside = absRoot.endsWith(sep) ? absRoot : absRoot + sep;
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) || !full.startsWith(inside)) {
    throw new PathEscapeError(`path ${JSON.stringify(components.join('/'))} escapes the download folder`);
  }
  return full;
}

/** Maps byte ranges of the torrent's data onto its files. */
export class FileLayout {
  private readonly offsets: Float64Array;

  constructor(readonly files: readonly StoredFile[]) {
    this.offsets = new Float64Array(files.map((f) => f.offset));
  }

  /** Spans of the files covering [offset, offset + length); zero-length files are skipped. */
  spans(offset: number, length: number): FileSpan[] {
    const out: FileSpan[] = [];
    let i = this.firstFileAt(offset);
    let pos = offset;
    const end = offset + length;
    while (pos < end && i < this.files.length) {
      const f = this.files[i];
      const fileEnd = f.offset + f.length;
      if (f.length > 0 && pos < fileEnd) {
        const n = Math.min(end, fileEnd) - pos;
        out.push({ fileIndex: i, fileOffset: pos - f.offset, length: n, rangeOffset: pos - offset });
        pos += n;
      }
      i++;
    }
    return out;
  }

  /** Index of the last file whose offset is <= `offset` (binary search). */
  private firstFileAt(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Step back over zero-length files that share the offset so spans start at the right file.
    while (lo > 0 && this.offsets[lo - 1] === offset) lo--;
    return lo;
  }
}
