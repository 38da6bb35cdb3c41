import { read, write, writeSync } from 'node:fs';
import { directPart } from './direct-span.js';
import type { FileHandleCache } from './file-cache.js';
import { describeIoError } from './fs-util.js';
import type { FileSpan } from './layout.js';

/** Writes `length` bytes of `data` from `from` to `position` of `fd`, however many calls it takes. */
function writeFully(fd: number, data: Uint8Array, from: number, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      write(fd, data, from + done, length - done, position + done, (err, n) => {
        if (err) return reject(err);
        done += n;
        if (done < length) step();
        else resolve();
      });
    };
    step();
  });
}

/** Writes through the page cache. */
async function writeBuffered(handles: FileHandleCache, path: string, data: Uint8Array, from: number, length: number, position: number): Promise<void> {
  if (length === 0) return;
  const fd = handles.acquire(path, true);
  try {
    await writeFully(fd, data, from, length, position);
  } finally {
    handles.release(fd);
  }
}

/**
 * Where direct writes stand for one storage: tried until one fails for a reason other than the disk (a file
 * system that takes O_DIRECT at open but refuses the write), then off for good.
 */
export interface DirectWrites {
  enabled: boolean;
}

/**
 * Writes one span of a range taken from `data`. When `aligned` (the range's buffer starts on a page, see
 * piece-buffers.ts) and direct writes are on, the span's aligned middle goes straight from the buffer to the disk
 * with O_DIRECT, skipping the copy into the page cache, which is most of a download's kernel time on
 * virtual machines (each fresh page-cache page is a fault in the host); the unaligned head and tail go through the
 * page cache. Anything else is written buffered.
 */
export async function writeSpan(handles: FileHandleCache, path: string, span: FileSpan, data: Uint8Array, aligned: boolean, direct: DirectWrites): Promise<void> {
  try {
    const part = aligned && direct.enabled ? directPart(span.rangeOffset, span.fileOffset, span.length) : null;
    if (part !== null) {
      const fd = handles.acquireDirect(path);
      if (fd < 0) direct.enabled = false;
      else {
        let ok = true;
        try {
          await writeFully(fd, data, part.start, part.end - part.start, span.fileOffset + (part.start - span.rangeOffset));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
          direct.enabled = false;
          ok = false;
        } finally {
          handles.release(fd);
        }
        if (ok) {
          const spanEnd = span.rangeOffset + span.length;
          await writeBuffered(handles, path, data, span.rangeOffset, part.start - span.rangeOffset, span.fileOffset);
          await writeBuffered(handles, path, data, part.end, spanEnd - part.end, span.fileOffset + (part.end - span.rangeOffset));
          return;
        }
      }
    }
    await writeBuffered(handles, path, data, span.rangeOffset, span.length, span.fileOffset);
  } catch (err) {
    throw describeIoError(err as NodeJS.ErrnoException, path);
  }
}

/** Reads one span into `target` at `targetOffset + span.rangeOffset`; resolves false when the file is missing or too short. */
export function readSpan(handles: FileHandleCache, path: string, span: FileSpan, target: Buffer, targetOffset: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const fd = handles.acquire(path, false);
    if (fd < 0) return resolve(false);
    let done = 0;
    const step = (): void => {
      read(fd, target, targetOffset + span.rangeOffset + done, span.length - done, span.fileOffset + done, (err, n) => {
        if (err) {
          handles.release(fd);
          reject(describeIoError(err, path));
          return;
        }
        done += n;
        if (n === 0 || done >= span.length) {
          handles.release(fd);
          resolve(done >= span.length);
        } else step();
      });
    };
    step();
  });
}

/** Writes one span through the page cache on this thread (see FileStorage.writeRangeNow). Throws a StorageError. */
export function writeSpanNow(handles: FileHandleCache, path: string, span: FileSpan, data: Uint8Array): void {
  try {
    const fd = handles.acquire(path, true);
    try {
      for (let done = 0; done < span.length; ) done += writeSync(fd, data, span.rangeOffset + done, span.length - done, span.fileOffset + done);
    } finally {
      handles.release(fd);
    }
  } catch (err) {
    throw describeIoError(err as NodeJS.ErrnoException, path);
  }
}
