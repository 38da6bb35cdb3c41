import { close, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** O_DIRECT where the platform has it (Linux, FreeBSD), else 0. */
const DIRECT_FLAG: number = constants.O_DIRECT ?? 0;

/** Direct descriptors live in the same LRU under their own key. */
function directKey(path: string): string {
  return `${path}\0direct`;
}

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

  /**
   * Returns an fd opened for direct writes (O_DIRECT: no copy into the page cache), creating the file, or -1 when
   * the platform or the file system has no direct I/O (the caller then writes through the page cache). Pair with
   * `release(path, true)`.
   */
  acquireDirect(path: string): number {
    if (DIRECT_FLAG === 0) return -1;
    const key = directKey(path);
    const entry = this.open.get(key);
    if (entry) {
      this.open.delete(key);
      this.open.set(key, entry);
      entry.busy++;
      return entry.fd;
    }
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | DIRECT_FLAG, 0o666);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'EOPNOTSUPP') return -1;
      if (code !== 'ENOENT') throw err;
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | DIRECT_FLAG, 0o666);
    }
    this.open.set(key, { fd, writable: true, busy: 1 });
    this.trim();
    return fd;
  }

  release(path: string, direct = false): void {
    if (direct) path = directKey(path);
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
