import { close, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

interface Entry {
  fd: number;
  writable: boolean;
  busy: number;
}

/**
 * An LRU cache of open file descriptors. Files are created on first write; reads
 * of a missing file report it instead of creating it. A descriptor with I/O in
 * flight is never closed under it: callers pair `acquire` with `release`.
 */
export class FileHandleCache {
  private readonly open = new Map<string, Entry>();

  constructor(private readonly maxOpen = 64) {}

  /** Returns an fd, or -1 when the file does not exist and `create` is false. */
  acquire(path: string, create: boolean): number {
    let entry = this.open.get(path);
    if (entry && create && !entry.writable && entry.busy === 0) {
      this.evict(path);
      entry = undefined;
    }
    if (entry) {
      this.open.delete(path);
      this.open.set(path, entry);
      entry.busy++;
      return entry.fd;
    }
    let fd: number;
    try {
      fd = openSync(path, create ? 'r+' : 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!create) return -1;
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, 'w+');
    }
    this.open.set(path, { fd, writable: create, busy: 1 });
    this.trim();
    return fd;
  }

  release(path: string): void {
    const entry = this.open.get(path);
    if (entry && entry.busy > 0) entry.busy--;
  }

  private trim(): void {
    if (this.open.size <= this.maxOpen) return;
    for (const [path, entry] of this.open) {
      if (this.open.size <= this.maxOpen) break;
      if (entry.busy === 0) this.evict(path);
    }
  }

  private evict(path: string): void {
    const entry = this.open.get(path);
    if (!entry) return;
    this.open.delete(path);
    close(entry.fd, () => {});
  }

  closeAll(): void {
    for (const { fd } of this.open.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.open.clear();
  }
}
